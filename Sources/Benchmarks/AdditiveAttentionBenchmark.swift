import D2L
import Foundation
import NN
import Tensor

/// `Tensor.additiveAttentionScores` (one kernel each way) against the book's composition
/// `w_v(tanh(q.unsqueeze(2) + k.unsqueeze(1))).squeeze(-1)`, forward and forward+backward, at
/// one Bahdanau decoder step (64 × 1 query over 10 keys, h = 32, §10.4) and at the §10.3 toy
/// shape scaled up (64 × 10 queries over 10 keys). Median wall times (`Benchmarks additive`).
func runAdditiveAttentionBenchmark() {
    var gen = SeededGenerator(seed: 0)
    for (name, b, q, k, h) in [("bahdanau step", 64, 1, 10, 32), ("10 queries", 64, 10, 10, 32)] {
        var qs = Tensor.normal([b, q, h], mean: 0, std: 1, generator: &gen)
        var ks = Tensor.normal([b, k, h], mean: 0, std: 1, generator: &gen)
        var w = Tensor.normal([h], mean: 0, std: 1, generator: &gen)
        let g = Tensor.normal([b, q, k], mean: 0, std: 1, generator: &gen)
        let fused = { Tensor.additiveAttentionScores(qs, ks, w: w) }
        let book = { linear((qs.unsqueezed(2) + ks.unsqueezed(1)).tanh(), weight: w.reshaped(to: [1, h]), bias: nil).squeezed(-1) }
        var line = "\(name) (\(b), \(q), \(k), h \(h)) threads=\(Parallel.threads):"
        for (label, f) in [("fused", fused), ("book", book)] {
            qs.requiresGrad = false; ks.requiresGrad = false; w.requiresGrad = false
            let fwd = benchmarkSeconds { _ = withNoGrad { f() } }
            qs.requiresGrad = true; ks.requiresGrad = true; w.requiresGrad = true
            let both = benchmarkSeconds { qs.zeroGrad(); ks.zeroGrad(); w.zeroGrad(); f().backward(gradient: g) }
            line += String(format: " %@ forward %.1f us, forward+backward %.1f us;", label, fwd * 1e6, both * 1e6)
        }
        print(line)
    }
}
