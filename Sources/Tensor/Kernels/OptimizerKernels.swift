import Foundation

/// Fused in-place optimizer updates (book chapter 11, PyTorch's `torch.optim` rules).
///
/// An optimizer step is a memory-bound sweep: each kernel reads the parameter `p`, its gradient
/// `g` and the optimizer's state buffers once, updates them in registers (16 lanes at a time),
/// and writes `p` and the state back in place: no temporary tensor per parameter. Large buffers
/// are split over cores. Each kernel has a one-element-at-a-time reference (`…Naive`) that the
/// tests compare it with; the last `n mod 16` elements of each core's range run through it.
///
/// Weight decay `λ` is PyTorch's L2 form, `g ← g + λ·p`, folded into the sweep (AdamW's
/// decoupled decay is `p ← p·(1 − η·λ)` before the Adam rule).
extension Kernels {
    // `V16` (SIMD16<Float>) is declared with the recurrent kernels (RecurrentKernels.swift).

    // Each kernel splits `0..<n` over cores with `Parallel.forRanges`, and in each range runs its
    // rule on full blocks of 16 lanes in one loop (written in the closure itself, so the rule is
    // inlined as straight SIMD code; a rule passed as a closure was called once per block), then
    // its naive reference on the last `m < 16` elements.

    /// Elements per core-sized chunk below which a sweep stays on one thread.
    static let sweepChunk = 65_536

    @inline(__always)
    static func loadLanes(_ x: UnsafePointer<Float>, _ i: Int) -> V16 { UnsafeRawPointer(x + i).loadUnaligned(as: V16.self) }

    @inline(__always)
    static func loadLanes(_ x: UnsafeMutablePointer<Float>, _ i: Int) -> V16 { UnsafeRawPointer(x + i).loadUnaligned(as: V16.self) }

