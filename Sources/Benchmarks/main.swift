import Foundation
import Tensor

/// `swift run -c release Benchmarks <name>...`: runs the named benchmarks in order.
/// Each benchmark lives in its own file and registers itself in `benchmarks` below.
let benchmarks: [(name: String, summary: String, run: () -> Void)] = [
    ("gemm", "GEMM GFLOP/s for square sizes 64…1024, 1 thread and all, against the naive kernel", runGEMMBenchmark),
    ("gemmshapes", "GEMM GFLOP/s on the book's products (MLP, LeNet, recurrent steps, dense layers), forward and backward; few-row ones also with the weights packed once", runGEMMShapesBenchmark),
    ("conv", "LeNet's convolutions and poolings, forward and backward, 1 thread and all", runConvBenchmark),
    ("convcnn", "chapter-7 convolutions (ResNet, AlexNet, VGG, GoogLeNet, DenseNet) at batch 64, GFLOP/s", runCNNConvBenchmark),
    ("epochs", "one Fashion-MNIST training epoch of softmax regression and the MLP (s/epoch, examples/s, phases)", runEpochBenchmark),
    ("lenet-step", "LeNet training step at batch 256: ms per step and per-op breakdown", runLeNetStepBenchmark),
    ("mlp-step", "MLP (784-256-10) and softmax-regression training steps at batch 256", runMLPStepBenchmark),
    ("norm", "batch norm (256, 64, 48, 48) and layer norm (640, 32), forward and forward+backward", runNormBenchmark),
    ("optim", "one step of each optimizer over 10 M parameters, GB/s against a copy kernel", runOptimBenchmark),
    ("attention", "fused scaled dot-product attention against its unfused composition, forward and backward", runAttentionBenchmark),
    ("pool", "cost of a 2-way parallel region (worker pool, concurrentPerform, 1 thread) and small-M GEMM µs at 1/2 threads", runPoolBenchmark),
    ("additive", "fused additive-attention scores against the book's broadcast-tanh composition, forward and backward", runAdditiveAttentionBenchmark),
]

func printUsage(to handle: FileHandle = .standardError) {
    var out = handle
    print("usage: Benchmarks <name>...\n       Benchmarks step <model>... [--steps N] [--threads T]   (step list: the models)\n\navailable benchmarks:", to: &out)
    for b in benchmarks { print("  \(b.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(b.summary)", to: &out) }
    print("  \("step".padding(toLength: 10, withPad: " ", startingAt: 0)) training steps of the book's models, as ../shared/reference/torch_bench.py prints them", to: &out)
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "step" { exit(runStepCommand(Array(arguments.dropFirst()))) }
if arguments.contains("--help") || arguments.contains("-h") {
    printUsage(to: FileHandle.standardOutput)
    exit(0)
}
let names = arguments
let unknown = names.filter { n in !benchmarks.contains { $0.name == n } }
if names.isEmpty || !unknown.isEmpty {
    if !unknown.isEmpty {
        var err = FileHandle.standardError
        print("unknown benchmark: \(unknown.joined(separator: ", "))", to: &err)
    }
    printUsage()
    exit(2)
}
for n in names { benchmarks.first { $0.name == n }!.run() }
