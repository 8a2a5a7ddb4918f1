import D2L
import Dispatch
import Foundation
import NN
import Tensor

/// `Benchmarks step <model>... [--steps N] [--threads T]`: full training steps (forward, loss,
/// zeroGrad, backward, optimizer step) of the book's models on random data, with the same model
/// names, batch sizes, input shapes and output line as `../shared/reference/torch_bench.py`:
///
///     mlp: 1.2 ms/step, 213000 examples/s (batch 256, 1x28x28, threads 2, median of 10)
///
/// so ours and PyTorch's can be run one after the other and compared as a ratio.
/// `step list` prints the names, `step all` runs every model.
///
/// Adding a model is one entry in `stepModels` (`imageModel` for image classifiers, `charModel`
/// and `sequenceModel` for the sequence models, in SequenceStepModels.swift).
struct StepModel {
    let name: String
    /// Examples (or tokens) per step, and the word for them in the report.
    let perStep: Int
    let unit: String
    /// Batch and input description as torch_bench prints them: `batch 256, 1x28x28`.
    let shape: String
    /// Builds the model, its data and optimizer; returns one training step.
    let makeStep: () -> () -> Void
}

/// An image classifier of the book trained with SGD and cross-entropy on `torch.rand`-like
/// inputs `(batch, 1, side, side)` and random labels in `0..<10`.
func imageModel(_ name: String, batch: Int, side: Int, lr: Float, _ build: @escaping () -> Sequential) -> StepModel {
    StepModel(name: name, perStep: batch, unit: "examples", shape: "batch \(batch), 1x\(side)x\(side)") {
        Tensor.manualSeed(0)
        let net = build()
        var gen = SeededGenerator(seed: 1)
        let x = Tensor.rand([batch, 1, side, side], generator: &gen)
        let labels = (0..<batch).map { _ in Int(gen.next() % 10) }
        let loss = CrossEntropyLoss()
        let optimizer = SGD(parameters: net.parameters(), lr: lr)
        return {
            optimizer.zeroGrad()
            loss(net(x), labels).backward()
            optimizer.step()
        }
    }
}

/// One entry per model, in torch_bench's order; names, batches, sizes and learning rates as there.
let stepModels: [StepModel] = [
    imageModel("softmax", batch: 256, side: 28, lr: 0.1) { Sequential(Flatten(), Linear(inputSize: 784, outputSize: 10)) },
    imageModel("mlp", batch: 256, side: 28, lr: 0.1) {
        Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(), Linear(inputSize: 256, outputSize: 10))
    },
    imageModel("lenet", batch: 256, side: 28, lr: 0.9, lenet),
    // Book chapter 7 (D2L/Models/ModernCNN.swift), torch_bench's batches, sides and rates.
    imageModel("lenet-bn", batch: 256, side: 28, lr: 1.0, lenetBN),
    imageModel("alexnet", batch: 128, side: 224, lr: 0.01) { alexnet() },
    imageModel("vgg11-small", batch: 128, side: 224, lr: 0.05) { vgg11Small() },
    imageModel("nin", batch: 128, side: 224, lr: 0.1, nin),
    imageModel("googlenet", batch: 128, side: 96, lr: 0.1, googlenet),
    imageModel("resnet18", batch: 256, side: 96, lr: 0.05, resnet18),
    imageModel("densenet", batch: 256, side: 96, lr: 0.1, densenet),
    charModel("rnn512-char", lr: 1) { RNN(inputSize: 28, hiddenSize: 512) },
    charModel("rnn-char", lr: 1) { RNN(inputSize: 28, hiddenSize: 256) },
    charModel("gru-char", lr: 1) { GRU(inputSize: 28, hiddenSize: 256) },
    charModel("lstm-char", lr: 1) { LSTM(inputSize: 28, hiddenSize: 256) },
    charModel("deep-lstm-char", lr: 2) { LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2) },
    charModel("bi-lstm-char", lr: 1) { LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2, bidirectional: true) },
    seq2seqModel(),
    bahdanauModel(),
    transformerModel(),
] + vitStepModels   // ViTStepModels.swift

