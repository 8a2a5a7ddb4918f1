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
        // About 1 s of fast runs per line: best-of-many rides out other load on the machine.
        let fastRepeats = max(5, min(500, Int(1e11 / flops)))
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let naive = bestTime(repeats: size >= 512 ? 1 : 3) {
                    Kernels.gemmNaive(transA: false, transB: false, m: size, n: size, k: size,
                                      a: pa.baseAddress!, lda: size, b: pb.baseAddress!, ldb: size,
                                      c: c.pointer, ldc: size)
                }
                for t in threadCounts {
                    let fast = Parallel.withThreads(t) {
                        bestTime(repeats: fastRepeats) {
                            Kernels.gemm(transA: false, transB: false, m: size, n: size, k: size,
                                         a: pa.baseAddress!, lda: size, b: pb.baseAddress!, ldb: size,
                                         c: c.pointer, ldc: size)
                        }
                    }
                    let line = String(format: "gemm %dx%dx%d threads=%d: %.1f GFLOP/s (naive %.1f)",
                                      size, size, size, t, flops / fast * 1e-9, flops / naive * 1e-9)
                    print(line)
                }
            }
        }
    }
}

/// GFLOP/s of the products the book's models run (MLP on Fashion-MNIST, LeNet's dense layers),
/// forward and in the transposed forms of their backward passes, on 1 thread and on all cores.
func runGEMMShapesBenchmark() {
    // (label, transA, transB, m, n, k)
    let shapes: [(String, Bool, Bool, Int, Int, Int)] = [
        ("X·W (256x784)·(784x256)", false, false, 256, 256, 784),
        ("X·Wᵀ linear 784→256", false, true, 256, 256, 784),
        ("G·W linear dX", false, false, 256, 784, 256),
        ("Gᵀ·X linear dW", true, false, 256, 784, 256),
        ("H·W (256x256)·(256x10)", false, false, 256, 10, 256),
        ("Hᵀ·G (256x256)ᵀ·(256x10)", true, false, 256, 10, 256),
        ("X·W (256x400)·(400x120)", false, false, 256, 120, 400),
        ("Xᵀ·G (256x400)ᵀ·(256x120)", true, false, 400, 120, 256),
        ("G·Wᵀ (256x120)·(400x120)ᵀ", false, true, 256, 400, 120),
        // The recurrent models' products (§8.6, §9.2): a step's h·W_hhᵀ and dGates·W_hh at batch 32
        // (small-M path; here B is packed on every call, the recurrent layer packs it once per
        // sequence), and the input projection of all 35·32 rows.
        ("h·W_hhᵀ LSTM step (32x256)·(1024x256)ᵀ", false, true, 32, 1024, 256),
        ("dG·W_hh LSTM step (32x1024)·(1024x256)", false, false, 32, 256, 1024),
        ("h·W_hhᵀ rnn512 step (32x512)·(512x512)ᵀ", false, true, 32, 512, 512),
        ("X·W_ihᵀ (1120x28)·(1024x28)ᵀ", false, true, 1120, 1024, 28),
        // The scratch LSTM's per-gate products (§9.2 scratch: one matmul per gate and step):
        // H·W_hi forward, dY·W_hiᵀ and Hᵀ·dY backward, the one-hot X·W_xi.
        ("H·W_h scratch gate (32x256)·(256x256)", false, false, 32, 256, 256),
        ("dY·W_hᵀ scratch gate (32x256)·(256x256)ᵀ", false, true, 32, 256, 256),
        ("Hᵀ·dY scratch gate dW (32x256)ᵀ·(32x256)", true, false, 256, 256, 32),
        ("X·W_x scratch one-hot (32x28)·(28x256)", false, false, 32, 256, 28),
        // AlexNet's 4096 → 4096 dense layer at the quick configuration's batch 32 (§7.1): forward,
        // input gradient, weight gradient.
        ("X·Wᵀ dense 4096 (32x4096)·(4096x4096)ᵀ", false, true, 32, 4096, 4096),
        ("G·W dense 4096 dX (32x4096)·(4096x4096)", false, false, 32, 4096, 4096),
        ("Gᵀ·X dense 4096 dW (32x4096)ᵀ·(32x4096)", true, false, 4096, 4096, 32),
        ("square 512", false, false, 512, 512, 512),
        ("square 1024", false, false, 1024, 1024, 1024),
    ]
    let allThreads = Parallel.threads
    for (label, ta, tb, m, n, k) in shapes {
        var gen = SeededGenerator(seed: 1)
        let a = Tensor.uniform([m * k], low: -1, high: 1, generator: &gen)
        let b = Tensor.uniform([k * n], low: -1, high: 1, generator: &gen)
        let c = TensorStorage(uninitializedCount: m * n)
        let flops = 2 * Double(m) * Double(n) * Double(k)
        var line = "gemm \(label) m=\(m) n=\(n) k=\(k):"
        for t in (allThreads > 1 ? [1, allThreads] : [1]) {
            let s = Parallel.withThreads(t) { a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    bestTime(repeats: max(5, min(300, Int(1e10 / flops)))) {
                        Kernels.gemm(transA: ta, transB: tb, m: m, n: n, k: k, a: pa.baseAddress!, lda: ta ? m : k,
                                     b: pb.baseAddress!, ldb: tb ? k : n, c: c.pointer, ldc: n)
                    }
                }
            } }
            line += String(format: " threads=%d %.1f GFLOP/s", t, flops / s * 1e-9)
        }
        if !ta && m <= 64 && Kernels.gemmUsesSmallM(m: m, n: n, k: k) {
            // The same product with op(B) packed once beforehand (`GEMMPackedB`: the recurrent
            // layers' W_hh, and any parameter inside `Tensor.reusingPackedWeights`).
            line += " | packed once:"
            let packed = b.withUnsafeBufferPointer { pb in
                Kernels.GEMMPackedB(transB: tb, k: k, n: n, b: pb.baseAddress!, ldb: tb ? k : n)
            }
            for t in (allThreads > 1 ? [1, allThreads] : [1]) {
                let s = a.withUnsafeBufferPointer { pa in
                    bestTime(repeats: max(5, min(300, Int(1e10 / flops)))) {
                        Kernels.gemm(transA: false, m: m, a: pa.baseAddress!, lda: k, packedB: packed, c: c.pointer, ldc: n,
                                     threads: t)
                    }
                }
                line += String(format: " threads=%d %.1f GFLOP/s", t, flops / s * 1e-9)
            }
        }
        print(line)
    }
}
