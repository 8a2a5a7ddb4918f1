import Foundation
import Tensor

/// Seconds of the fastest of `repeats` runs of `body`, after one warm-up run.
func bestTime(repeats: Int, _ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        let t1 = DispatchTime.now().uptimeNanoseconds
        best = min(best, Double(t1 &- t0) * 1e-9)
    }
    return best
}

/// `gemm NxNxN threads=T: X GFLOP/s (naive Y)` for square products `C = A·B`
/// (2·N³ floating-point operations each), on 1 thread and on all cores.
func runGEMMBenchmark() {
    let allThreads = Parallel.threads
    let threadCounts = allThreads > 1 ? [1, allThreads] : [1]
    for size in [64, 128, 256, 512, 1024] {
        var gen = SeededGenerator(seed: UInt64(size))
        let a = Tensor.uniform([size, size], low: -1, high: 1, generator: &gen)
        let b = Tensor.uniform([size, size], low: -1, high: 1, generator: &gen)
        let c = TensorStorage(uninitializedCount: size * size)
        let flops = 2 * Double(size) * Double(size) * Double(size)
        // Aim for about 0.2 s of fast runs per line.
        let fastRepeats = max(3, min(200, Int(2e10 / flops)))
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let naive = bestTime(repeats: size >= 512 ? 1 : 3) {
                    Kernels.gemmNaive(transA: false, transB: false, m: size, n: size, k: size,
                                      a: pa.baseAddress!, lda: size, b: pb.baseAddress!, ldb: size,
                                      c: c.pointer, ldc: size)
                }
                for t in threadCounts {
                    Parallel.threads = t
                    let fast = bestTime(repeats: fastRepeats) {
                        Kernels.gemm(transA: false, transB: false, m: size, n: size, k: size,
                                     a: pa.baseAddress!, lda: size, b: pb.baseAddress!, ldb: size,
                                     c: c.pointer, ldc: size)
                    }
                    let line = String(format: "gemm %dx%dx%d threads=%d: %.1f GFLOP/s (naive %.1f)",
                                      size, size, size, t, flops / fast * 1e-9, flops / naive * 1e-9)
                    print(line)
                }
                Parallel.threads = allThreads
            }
        }
    }
}
