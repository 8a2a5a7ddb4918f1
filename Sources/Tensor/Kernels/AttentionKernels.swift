import Foundation

/// The shapes and masks of one scaled dot-product attention call (book §10.3.2):
/// `N` independent problems (batch × heads), `Q` queries and `K` keys of size `d`, values of
/// size `dv`. Masks, all optional:
/// - `rowLens` (`N·Q` lengths): keys `j ≥ len` of that query row are *replaced* by `−10⁶` (the
///   book's `masked_softmax`);
/// - `additive` (`(Q, K)` shared, or `(N, Q, K)`): added to the scores (PyTorch's float
///   `attn_mask`; `−∞` masks a key, and a row with every key at `−∞` gets zero weights);
/// - `keep` (`(N, Q, K)`): dropout's scaled keep-mask, applied to the weights before the sum.
public struct AttentionProblem {
    public var n: Int, q: Int, k: Int, d: Int, dv: Int
    public var scale: Float
    public var rowLens: [Int]?
    public var additive: UnsafePointer<Float>?
    public var additiveStride: Int
    public var keep: UnsafePointer<Float>?

    public init(n: Int, q: Int, k: Int, d: Int, dv: Int, scale: Float, rowLens: [Int]? = nil,
                additive: UnsafePointer<Float>? = nil, additiveStride: Int = 0, keep: UnsafePointer<Float>? = nil) {
        (self.n, self.q, self.k, self.d, self.dv, self.scale) = (n, q, k, d, dv, scale)
        (self.rowLens, self.additive, self.additiveStride, self.keep) = (rowLens, additive, additiveStride, keep)
    }
}

extension Kernels {

    /// `w[j] = exp(w[j] − m)` for `j < n`, 16 lanes at a time (the tail runs as one padded
    /// vector whose extra lanes are dropped); returns the sum.
    @inline(__always)
    static func attentionExpShifted(_ w: UnsafeMutablePointer<Float>, _ n: Int, by m: Float) -> Float {
        let vm = SIMD16<Float>(repeating: m)
        var acc = SIMD16<Float>()
        var j = 0
        let wr = UnsafeMutableRawPointer(w)
        while j &+ 16 <= n {
            let e = VectorMath.exp(wr.loadUnaligned(fromByteOffset: j &* 4, as: SIMD16<Float>.self) - vm)
            wr.storeBytes(of: e, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            acc += e
            j &+= 16
        }
        while j < n {
            let len = Swift.min(16, n &- j)
            var x = SIMD16<Float>(repeating: m)
            for l in 0..<len { x[l] = w[j &+ l] }
            var e = VectorMath.exp(x - vm)
            for l in len..<16 { e[l] = 0 }
            for l in 0..<len { w[j &+ l] = e[l] }
            acc += e
            j &+= 16
        }
        return acc.sum()
    }

    /// The row lengths as a raw buffer for the parallel loops (indexing the array inside them
    /// would retain and release it per row, from every thread at once).
    static func attentionLengthsCopy(_ p: AttentionProblem) -> UnsafeMutablePointer<Int>? {
        guard let r = p.rowLens else { return nil }
        let buffer = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(r.count, 1))
        buffer.initialize(from: r, count: r.count)
        return buffer
    }

