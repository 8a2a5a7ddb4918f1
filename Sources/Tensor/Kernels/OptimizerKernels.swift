import Foundation

/// Fused in-place optimizer updates (book chapter 11, PyTorch's `torch.optim` rules).
///
/// An optimizer step is a memory-bound sweep: each kernel reads the parameter `p`, its gradient
/// `g` and the optimizer's state buffers once, updates them in registers (16 lanes at a time),
/// and writes `p` and the state back in place: no temporary tensor per parameter. Large buffers
/// are split over cores. The last `n mod 16` elements run through the same vector body on a
/// zero-padded register, so each rule is written once. Each kernel has a one-element-at-a-time
/// reference (`…Naive`) that the tests compare it with.
///
/// Weight decay `λ` is PyTorch's L2 form, `g ← g + λ·p`, folded into the sweep (AdamW's
/// decoupled decay is `p ← p·(1 − η·λ)` before the Adam rule).
extension Kernels {
    public typealias V16 = SIMD16<Float>

    /// Loads `m ≤ 16` floats from `x + i` (zeros in the missing lanes).
    @inline(__always)
    static func load16(_ x: UnsafePointer<Float>, _ i: Int, _ m: Int) -> V16 {
        if m == 16 { return UnsafeRawPointer(x + i).loadUnaligned(as: V16.self) }
        var v = V16()
        for k in 0..<m { v[k] = x[i &+ k] }
        return v
    }

    @inline(__always)
    static func load16(_ x: UnsafeMutablePointer<Float>, _ i: Int, _ m: Int) -> V16 { load16(UnsafePointer(x), i, m) }

    /// Stores the first `m ≤ 16` lanes of `v` at `x + i`.
    @inline(__always)
    static func store16(_ v: V16, _ x: UnsafeMutablePointer<Float>, _ i: Int, _ m: Int) {
        if m == 16 { UnsafeMutableRawPointer(x + i).storeBytes(of: v, as: V16.self); return }
        for k in 0..<m { x[i &+ k] = v[k] }
    }

    /// Runs `body(i, m)` over `0..<n` in blocks of `m = 16` lanes (the last block shorter),
    /// split over cores for large `n`.
    @inline(__always)
    static func sweep16(_ n: Int, _ body: (Int, Int) -> Void) {
        Parallel.forRanges(n, minChunk: 65_536) { r in
            var i = r.lowerBound
            while i < r.upperBound {
                let m = min(16, r.upperBound &- i)
                body(i, m)
                i &+= 16
            }
        }
    }

    /// `sign(x)` lane by lane (0 at 0, as `torch.sign`).
    @inline(__always)
    static func sign16(_ x: V16) -> V16 {
        V16(repeating: 0).replacing(with: 1, where: x .> 0).replacing(with: -1, where: x .< 0)
    }

    // MARK: SGD (§11.4, §11.6)

    /// PyTorch SGD: `d ← g + λp`; with momentum μ: `b ← d` on the first step, else
    /// `b ← μb + (1 − τ)d` (dampening τ); `d ← d + μb` (Nesterov) or `d ← b`; then `p ← p − η·d`.
    /// `buffer` is nil without momentum.
    public static func sgdStep(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               buffer: UnsafeMutablePointer<Float>?, lr: Float, momentum: Float, dampening: Float,
                               weightDecay: Float, nesterov: Bool, firstStep: Bool) {
        let lr16 = V16(repeating: lr), wd = V16(repeating: weightDecay), mu = V16(repeating: momentum)
        let keep = V16(repeating: 1 - dampening)
        guard let b = buffer else {
            sweep16(n) { i, m in
                let pv = load16(p, i, m)
                let d = weightDecay == 0 ? load16(g, i, m) : load16(g, i, m) + wd * pv
                store16(pv - lr16 * d, p, i, m)
            }
            return
        }
        sweep16(n) { i, m in
            let pv = load16(p, i, m)
            var d = weightDecay == 0 ? load16(g, i, m) : load16(g, i, m) + wd * pv
            let bv = firstStep ? d : mu * load16(b, i, m) + keep * d
            store16(bv, b, i, m)
            d = nesterov ? d + mu * bv : bv
            store16(pv - lr16 * d, p, i, m)
        }
    }

    /// Reference `sgdStep`.
    public static func sgdStepNaive(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                    buffer: UnsafeMutablePointer<Float>?, lr: Float, momentum: Float, dampening: Float,
                                    weightDecay: Float, nesterov: Bool, firstStep: Bool) {
        for i in 0..<n {
            var d = g[i] + weightDecay * p[i]
            if let b = buffer {
                b[i] = firstStep ? d : momentum * b[i] + (1 - dampening) * d
                d = nesterov ? d + momentum * b[i] : b[i]
            }
            p[i] -= lr * d
        }
    }

    // MARK: AdaGrad (§11.7)

