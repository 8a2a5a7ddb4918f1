import Foundation
import Tensor

/// `Benchmarks pool`: what a parallel region costs (issue 11) and what it buys on the recurrent
/// models' small-M products (book §8.5, §9.1–9.3, batch 32).
///
/// - region: µs per 2-way `Parallel.forEach(2)` (the `WorkerPool`) against
///   `DispatchQueue.concurrentPerform(iterations: 2)` and one thread, with empty bodies and with
///   bodies of ~5 µs each (8 passes of a dot product of 8 Ki floats), median and 10th percentile of
///   back-to-back regions;
/// - gemm: µs of `C = h·W` with `W` packed once (`Kernels.GEMMPackedB`, as a recurrent layer
///   runs it), on 1 and 2 threads, median of many calls.
///
///     region 2x5µs   pool 5.4 µs (p10 4.9)  concurrentPerform 9.2 µs (p10 6.9)  1 thread 9.0 µs (p10 9.0)
///
/// (quiet machine, Dec 1 2026).
func runPoolBenchmark() {
    let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    print("pool: \(ProcessInfo.processInfo.activeProcessorCount) cores, Parallel.threads \(Parallel.threads), load \(load), \(Kernels.registerTileDescription)")
    let x = [Float](repeating: 1.0001, count: 8192)
    let sink = UnsafeMutablePointer<Float>.allocate(capacity: 2)
    defer { sink.deallocate() }
    func work(_ i: Int) {
        x.withUnsafeBufferPointer { p in
            var acc = SIMD16<Float>()
            for _ in 0..<8 {
                var j = 0
                while j < p.count {
                    acc.addProduct(UnsafeRawPointer(p.baseAddress! + j).loadUnaligned(as: SIMD16<Float>.self), SIMD16(repeating: Float(i)))
                    j &+= 16
                }
            }
            sink[i] = acc.sum()
        }
    }
    for (label, body) in [("empty", { (i: Int) in sink[i] = Float(i) }), ("2x5µs", work)] as [(String, (Int) -> Void)] {
        let pool = regionMicroseconds { Parallel.withThreads(2) { Parallel.forEach(2, body) } }
        let dispatch = regionMicroseconds { DispatchQueue.concurrentPerform(iterations: 2, execute: body) }
        let serial = regionMicroseconds { Parallel.withThreads(1) { Parallel.forEach(2, body) } }
        func show(_ r: (median: Double, p10: Double)) -> String { String(format: "%.1f µs (p10 %.1f)", r.median, r.p10) }
        print("region \(label.padding(toLength: 6, withPad: " ", startingAt: 0))  pool \(show(pool))  concurrentPerform \(show(dispatch))  1 thread \(show(serial))")
    }
    // (label, m, n, k) of the products h·W_hhᵀ (n = gates·hidden, k = hidden) and dGates·W_hh.
    let shapes = [("rnn256 h·Whhᵀ", 32, 256, 256), ("lstm256 h·Whhᵀ", 32, 1024, 256), ("lstm256 dG·Whh", 32, 256, 1024),
                  ("rnn512 h·Whhᵀ", 32, 512, 512), ("gru512 h·Whhᵀ", 32, 1536, 512)]
    for (label, m, n, k) in shapes {
        var gen = SeededGenerator(seed: 11)
        let a = Tensor.uniform([m * k], low: -1, high: 1, generator: &gen).scalars
        let b = Tensor.uniform([k * n], low: -1, high: 1, generator: &gen).scalars
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { c.deallocate() }
        let packed = b.withUnsafeBufferPointer { Kernels.GEMMPackedB(transB: false, k: k, n: n, b: $0.baseAddress!, ldb: n) }
        var line = "gemm \(label) (\(m)x\(k))·(\(k)x\(n)):"
        for t in [1, 2] {
            let r = a.withUnsafeBufferPointer { pa in
                regionMicroseconds(count: 2000) { Kernels.gemm(transA: false, m: m, a: pa.baseAddress!, lda: k, packedB: packed, c: c, ldc: n, threads: t) }
            }
            line += String(format: " threads=%d %.1f µs (p10 %.1f)", t, r.median, r.p10)
        }
        print(line)
    }
}

/// Median and 10th percentile, in µs, of `count` back-to-back calls of `body` (after 100 warm-up calls).
func regionMicroseconds(count: Int = 20_000, _ body: () -> Void) -> (median: Double, p10: Double) {
    for _ in 0..<100 { body() }
    var samples = [Double](repeating: 0, count: count)
    for s in 0..<count {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        samples[s] = Double(DispatchTime.now().uptimeNanoseconds &- t0) * 1e-3
    }
    samples.sort()
    return (samples[count / 2], samples[count / 10])
}