    /// `y[t] += c·x[t]` over `n` floats.
    @inline(__always)
    static func attentionAxpy(_ c: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var t = 0
        if n >= 16 {
            let xr = UnsafeRawPointer(x), yr = UnsafeMutableRawPointer(y), vc = SIMD16<Float>(repeating: c)
            while t &+ 16 <= n {
                let o = t &* 4
                yr.storeBytes(of: yr.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)
                                .addingProduct(vc, xr.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)),
                              toByteOffset: o, as: SIMD16<Float>.self)
                t &+= 16
            }
        }
        while t < n { y[t] += c * x[t]; t &+= 1 }
    }

    /// `x` is one problem's `(k, d)` block (keys or values); writes its transpose `(d, kPad)` to
    /// `xT`, `kPad` = `k` rounded up to 16, the padding columns zero. With it, 16 dot products
    /// `⟨a, x_j⟩` take `d` fused multiply-adds (`attentionRowDots`) instead of 16 horizontal sums
    /// (which dominated for the short heads of a ViT, d = 16).
    @inline(__always)
    static func attentionTranspose(_ x: UnsafePointer<Float>, k: Int, d: Int, kPad: Int, _ xT: UnsafeMutablePointer<Float>) {
        xT.update(repeating: 0, count: d &* kPad)
        for j in 0..<k {
            let xj = x + j &* d
            for t in 0..<d { xT[t &* kPad &+ j] = xj[t] }
        }
    }

    /// `out[j] = ⟨a, x_j⟩` for `j < kPad` from the transpose `xT` `(d, kPad)` (see `attentionTranspose`).
    @inline(__always)
    static func attentionRowDots(_ a: UnsafePointer<Float>, _ xT: UnsafePointer<Float>, d: Int, kPad: Int,
                                 _ out: UnsafeMutablePointer<Float>) {
        let xr = UnsafeRawPointer(xT), orw = UnsafeMutableRawPointer(out)
        var j = 0
        while j < kPad {
            var acc = SIMD16<Float>()
            for t in 0..<d {
                acc = acc.addingProduct(SIMD16<Float>(repeating: a[t]),
                                        xr.loadUnaligned(fromByteOffset: (t &* kPad &+ j) &* 4, as: SIMD16<Float>.self))
            }
            orw.storeBytes(of: acc, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            j &+= 16
        }
    }

    /// `k` rounded up to a multiple of 16.
    @inline(__always)
    static func attentionPadded(_ k: Int) -> Int { (k &+ 15) & ~15 }
    /// Fused forward, one pass per query row: scores `s_j = scale·⟨q, k_j⟩` (+ additive mask,
    /// then the valid-length replacement), `p = softmax(s)` written to `weights`, and
    /// `out = Σ_j p_j·keep_j·v_j`. Rows run in parallel; the scores of a row come 16 keys at a
    /// time from the problem's transposed keys (`attentionRowDots`).
    public static func attentionForward(_ p: AttentionProblem, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                                        v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                        weights: UnsafeMutablePointer<Float>) {
        let rows = p.n &* p.q
        let work = Swift.max(1, p.k &* (p.d &+ p.dv))
        let lens = attentionLengthsCopy(p)
        defer { lens?.deallocate() }
        let kPad = attentionPadded(p.k)
        Parallel.forRanges(rows, minChunk: Swift.max(1, 16_384 / work)) { range in
            // Kᵀ of the current problem (rows of a range are consecutive, so it changes rarely)
            // and the row's raw scores.
            let kT = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(p.d &* kPad, 1))
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(kPad, 1))
            defer { kT.deallocate(); scores.deallocate() }
            var transposed = -1
            for row in range {
                let b = row / p.q, i = row % p.q
                let qi = q + row &* p.d, kb = k + b &* p.k &* p.d, vb = v + b &* p.k &* p.dv
                if b != transposed { attentionTranspose(kb, k: p.k, d: p.d, kPad: kPad, kT); transposed = b }
                attentionRowDots(qi, kT, d: p.d, kPad: kPad, scores)
                let w = weights + row &* p.k
                let mask = p.additive.map { $0 + (b &* p.additiveStride &+ i &* p.k) }
                let len = lens.map { Swift.min(Swift.max($0[row], 0), p.k) } ?? p.k
                var m = -Float.infinity
                for j in 0..<p.k {
                    var s: Float
                    if j >= len {
                        s = Tensor.attentionMaskValue
                    } else {
                        s = scores[j] * p.scale
                        if let mask { s += mask[j] }
                    }
                    w[j] = s
                    m = Swift.max(m, s)
                }
                let o = out + row &* p.dv
                o.update(repeating: 0, count: p.dv)
                if m == -.infinity { w.update(repeating: 0, count: p.k); continue }
                let inv = 1 / attentionExpShifted(w, p.k, by: m)
                for j in 0..<p.k {
                    w[j] *= inv
                    let c = w[j] * (p.keep?[row &* p.k &+ j] ?? 1)
                    if c == 0 { continue }
                    attentionAxpy(c, vb + j &* p.dv, o, p.dv)
                }
            }
        }
    }

    /// Fused backward from the forward's `weights` `P` and the output gradient `G`, per problem
    /// (problems in parallel; each owns its slices of `dk`, `dv`):
    /// `dP̃_ij = ⟨G_i, v_j⟩·keep_ij`, `dS_ij = P_ij(dP̃_ij − Σ_l dP̃_il P_il)` (zero for replaced
    /// scores), `dq_i = scale Σ_j dS_ij k_j`, `dk_j = scale Σ_i dS_ij q_i`,
    /// `dv_j = Σ_i P_ij keep_ij G_i`. All three outputs are overwritten.
    public static func attentionBackward(_ p: AttentionProblem, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                                         v: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                         grad: UnsafePointer<Float>, dq: UnsafeMutablePointer<Float>,
                                         dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>) {
        dq.update(repeating: 0, count: p.n &* p.q &* p.d)
        dk.update(repeating: 0, count: p.n &* p.k &* p.d)
        dv.update(repeating: 0, count: p.n &* p.k &* p.dv)
        let lens = attentionLengthsCopy(p)
        defer { lens?.deallocate() }
        let kPad = attentionPadded(p.k)
        Parallel.forEach(p.n) { b in
            let ds = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(kPad, 1))
            let vT = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(p.dv &* kPad, 1))
            defer { ds.deallocate(); vT.deallocate() }
            let kb = k + b &* p.k &* p.d, vb = v + b &* p.k &* p.dv
            let dkb = dk + b &* p.k &* p.d, dvb = dv + b &* p.k &* p.dv
            attentionTranspose(vb, k: p.k, d: p.dv, kPad: kPad, vT)
            for i in 0..<p.q {
                let row = b &* p.q &+ i
                let g = grad + row &* p.dv, w = weights + row &* p.k, qi = q + row &* p.d, dqi = dq + row &* p.d
                let len = lens.map { Swift.min(Swift.max($0[row], 0), p.k) } ?? p.k
                attentionRowDots(g, vT, d: p.dv, kPad: kPad, ds)            // ds[j] = ⟨G_i, v_j⟩
                var dot: Float = 0
                for j in 0..<p.k {
                    let keep = p.keep?[row &* p.k &+ j] ?? 1
                    let dvj = dvb + j &* p.dv
                    let s = ds[j] * keep
                    ds[j] = s
                    dot += s * w[j]
                    let c = w[j] * keep
                    if c != 0 { attentionAxpy(c, g, dvj, p.dv) }
                }
                for j in 0..<p.k {
                    let s = j >= len ? 0 : w[j] * (ds[j] - dot) * p.scale
                    if s == 0 { continue }
                    let kj = kb + j &* p.d, dkj = dkb + j &* p.d
                    attentionAxpy(s, kj, dqi, p.d)
                    attentionAxpy(s, qi, dkj, p.d)
                }
            }
        }
    }

    /// Reference forward in `Double`, step by step (scores, mask, softmax, weighted sum).
    public static func attentionForwardNaive(_ p: AttentionProblem, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
                                             v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                             weights: UnsafeMutablePointer<Float>) {
        for b in 0..<p.n {
            for i in 0..<p.q {
                let row = b * p.q + i
                var scores = [Double](repeating: 0, count: p.k)
                for j in 0..<p.k {
                    var s = 0.0
                    for t in 0..<p.d { s += Double(q[row * p.d + t]) * Double(k[(b * p.k + j) * p.d + t]) }
                    s *= Double(p.scale)
                    if let a = p.additive { s += Double(a[b * p.additiveStride + i * p.k + j]) }
                    if let lens = p.rowLens, j >= lens[row] { s = Double(Tensor.attentionMaskValue) }
                    scores[j] = s
                }
                let m = scores.max() ?? 0
                let e = scores.map { m == -.infinity ? 0 : Foundation.exp($0 - m) }
                let total = e.reduce(0, +)
                for j in 0..<p.k { weights[row * p.k + j] = Float(total == 0 ? 0 : e[j] / total) }
                for t in 0..<p.dv {
                    var s = 0.0
                    for j in 0..<p.k {
                        let keep = Double(p.keep?[row * p.k + j] ?? 1)
                        s += (total == 0 ? 0 : e[j] / total) * keep * Double(v[(b * p.k + j) * p.dv + t])
                    }
                    out[row * p.dv + t] = Float(s)
                }
            }
        }
    }
}
