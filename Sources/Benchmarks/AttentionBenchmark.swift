import Foundation
import Tensor

/// The fused `Tensor.scaledDotProductAttention` against its unfused composition
/// (`bmm(Q, Kᵀ)/√d` → `maskedSoftmax` → `bmm(·, V)`), forward and forward+backward, on the
/// book's attention shapes: the Transformer's heads (64 sequences × 4 heads, 10 steps, d = 8),
/// Bahdanau's one decoder step (64 × 1 query over 10 keys, d = 32), and a longer sequence
/// (8 × 128 × 128, d = 64). Median times. Run with `swift run -c release Benchmarks attention`.
func runAttentionBenchmark() {
    var gen = SeededGenerator(seed: 0)
    let cases: [(name: String, n: Int, q: Int, k: Int, d: Int)] = [
        ("transformer heads", 256, 10, 10, 8), ("bahdanau step", 64, 1, 10, 32), ("long", 8, 128, 128, 64),
    ]
    for c in cases {
        var q = Tensor.normal([c.n, c.q, c.d], mean: 0, std: 1, generator: &gen)
        var k = Tensor.normal([c.n, c.k, c.d], mean: 0, std: 1, generator: &gen)
        var v = Tensor.normal([c.n, c.k, c.d], mean: 0, std: 1, generator: &gen)
        let g = Tensor.normal([c.n, c.q, c.d], mean: 0, std: 1, generator: &gen)
        let lens = (0..<c.n).map { 1 + $0 % c.k }
        let fused = { Tensor.scaledDotProductAttention(q, k, v, validLens: lens).output }
        let unfused = {
            Tensor.maskedSoftmax(q.bmm(k.transposed(1, 2)) / Tensor(Float(c.d).squareRoot()), validLens: lens).bmm(v)
        }
        var line = "\(c.name) (\(c.n), \(c.q), \(c.k), d \(c.d)) threads=\(Parallel.threads):"
        for (label, f) in [("fused", fused), ("unfused", unfused)] {
            q.requiresGrad = false; k.requiresGrad = false; v.requiresGrad = false
            let fwd = benchmarkSeconds { _ = withNoGrad { f() } }
            q.requiresGrad = true; k.requiresGrad = true; v.requiresGrad = true
            let both = benchmarkSeconds { q.zeroGrad(); k.zeroGrad(); v.zeroGrad(); f().backward(gradient: g) }
            line += String(format: " %@ forward %.1f us, forward+backward %.1f us;", label, fwd * 1e6, both * 1e6)
        }
        print(line)
    }
}