    /// PyTorch Adagrad: `d ← g + λp`, `s ← s + d²`, `p ← p − η'·d / (√s + ε)` (ε outside the
    /// root; `η'` is the decayed rate `η / (1 + (t − 1)·lr_decay)`).
    public static func adagradStep(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                   sum: UnsafeMutablePointer<Float>, lr: Float, eps: Float, weightDecay: Float) {
        let lr16 = V16(repeating: lr), wd = V16(repeating: weightDecay), e = V16(repeating: eps)
        sweep16(n) { i, m in
            let pv = load16(p, i, m)
            let d = load16(g, i, m) + wd * pv
            let s = load16(sum, i, m) + d * d
            store16(s, sum, i, m)
            store16(pv - lr16 * d / (s.squareRoot() + e), p, i, m)
        }
    }

    /// Reference `adagradStep`.
    public static func adagradStepNaive(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                        sum: UnsafeMutablePointer<Float>, lr: Float, eps: Float, weightDecay: Float) {
        for i in 0..<n {
            let d = g[i] + weightDecay * p[i]
            sum[i] += d * d
            p[i] -= lr * d / (sum[i].squareRoot() + eps)
        }
    }

    // MARK: RMSProp (§11.8)

    /// PyTorch RMSprop: `d ← g + λp`, `s ← αs + (1 − α)d²`; centered: `a ← αa + (1 − α)d` and
    /// the denominator `√(s − a²) + ε`, else `√s + ε`; with momentum μ: `b ← μb + d/den`,
    /// `p ← p − η·b`, else `p ← p − η·d/den`.
    public static func rmspropStep(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                   squareAvg: UnsafeMutablePointer<Float>, gradAvg: UnsafeMutablePointer<Float>?,
                                   buffer: UnsafeMutablePointer<Float>?, lr: Float, alpha: Float, eps: Float,
                                   weightDecay: Float, momentum: Float) {
        let lr16 = V16(repeating: lr), wd = V16(repeating: weightDecay), e = V16(repeating: eps)
        let a16 = V16(repeating: alpha), r16 = V16(repeating: 1 - alpha), mu = V16(repeating: momentum)
        sweep16(n) { i, m in
            let pv = load16(p, i, m)
            let d = load16(g, i, m) + wd * pv
            let s = a16 * load16(squareAvg, i, m) + r16 * d * d
            store16(s, squareAvg, i, m)
            var den: V16
            if let ga = gradAvg {
                let a = a16 * load16(ga, i, m) + r16 * d
                store16(a, ga, i, m)
                den = (s - a * a).squareRoot() + e
            } else {
                den = s.squareRoot() + e
            }
            if let b = buffer {
                let bv = mu * load16(b, i, m) + d / den
                store16(bv, b, i, m)
                store16(pv - lr16 * bv, p, i, m)
            } else {
                store16(pv - lr16 * d / den, p, i, m)
            }
        }
    }

    /// Reference `rmspropStep`.
    public static func rmspropStepNaive(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                        squareAvg: UnsafeMutablePointer<Float>, gradAvg: UnsafeMutablePointer<Float>?,
                                        buffer: UnsafeMutablePointer<Float>?, lr: Float, alpha: Float, eps: Float,
                                        weightDecay: Float, momentum: Float) {
        for i in 0..<n {
            let d = g[i] + weightDecay * p[i]
            squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * d * d
            var den = squareAvg[i].squareRoot() + eps
            if let ga = gradAvg {
                ga[i] = alpha * ga[i] + (1 - alpha) * d
                den = (squareAvg[i] - ga[i] * ga[i]).squareRoot() + eps
            }
            if let b = buffer {
                b[i] = momentum * b[i] + d / den
                p[i] -= lr * b[i]
            } else {
                p[i] -= lr * d / den
            }
        }
    }

    // MARK: Adadelta (§11.9)

    /// PyTorch Adadelta: `d ← g + λp`, `s ← ρs + (1 − ρ)d²`, `Δp = √(Δ + ε) / √(s + ε) · d`,
    /// `Δ ← ρΔ + (1 − ρ)Δp²`, `p ← p − η·Δp` (ε inside both roots, as in the book).
    public static func adadeltaStep(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                    squareAvg: UnsafeMutablePointer<Float>, accDelta: UnsafeMutablePointer<Float>,
                                    lr: Float, rho: Float, eps: Float, weightDecay: Float) {
        let lr16 = V16(repeating: lr), wd = V16(repeating: weightDecay), e = V16(repeating: eps)
        let rho16 = V16(repeating: rho), r16 = V16(repeating: 1 - rho)
        sweep16(n) { i, m in
            let pv = load16(p, i, m)
            let d = load16(g, i, m) + wd * pv
            let s = rho16 * load16(squareAvg, i, m) + r16 * d * d
            store16(s, squareAvg, i, m)
            let acc = load16(accDelta, i, m)
            let delta = (acc + e).squareRoot() / (s + e).squareRoot() * d
            store16(rho16 * acc + r16 * delta * delta, accDelta, i, m)
            store16(pv - lr16 * delta, p, i, m)
        }
    }

