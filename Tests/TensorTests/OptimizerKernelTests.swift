import Tensor
import XCTest

/// The fused optimizer kernels against their one-element-at-a-time references, on an odd size
/// (a tail shorter than 16 lanes) and a size large enough to be split over cores, several steps
/// in a row so the state buffers matter.
final class OptimizerKernelTests: XCTestCase {
    typealias Kernel = (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>, [UnsafeMutablePointer<Float>], Int) -> Void

    /// Runs `fast` and `naive` for 3 steps from the same parameters, gradients and state
    /// (`states` buffers, filled with small positive values) and compares every buffer.
    private func check(_ name: String, states: Int, fast: Kernel, naive: Kernel) {
        for n in [1_037, 140_003] {
            var rng = SeededGenerator(seed: UInt64(n))
            let p0 = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            let s0 = (0..<states).map { _ in (0..<n).map { _ in Float.random(in: 0...0.5, using: &rng) } }
            var pa = p0, pb = p0, sa = s0, sb = s0
            for t in 1...3 {
                let g = (0..<n).map { _ in Float.random(in: -2...2, using: &rng) }
                g.withUnsafeBufferPointer { gp in
                    run(&pa, &sa) { fast(n, $0, gp.baseAddress!, $1, t) }
                    run(&pb, &sb) { naive(n, $0, gp.baseAddress!, $1, t) }
                }
            }
            let all = zip([pa] + sa, [pb] + sb)
            for (k, (a, b)) in all.enumerated() {
                let worst = zip(a, b).map { Swift.abs($0 - $1) / max(1, Swift.abs($1)) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 2e-6, "\(name) n=\(n) buffer \(k) (0 = parameter)")
            }
        }
    }

    private func run(_ p: inout [Float], _ s: inout [[Float]], _ body: (UnsafeMutablePointer<Float>, [UnsafeMutablePointer<Float>]) -> Void) {
        let ptrs = s.map { buf -> UnsafeMutablePointer<Float> in
            let q = UnsafeMutablePointer<Float>.allocate(capacity: buf.count); q.initialize(from: buf, count: buf.count); return q
        }
        p.withUnsafeMutableBufferPointer { body($0.baseAddress!, ptrs) }
        for (k, q) in ptrs.enumerated() { s[k] = Array(UnsafeBufferPointer(start: q, count: s[k].count)); q.deallocate() }
    }

    func testSGD() {
        for nesterov in [false, true] {
            check("sgd nesterov=\(nesterov)", states: 1,
                  fast: { n, p, g, s, t in Kernels.sgdStep(n, p, g, buffer: s[0], lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: nesterov, firstStep: t == 1) },
                  naive: { n, p, g, s, t in Kernels.sgdStepNaive(n, p, g, buffer: s[0], lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: nesterov, firstStep: t == 1) })
        }
        check("sgd dampening", states: 1,
              fast: { n, p, g, s, t in Kernels.sgdStep(n, p, g, buffer: s[0], lr: 0.1, momentum: 0.5, dampening: 0.3, weightDecay: 0, nesterov: false, firstStep: false) },
              naive: { n, p, g, s, t in Kernels.sgdStepNaive(n, p, g, buffer: s[0], lr: 0.1, momentum: 0.5, dampening: 0.3, weightDecay: 0, nesterov: false, firstStep: false) })
        check("sgd plain", states: 0,
              fast: { n, p, g, s, t in Kernels.sgdStep(n, p, g, buffer: nil, lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.1, nesterov: false, firstStep: true) },
              naive: { n, p, g, s, t in Kernels.sgdStepNaive(n, p, g, buffer: nil, lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0.1, nesterov: false, firstStep: true) })
    }

    func testAdagrad() {
        check("adagrad", states: 1,
              fast: { n, p, g, s, t in Kernels.adagradStep(n, p, g, sum: s[0], lr: 0.1, eps: 1e-10, weightDecay: 0.01) },
              naive: { n, p, g, s, t in Kernels.adagradStepNaive(n, p, g, sum: s[0], lr: 0.1, eps: 1e-10, weightDecay: 0.01) })
    }

    func testRMSprop() {
        check("rmsprop", states: 1,
              fast: { n, p, g, s, t in Kernels.rmspropStep(n, p, g, squareAvg: s[0], gradAvg: nil, buffer: nil, lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0) },
              naive: { n, p, g, s, t in Kernels.rmspropStepNaive(n, p, g, squareAvg: s[0], gradAvg: nil, buffer: nil, lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0) })
        // centered with momentum: the gradient average starts at 0 so s − a² stays positive
        check("rmsprop centered momentum", states: 3,
              fast: { n, p, g, s, t in if t == 1 { s[1].update(repeating: 0, count: n) }
                      Kernels.rmspropStep(n, p, g, squareAvg: s[0], gradAvg: s[1], buffer: s[2], lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0.1, momentum: 0.5) },
              naive: { n, p, g, s, t in if t == 1 { s[1].update(repeating: 0, count: n) }
                       Kernels.rmspropStepNaive(n, p, g, squareAvg: s[0], gradAvg: s[1], buffer: s[2], lr: 0.01, alpha: 0.9, eps: 1e-8, weightDecay: 0.1, momentum: 0.5) })
    }

    func testAdadelta() {
        check("adadelta", states: 2,
              fast: { n, p, g, s, t in Kernels.adadeltaStep(n, p, g, squareAvg: s[0], accDelta: s[1], lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0.01) },
              naive: { n, p, g, s, t in Kernels.adadeltaStepNaive(n, p, g, squareAvg: s[0], accDelta: s[1], lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0.01) })
    }

    func testAdamAdamWYogi() {
        for (decoupled, yogi) in [(false, false), (true, false), (false, true)] {
            check("adam decoupled=\(decoupled) yogi=\(yogi)", states: 2,
                  fast: { n, p, g, s, t in Kernels.adamStep(n, p, g, expAvg: s[0], expAvgSq: s[1], lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: decoupled, step: t, yogi: yogi) },
                  naive: { n, p, g, s, t in Kernels.adamStepNaive(n, p, g, expAvg: s[0], expAvgSq: s[1], lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupled: decoupled, step: t, yogi: yogi) })
        }
    }

    func testCopy() {
        let src = (0..<100_003).map { Float($0) }
        var dst = [Float](repeating: -1, count: src.count)
        src.withUnsafeBufferPointer { s in dst.withUnsafeMutableBufferPointer { Kernels.copy(s.count, s.baseAddress!, $0.baseAddress!) } }
        XCTAssertEqual(dst, src)
    }
}
