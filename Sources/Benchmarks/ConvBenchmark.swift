import Foundation
import Tensor

/// Convolution and pooling speed on LeNet's layers at batch 256 (book §6.6): GFLOP/s of the
/// forward pass and both gradients (dX, dW) of each convolution, with one thread and with all,
/// and the pooling layers' times. Run with `swift run -c release Benchmarks conv`.
func runConvBenchmark() {
    struct Layer { let name: String; let x: [Int]; let w: [Int]; let pad: Int }
    let layers = [Layer(name: "lenet-c1", x: [256, 1, 28, 28], w: [6, 1, 5, 5], pad: 2),
                  Layer(name: "lenet-c2", x: [256, 6, 14, 14], w: [16, 6, 5, 5], pad: 0)]
    let allThreads = Parallel.threads
    var gen = SeededGenerator(seed: 0)
    for threads in Set([1, allThreads]).sorted() { Parallel.withThreads(threads) {
        for l in layers {
            let x = Tensor.normal(l.x, mean: 0, std: 1, generator: &gen)
            let w = Tensor.normal(l.w, mean: 0, std: 1, generator: &gen)
            let b = Tensor.normal([l.w[0]], mean: 0, std: 1, generator: &gen)
            let g = Tensor.conv2dGeometry(l.x, l.w, [l.w[0]], stride: (1, 1), padding: (l.pad, l.pad))
            let cout = l.w[0]
            let outShape = [g.batch, cout, g.outH, g.outW]
            let gOut = Tensor.normal(outShape, mean: 0, std: 1, generator: &gen)
            let flops = 2.0 * Double(shapeCount(outShape)) * Double(g.patchSize)
            let out = TensorStorage(uninitializedCount: shapeCount(outShape))
            let dx = TensorStorage(uninitializedCount: x.count)
            let dw = TensorStorage(uninitializedCount: w.count), db = TensorStorage(uninitializedCount: cout)
            let xp = UnsafePointer(x.storage.pointer), wp = UnsafePointer(w.storage.pointer)
            let gp = UnsafePointer(gOut.storage.pointer)
            let what = "conv \(l.name) \(describeShape(l.x))*\(describeShape(l.w)) p\(l.pad)"
            let runs: [(String, () -> Void)] = [
                ("forward", { Kernels.conv2dForward(x: xp, weight: wp, bias: b.storage.pointer, out: out.pointer, g, cout: cout) }),
                ("backward dX", { Kernels.conv2dBackwardInput(gOut: gp, weight: wp, dx: dx.pointer, g, cout: cout) }),
                ("backward dW+db", { Kernels.conv2dBackwardWeight(gOut: gp, x: xp, dw: dw.pointer, db: db.pointer, g, cout: cout) }),
            ]
            for (name, body) in runs {
                let t = benchmarkSeconds(body)
                print("\(what) \(name) threads=\(threads): \(String(format: "%.1f", flops / t / 1e9)) GFLOP/s, \(String(format: "%.3f", t * 1e3)) ms")
            }
        }
        let pools: [(String, [Int])] = [("lenet-p1", [256, 6, 28, 28]), ("lenet-p2", [256, 16, 10, 10])]
        for (name, shape) in pools {
            let x = Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
            for isMax in [true, false] {
                var y = Tensor(0)
                let fwd = benchmarkSeconds { y = isMax ? x.maxPool2d(kernelSize: 2) : x.avgPool2d(kernelSize: 2) }
                var xg = x; xg.requiresGrad = true
                let gOut = Tensor.ones([shape[0], shape[1], shape[2] / 2, shape[3] / 2])
                let both = benchmarkSeconds {
                    xg.zeroGrad()
                    let y = isMax ? xg.maxPool2d(kernelSize: 2) : xg.avgPool2d(kernelSize: 2)
                    y.backward(gradient: gOut)
                }
                _ = y
                print("\(isMax ? "maxpool" : "avgpool") \(name) \(describeShape(shape)) k2 s2 threads=\(threads): "
                      + "forward \(String(format: "%.3f", fwd * 1e3)) ms, forward+backward \(String(format: "%.3f", both * 1e3)) ms")
            }
        }
    } }
}

/// Median wall time of `body` in seconds over enough repetitions (after one warm-up run).
func benchmarkSeconds(_ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    while times.count < 5 || (times.count < 200 && DispatchTime.now().uptimeNanoseconds - start < 300_000_000) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return times.sorted()[times.count / 2]
}
