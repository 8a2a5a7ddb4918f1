import D2L
import Foundation
import NN
import Tensor

// §11.5 minibatch stochastic gradient descent: why minibatches (the matrix-multiplication timing
// demo), then gradient descent, SGD and minibatch SGD on the airfoil data with `trainCh11`, their
// losses against time, and `SGD(lr: 0.01)` with `trainConciseCh11`.

/// §11.5.1 vectorization and caches: A = B·C for 256 × 256 matrices computed one element at a
/// time (a dot product each), one column at a time, all at once, and in blocks of 64 columns —
/// all on our own kernels. The book reports "2 / seconds" as its performance figure; we print
/// real GFLOP/s (2·256³ floating-point operations per product).
func runMatmulTiming(log: TextOutput) {
    let n = 256
    let B = Tensor.randn([n, n]), C = Tensor.randn([n, n])
    let Ct = C.transposed().reshaped(to: [n, n])    // rows of Cᵀ are the columns of C
    let gflop = 2 * pow(Double(n), 3) / 1e9
    var timer = Stopwatch()
    var acc: Float = 0
    for i in 0..<n {                               // element-wise: A[i, j] = ⟨B[i, :], C[:, j]⟩
        let row = B.slice(axis: 0, i..<(i + 1))
        for j in 0..<n { acc += (row * Ct.slice(axis: 0, j..<(j + 1))).sum().item() }
    }
    let element = timer.stop()
    timer.start()
    for j in 0..<n { _ = B.matmul(C.slice(axis: 1, j..<(j + 1))) }   // column-wise: A[:, j] = B·C[:, j]
    let column = timer.stop()
    timer.start()
    let A = B.matmul(C)                                                // all at once
    let full = timer.stop()
    timer.start()
    let blocks = stride(from: 0, to: n, by: 64).map { B.matmul(C.slice(axis: 1, $0..<($0 + 64))) }   // 64 columns at a time
    let block = timer.stop()
    _ = (acc, A, blocks)
    log.write("§11.5.1 256×256 matrix product (GFLOP/s, our kernels): "
              + String(format: "element %.3f, column %.3f, full %.3f, block(64) %.3f\n",
                       gflop / element, gflop / column, gflop / full, gflop / block))
    book("performance in Gigaflops (their 2/seconds, on a GPU machine): element 1.204, column 88.542, full 195.625, block 2056.535", log)
}

/// §11.5 `train_sgd(lr, batch_size, num_epochs=2)`: the scratch `sgd` with `trainCh11`.
func trainSGD(lr: Float, batchSize: Int, numEpochs: Int = 2, ctx: AirfoilContext, label: String) throws -> Ch11History {
    Tensor.manualSeed(ctx.seed)
    let (dataIter, featureDim) = try getDataCh11(batchSize: batchSize)
    return trainCh11(sgd, states: (), hyperparams: ["lr": lr], dataIter: dataIter, featureDim: featureDim,
                     numEpochs: numEpochs, figure: ctx.figures ? "ch10-minibatch-sgd-scratch-\(label)" : nil, log: ctx.log)
}

/// §11.5: the timing demo, GD (batch 1500, η = 1, 10 epochs), SGD (batch 1, η = 0.005),
/// minibatch 100 (η = 0.4) and 10 (η = 0.05), the loss-versus-time figure, then concise SGD.
func runMinibatchSGD(_ ctx: AirfoilContext) throws {
    let log = ctx.log
    log.write("§11.5 minibatch stochastic gradient descent\n")
    runMatmulTiming(log: log)
    if ctx.wants(.scratch) {
        let runs: [(String, Float, Int, Int, BookResult)] = [
            ("gd", 1, 1500, 10, BookResult(printed: "loss: 0.243, 0.055 sec/epoch", spread: 0.242...0.251)),
            ("sgd", 0.005, 1, 2, BookResult(printed: "loss: 0.246, 0.102 sec/epoch", spread: 0.243...0.251)),
            ("batch size=100", 0.4, 100, 2, BookResult(printed: "loss: 0.243, 0.003 sec/epoch", spread: 0.243...0.248)),
            ("batch size=10", 0.05, 10, 2, BookResult(printed: "loss: 0.243, 0.013 sec/epoch", spread: 0.242...0.255)),
        ]
        var timePlot = LinePlot(xlabel: "time (sec)", ylabel: "loss", legend: runs.map { $0.0 }, xlim: nil,
                                ylim: 0.22...0.35, xscale: .log)
        for (label, lr, batchSize, epochs, bookResult) in runs {
            log.write("\(label): train_sgd(lr \(lr), batch \(batchSize), \(epochs) epochs)\n")
            let h = try trainSGD(lr: lr, batchSize: batchSize, numEpochs: epochs, ctx: ctx, label: Figures.name(label))
            log.write(bookResult.line + "\n")
            log.write(String(format: "   %d logged points, %.3f s of training in all\n", h.losses.count, h.cumulativeSeconds.last ?? 0))
            timePlot.add(x: h.cumulativeSeconds, y: h.losses)
        }
        if ctx.figures { save(timePlot, "ch10-minibatch-sgd-time", log) }
    }
    try ctx.run("minibatch-sgd", [conciseRun("SGD lr 0.01", { SGD(parameters: $0, lr: 0.01) },
                                             book: BookResult(printed: "loss: 0.243, 0.015 sec/epoch", spread: 0.242...0.248))])
}