/// Times `steps` training steps after two warm-up steps; returns the report line. With `cpuTime`
/// each step is timed by the process's CPU clock instead of the wall clock (steadier on a shared
/// machine with one thread, where waiting for a core does not count; the line says `cpu`).
func timeStepModel(_ model: StepModel, steps: Int, cpuTime: Bool = false, poolStats: Bool = false) -> String {
    let step = model.makeStep()
    for _ in 0..<2 { step() }   // warm-up: first steps start the worker threads and fault in memory
    let pool0 = BufferPool.shared.statistics, faults0 = minorFaults()
    func clock() -> UInt64 {
        if !cpuTime { return DispatchTime.now().uptimeNanoseconds }
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
    var times: [Double] = []
    for _ in 0..<steps {
        let t0 = clock()
        step()
        times.append(Double(clock() - t0) / 1e6)
    }
    if poolStats {
        let p = BufferPool.shared.statistics, mb = { (b: Int) in String(format: "%.0f MB", Double(b) / 1e6) }
        var err = FileHandle.standardError
        print("\(model.name) pool over \(steps) timed steps: \(p.hits - pool0.hits) hits, \(p.misses - pool0.misses) misses, "
              + "\(p.evictions - pool0.evictions) evictions, \(minorFaults() - faults0) minor page faults; "
              + "live \(mb(p.liveBytes)), cached \(mb(p.cachedBytes)), peak live \(mb(p.peakLiveBytes))", to: &err)
    }
    let ms = median(times)
    return "\(model.name): \(String(format: "%.1f", ms)) ms/step, \(String(format: "%.0f", Double(model.perStep) / ms * 1000)) "
        + "\(model.unit)/s (\(model.shape), threads \(Parallel.threads), median of \(steps)\(cpuTime ? ", cpu" : ""))"
}

/// Minor page faults of the process so far.
func minorFaults() -> Int {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return u.ru_minflt
}

/// The median (mean of the two middle values for an even count, as Python's `statistics.median`).
func median(_ values: [Double]) -> Double {
    let s = values.sorted(), n = s.count
    if n == 0 { return .nan }
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

let stepUsage = """
    usage: Benchmarks step <model>... [--steps N] [--threads T] [--cpu] [--pool-stats]
           Benchmarks step list | all
    Times full training steps on random data; same names and line format as torch_bench.py.
    --cpu times each step by process CPU time instead of wall time (use with --threads 1).
    --pool-stats prints the buffer pool's hits, misses, evictions and page faults of the timed steps.
    """

/// Parses `step`'s arguments and runs the named models; returns the exit status.
func runStepCommand(_ args: [String]) -> Int32 {
    var names: [String] = [], steps = 10, threads: Int? = nil, cpuTime = false, poolStats = false
    var i = 0
    func fail(_ message: String) -> Int32 {
        var err = FileHandle.standardError
        print("step: \(message)\n\(stepUsage)", to: &err)
        return 2
    }
    while i < args.count {
        let a = args[i]
        if a == "--help" || a == "-h" { print(stepUsage); return 0 }
        if a == "--cpu" { cpuTime = true; i += 1; continue }
        if a == "--pool-stats" { poolStats = true; i += 1; continue }
        if a == "--steps" || a == "--threads" {
            guard i + 1 < args.count, let v = Int(args[i + 1]), v > 0 else {
                return fail("\(a) needs a positive integer")
            }
            if a == "--steps" { steps = v } else { threads = v }
            i += 2
            continue
        }
        names.append(a)
        i += 1
    }
    if names == ["list"] { print(stepModels.map(\.name).joined(separator: "\n")); return 0 }
    if names == ["all"] { names = stepModels.map(\.name) }
    if names.isEmpty { return fail("name a model (try: list)") }
    let unknown = names.filter { n in !stepModels.contains { $0.name == n } }
    if !unknown.isEmpty { return fail("unknown model \(unknown.joined(separator: ", ")); try: list") }
    Parallel.withThreads(threads ?? Parallel.threads) {
        for n in names { print(timeStepModel(stepModels.first { $0.name == n }!, steps: steps, cpuTime: cpuTime,
                                       poolStats: poolStats)) }
    }
    return 0
}
