import Foundation
import Tensor

/// `swift run -c release Benchmarks <name>...`: runs the named benchmarks in order.
/// Each benchmark lives in its own file and registers itself in `benchmarks` below.
let benchmarks: [(name: String, summary: String, run: () -> Void)] = [
    ("gemm", "GEMM GFLOP/s for square sizes 64…1024, 1 thread and all, against the naive kernel", runGEMMBenchmark),
    ("gemmshapes", "GEMM GFLOP/s on the products of the book's MLP and LeNet, forward and backward", runGEMMShapesBenchmark),
    ("conv", "LeNet's convolutions and poolings, forward and backward, 1 thread and all", runConvBenchmark),
    ("epochs", "one Fashion-MNIST training epoch of softmax regression and the MLP (s/epoch, examples/s, phases)", runEpochBenchmark),
    ("lenet-step", "LeNet training step at batch 256: ms per step and per-op breakdown", runLeNetStepBenchmark),
    ("mlp-step", "MLP (784-256-10) and softmax-regression training steps at batch 256", runMLPStepBenchmark),
    ("norm", "batch norm (256, 64, 48, 48) and layer norm (640, 32), forward and forward+backward", runNormBenchmark),
    ("optim", "one step of each optimizer over 10 M parameters, GB/s against a copy kernel", runOptimBenchmark),
    ("attention", "fused scaled dot-product attention against its unfused composition, forward and backward", runAttentionBenchmark),
]

func printUsage<Stream: TextOutputStream>(to stream: inout Stream) {
    print("usage: Benchmarks <name>...\n\navailable benchmarks:", to: &stream)
    for b in benchmarks { print("  \(b.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(b.summary)", to: &stream) }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}

let names = Array(CommandLine.arguments.dropFirst())
if names.contains("--help") || names.contains("-h") {
    var out = FileHandle.standardOutput
    printUsage(to: &out)
    exit(0)
}
let unknown = names.filter { n in !benchmarks.contains { $0.name == n } }
if names.isEmpty || !unknown.isEmpty {
    if !unknown.isEmpty {
        var err = FileHandle.standardError
        print("unknown benchmark: \(unknown.joined(separator: ", "))", to: &err)
    }
    var err = FileHandle.standardError
    printUsage(to: &err)
    exit(2)
}
for n in names { benchmarks.first { $0.name == n }!.run() }