    /// Reference `adadeltaStep`.
    public static func adadeltaStepNaive(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                         squareAvg: UnsafeMutablePointer<Float>, accDelta: UnsafeMutablePointer<Float>,
                                         lr: Float, rho: Float, eps: Float, weightDecay: Float) {
        for i in 0..<n {
            let d = g[i] + weightDecay * p[i]
            squareAvg[i] = rho * squareAvg[i] + (1 - rho) * d * d
            let delta = (accDelta[i] + eps).squareRoot() / (squareAvg[i] + eps).squareRoot() * d
            accDelta[i] = rho * accDelta[i] + (1 - rho) * delta * delta
            p[i] -= lr * delta
        }
    }

    // MARK: Adam, AdamW, Yogi (§11.10)

    /// PyTorch Adam at step `t` (from 1): `d ← g + λp` (Adam) or `p ← p(1 − ηλ)` (AdamW,
    /// `decoupled`); `v ← β₁v + (1 − β₁)d`, `s ← β₂s + (1 − β₂)d²`;
    /// `p ← p − (η / (1 − β₁ᵗ)) · v / (√s / √(1 − β₂ᵗ) + ε)`, i.e. `η·v̂ / (√ŝ + ε)`.
    /// `yogi` replaces the second moment by Yogi's additive rule `s ← s − (1 − β₂)·sign(s − d²)·d²`.
    public static func adamStep(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>,
                                lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float,
                                decoupled: Bool, step t: Int, yogi: Bool = false) {
        let c = AdamConstants(lr: lr, beta1: beta1, beta2: beta2, weightDecay: weightDecay, decoupled: decoupled, step: t)
        let b1 = V16(repeating: beta1), r1 = V16(repeating: 1 - beta1), b2 = V16(repeating: beta2)
        let r2 = V16(repeating: 1 - beta2), e = V16(repeating: eps), shrink = V16(repeating: c.shrink)
        let wd = V16(repeating: c.l2), stepSize = V16(repeating: c.stepSize), rootBC2 = V16(repeating: c.rootBC2)
        sweep16(n) { i, m in
            let pv = shrink * load16(p, i, m)
            let d = load16(g, i, m) + wd * pv
            let v = b1 * load16(expAvg, i, m) + r1 * d
            let s0 = load16(expAvgSq, i, m), d2 = d * d
            let s = yogi ? s0 - r2 * sign16(s0 - d2) * d2 : b2 * s0 + r2 * d2
            store16(v, expAvg, i, m)
            store16(s, expAvgSq, i, m)
            store16(pv - stepSize * v / (s.squareRoot() / rootBC2 + e), p, i, m)
        }
    }

    /// Reference `adamStep`.
    public static func adamStepNaive(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                     expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>,
                                     lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float,
                                     decoupled: Bool, step t: Int, yogi: Bool = false) {
        let bc1 = 1 - Float(Foundation.pow(Double(beta1), Double(t)))
        let bc2 = 1 - Float(Foundation.pow(Double(beta2), Double(t)))
        for i in 0..<n {
            if decoupled { p[i] *= 1 - lr * weightDecay }
            let d = decoupled ? g[i] : g[i] + weightDecay * p[i]
            expAvg[i] = beta1 * expAvg[i] + (1 - beta1) * d
            if yogi {
                let d2 = d * d, diff = expAvgSq[i] - d2
                expAvgSq[i] -= (1 - beta2) * (diff > 0 ? 1 : (diff < 0 ? -1 : 0)) * d2
            } else {
                expAvgSq[i] = beta2 * expAvgSq[i] + (1 - beta2) * d * d
            }
            let vHat = expAvg[i] / bc1, sHat = expAvgSq[i] / bc2
            p[i] -= lr * vHat / (sHat.squareRoot() + eps)
        }
    }

    /// The per-step scalars of `adamStep`, computed once per step in Double.
    struct AdamConstants {
        var shrink: Float, l2: Float, stepSize: Float, rootBC2: Float
        init(lr: Float, beta1: Float, beta2: Float, weightDecay: Float, decoupled: Bool, step t: Int) {
            let bc1 = 1 - Foundation.pow(Double(beta1), Double(t))
            let bc2 = 1 - Foundation.pow(Double(beta2), Double(t))
            shrink = decoupled ? 1 - lr * weightDecay : 1
            l2 = decoupled ? 0 : weightDecay
            stepSize = Float(Double(lr) / bc1)
            rootBC2 = Float(bc2.squareRoot())
        }
    }

    // MARK: The bandwidth yardstick

    /// `dst ← src`, 16 lanes at a time, split over cores: the memory bandwidth an optimizer
    /// sweep is measured against (`Benchmarks optim`).
    public static func copy(_ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        sweep16(n) { i, m in store16(load16(src, i, m), dst, i, m) }
    }
}