    @inline(__always)
    static func storeLanes(_ v: V16, _ x: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(x + i).storeBytes(of: v, as: V16.self)
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
            Parallel.forRanges(n, minChunk: sweepChunk) { r in
                var i = r.lowerBound
                while i &+ 16 <= r.upperBound {
                    let pv = loadLanes(p, i)
                    let d = weightDecay == 0 ? loadLanes(g, i) : loadLanes(g, i) + wd * pv
                    storeLanes(pv - lr16 * d, p, i)
                    i &+= 16
                }
                if i < r.upperBound {
                    let m = r.upperBound &- i
                    sgdStepNaive(m, p + i, g + i, buffer: nil, lr: lr, momentum: momentum, dampening: dampening,
                                 weightDecay: weightDecay, nesterov: nesterov, firstStep: firstStep)
                }
            }
            return
        }
        Parallel.forRanges(n, minChunk: sweepChunk) { r in
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let pv = loadLanes(p, i)
                var d = weightDecay == 0 ? loadLanes(g, i) : loadLanes(g, i) + wd * pv
                let bv = firstStep ? d : mu * loadLanes(b, i) + keep * d
                storeLanes(bv, b, i)
                d = nesterov ? d + mu * bv : bv
                storeLanes(pv - lr16 * d, p, i)
                i &+= 16
            }
            if i < r.upperBound {
                let m = r.upperBound &- i
                sgdStepNaive(m, p + i, g + i, buffer: b + i, lr: lr, momentum: momentum, dampening: dampening,
                             weightDecay: weightDecay, nesterov: nesterov, firstStep: firstStep)
            }
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
        Parallel.forRanges(n, minChunk: sweepChunk) { r in
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let pv = loadLanes(p, i)
                let d = loadLanes(g, i) + wd * pv
                let s = loadLanes(sum, i) + d * d
                storeLanes(s, sum, i)
                storeLanes(pv - lr16 * d / (s.squareRoot() + e), p, i)
                i &+= 16
            }
            if i < r.upperBound {
                let m = r.upperBound &- i
                adagradStepNaive(m, p + i, g + i, sum: sum + i, lr: lr, eps: eps, weightDecay: weightDecay)
            }
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
        let tail = { (i: Int, m: Int) in
            rmspropStepNaive(m, p + i, g + i, squareAvg: squareAvg + i, gradAvg: gradAvg.map { $0 + i },
                             buffer: buffer.map { $0 + i }, lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay,
                             momentum: momentum)
        }
        if gradAvg == nil && buffer == nil {
            // The common (and PyTorch default) case in its own loop: with the optional branches
            // inside, the compiler computed both denominators under masks, twice the work.
            Parallel.forRanges(n, minChunk: sweepChunk) { r in
                var i = r.lowerBound
                while i &+ 16 <= r.upperBound {
                    let pv = loadLanes(p, i)
                    let d = loadLanes(g, i) + wd * pv
                    let s = a16 * loadLanes(squareAvg, i) + r16 * d * d
                    storeLanes(s, squareAvg, i)
                    storeLanes(pv - lr16 * d / (s.squareRoot() + e), p, i)
                    i &+= 16
                }
                if i < r.upperBound {
                    tail(i, r.upperBound &- i)
                }
            }
            return
        }
        Parallel.forRanges(n, minChunk: sweepChunk) { r in
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let pv = loadLanes(p, i)
                let d = loadLanes(g, i) + wd * pv
                let s = a16 * loadLanes(squareAvg, i) + r16 * d * d
                storeLanes(s, squareAvg, i)
                var den: V16
                if let ga = gradAvg {
                    let a = a16 * loadLanes(ga, i) + r16 * d
                    storeLanes(a, ga, i)
                    den = (s - a * a).squareRoot() + e
                } else {
                    den = s.squareRoot() + e
                }
                if let b = buffer {
                    let bv = mu * loadLanes(b, i) + d / den
                    storeLanes(bv, b, i)
                    storeLanes(pv - lr16 * bv, p, i)
                } else {
                    storeLanes(pv - lr16 * d / den, p, i)
                }
                i &+= 16
            }
            if i < r.upperBound {
                tail(i, r.upperBound &- i)
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
    /// `Δ ← ρΔ + (1 − ρ)Δp²`, `p ← p − η·Δp` (ε inside both roots, as in the book; the sweep takes
    /// one root of the quotient, equal to the quotient of the roots up to rounding).
    public static func adadeltaStep(_ n: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                                    squareAvg: UnsafeMutablePointer<Float>, accDelta: UnsafeMutablePointer<Float>,
                                    lr: Float, rho: Float, eps: Float, weightDecay: Float) {
        let lr16 = V16(repeating: lr), wd = V16(repeating: weightDecay), e = V16(repeating: eps)
        let rho16 = V16(repeating: rho), r16 = V16(repeating: 1 - rho)
        Parallel.forRanges(n, minChunk: sweepChunk) { r in
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let pv = loadLanes(p, i)
                let d = loadLanes(g, i) + wd * pv
                let s = rho16 * loadLanes(squareAvg, i) + r16 * d * d
                storeLanes(s, squareAvg, i)
                let acc = loadLanes(accDelta, i)
                let delta = ((acc + e) / (s + e)).squareRoot() * d     // one root and one division
                storeLanes(rho16 * acc + r16 * delta * delta, accDelta, i)
                storeLanes(pv - lr16 * delta, p, i)
                i &+= 16
            }
            if i < r.upperBound {
                let m = r.upperBound &- i
                adadeltaStepNaive(m, p + i, g + i, squareAvg: squareAvg + i, accDelta: accDelta + i, lr: lr, rho: rho, eps: eps,
                              weightDecay: weightDecay)
            }
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
        let wd = V16(repeating: c.l2), stepSize = V16(repeating: c.stepSize), invRootBC2 = V16(repeating: 1 / c.rootBC2)
        Parallel.forRanges(n, minChunk: sweepChunk) { r in
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let pv = shrink * loadLanes(p, i)
                let d = loadLanes(g, i) + wd * pv
                let v = b1 * loadLanes(expAvg, i) + r1 * d
                let s0 = loadLanes(expAvgSq, i), d2 = d * d
                let s = yogi ? s0 - r2 * sign16(s0 - d2) * d2 : b2 * s0 + r2 * d2
                storeLanes(v, expAvg, i)
                storeLanes(s, expAvgSq, i)
                storeLanes(pv - stepSize * v / (s.squareRoot() * invRootBC2 + e), p, i)
                i &+= 16
            }
            if i < r.upperBound {
                let m = r.upperBound &- i
                adamStepNaive(m, p + i, g + i, expAvg: expAvg + i, expAvgSq: expAvgSq + i, lr: lr, beta1: beta1, beta2: beta2,
                          eps: eps, weightDecay: weightDecay, decoupled: decoupled, step: t, yogi: yogi)
            }
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
        Parallel.forRanges(n, minChunk: sweepChunk) { r in
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound { storeLanes(loadLanes(src, i), dst, i); i &+= 16 }
            if i < r.upperBound { let m = r.upperBound &- i
                (dst + i).update(from: src + i, count: m) }
        }
        }
}
