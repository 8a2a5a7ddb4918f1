import Foundation

/// Fused gate kernels of the recurrent cells (book §8.4 RNN, §9.1 GRU, §9.2 LSTM) in PyTorch's
/// layout: one call computes every gate and the new state of one time step for a whole batch,
/// and its backward turns the state gradients into the gradients of the gate pre-activations.
///
/// Shapes (row-major, contiguous): `gx` and `gh` are the input and hidden projections `x·W_ihᵀ`
/// and `h·W_hhᵀ`, `(B, G·H)` with `G` gate blocks of `H` columns each, in PyTorch's order (GRU:
/// r, z, n; LSTM: i, f, g, o). `biasX` and `biasH` are `b_ih` and `b_hh` `(G·H)`, or nil when
/// `gx` and `gh` already include them (the GRU adds `b_hn` inside `r ⊙ (…)`). States are `(B, H)`.
///
/// Each fast kernel walks a row 16 columns at a time with `SIMD16<Float>` and `gateSigmoid` /
/// `gateTanh` (VectorMath's exp without its edge cases); a row whose width is not a multiple of
/// 16 runs its tail through the same vector code on zero-padded lanes. The `…Naive` kernel beside
/// each one is the scalar reference (Foundation math) that the tests compare it with.
extension Kernels {
    /// The 16-lane float vector of the recurrent and optimizer kernels.
    typealias V16 = SIMD16<Float>

    /// Loads `n ≤ 16` floats (zeros in the other lanes).
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>, _ n: Int) -> V16 {
        if n == 16 { return UnsafeRawPointer(p).loadUnaligned(as: V16.self) }
        var v = V16()
        for l in 0..<n { v[l] = p[l] }
        return v
    }

    /// `b[j..<j+n]`, or zeros without a bias.
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>?, _ n: Int) -> V16 {
        guard let p = p else { return V16() }
        return load16(p, n)
    }

    /// `biasX[j..<j+n] + biasH[j..<j+n]` (a missing bias counts as zeros).
    @inline(__always)
    static func biases16(_ bx: UnsafePointer<Float>?, _ bh: UnsafePointer<Float>?, _ j: Int, _ n: Int) -> V16 {
        load16(bx.map { $0 + j }, n) + load16(bh.map { $0 + j }, n)
    }

    /// `biasX[j] + biasH[j]` for the naive kernels.
    static func biases(_ bx: UnsafePointer<Float>?, _ bh: UnsafePointer<Float>?, _ j: Int) -> Float {
        (bx?[j] ?? 0) + (bh?[j] ?? 0)
    }

    /// Stores the first `n ≤ 16` lanes.
    @inline(__always)
    static func store16(_ v: V16, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
        if n == 16 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self); return }
        for l in 0..<n { p[l] = v[l] }
    }

    /// Calls `body(row, column, lanes)` for every 16-column chunk of a `(batch, hidden)` state.
    /// Each kernel's body is a local function called as `chunk(16)` for a full chunk and
    /// `chunk(lanes)` for a row's tail, so that the full-chunk copy is compiled with a constant
    /// lane count: with a variable count the loads, stores and optional biases compiled into mixed
    /// vector and scalar code, and an LSTM forward step (32 × 256) took 88 µs instead of 35 on AVX2
    /// (a stand-alone copy of the kernel, Dec 1).
    /// Rows are independent, so a call with enough work (at least 4096 elements per thread, some
    /// 30 µs of LSTM gates) splits them over the threads.
    @inline(__always)
    static func forEachChunk(batch: Int, hidden: Int, _ body: (Int, Int, Int) -> Void) {
        Parallel.forRanges(batch, minChunk: max(1, 4096 / max(hidden, 1))) { rows in
            for b in rows {
                var j = 0
                while j < hidden {
                    body(b, j, min(16, hidden &- j))
                    j &+= 16
                }
            }
        }
    }

    @inline(__always) static func sigmoidScalar(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }

    /// `eˣ` for the gate nonlinearities: `VectorMath.exp`'s `2ⁿ·eʳ` (`expParts`) on `x` clamped
    /// to [−87, 88], without its subnormal and overflow cases, which σ and tanh do not need (they
    /// saturate long before). The clamp compares and blends (a NaN fails both tests and stays NaN);
    /// `pointwiseMin`/`pointwiseMax` were not inlined here and cost a call per vector.
    @_transparent
    static func gateExp(_ x: V16) -> V16 {
        var xc = x.replacing(with: -87, where: x .< -87)
        xc.replace(with: 88, where: xc .> 88)
        let (n, er) = VectorMath.expParts(xc)
        return er * VectorMath.pow2(n)
    }

    /// `σ(x) = 1 / (1 + e^{−x})` for the gates. `@_transparent` (not `@inline(__always)`, which the
    /// optimizer did not honour in every cell kernel: on AVX2 the calls passed each `SIMD16` in four
    /// xmm registers, and the LSTM step took 18–20 ms instead of 16.3–16.6, Dec 1).
    @_transparent
    static func gateSigmoid(_ x: V16) -> V16 {
        1 / (1 + gateExp(-x))
    }

    /// `tanh x = 2σ(2x) − 1` for the gates: one exponential and one division (absolute error
    /// about 1e-7, which is what a state in (−1, 1) needs).
    @_transparent
    static func gateTanh(_ x: V16) -> V16 {
        let s = gateSigmoid(x + x)
        return s + s - 1
    }

    // MARK: RNN (tanh), book §8.4: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)

    /// `h = tanh(gx + gh + biasX + biasH)`, all `(B, H)`.
    public static func rnnTanhCellForward(h: UnsafeMutablePointer<Float>, gx: UnsafePointer<Float>,
                                          gh: UnsafePointer<Float>, biasX: UnsafePointer<Float>?, biasH: UnsafePointer<Float>?,
                                          batch: Int, hidden: Int) {
        forEachChunk(batch: batch, hidden: hidden) { b, j, lanes in
            @inline(__always) func chunk(_ n: Int) {
                let o = b &* hidden &+ j
                let pre = load16(gx + o, n) + load16(gh + o, n) + biases16(biasX, biasH, j, n)
                store16(gateTanh(pre), h + o, n)
            }
            if lanes == 16 { chunk(16) } else { chunk(lanes) }   // (see forEachChunk)
        }
    }

    public static func rnnTanhCellForwardNaive(h: UnsafeMutablePointer<Float>, gx: UnsafePointer<Float>,
                                               gh: UnsafePointer<Float>, biasX: UnsafePointer<Float>?, biasH: UnsafePointer<Float>?,
                                               batch: Int, hidden: Int) {
        for b in 0..<batch {
            for j in 0..<hidden {
                let o = b * hidden + j
                h[o] = Foundation.tanh(gx[o] + gh[o] + biases(biasX, biasH, j))
            }
        }
    }

    /// `dPre = dh·(1 − h²)`: the gradient of the pre-activation (of `gx`, of `gh`, and summed
    /// over the batch of `b_hh`), all `(B, H)`.
    public static func rnnTanhCellBackward(dPre: UnsafeMutablePointer<Float>, h: UnsafePointer<Float>,
                                           dh: UnsafePointer<Float>, batch: Int, hidden: Int) {
        forEachChunk(batch: batch, hidden: hidden) { b, j, lanes in
            @inline(__always) func chunk(_ n: Int) {
                let o = b &* hidden &+ j
                let hv = load16(h + o, n)
                store16(load16(dh + o, n) * (1 - hv * hv), dPre + o, n)
            }
            if lanes == 16 { chunk(16) } else { chunk(lanes) }   // (see forEachChunk)
        }
    }

    public static func rnnTanhCellBackwardNaive(dPre: UnsafeMutablePointer<Float>, h: UnsafePointer<Float>,
                                                dh: UnsafePointer<Float>, batch: Int, hidden: Int) {
        for o in 0..<(batch * hidden) { dPre[o] = dh[o] * (1 - h[o] * h[o]) }
    }

    // MARK: GRU, book §9.1 with PyTorch's reset placement:
    // r = σ(gx_r + gh_r + b_r), z = σ(gx_z + gh_z + b_z), n = tanh(gx_n + r ⊙ (gh_n + b_n)),
    // h' = (1 − z) ⊙ n + z ⊙ h

    /// One GRU step. `gx`, `gh` are `(B, 3H)`; writes `h` `(B, H)` and `saved` `(B, 4H)` =
    /// `[r, z, n, gh_n + b_n]` per row, what the backward needs.
    public static func gruCellForward(h: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
                                      gx: UnsafePointer<Float>, gh: UnsafePointer<Float>, biasX: UnsafePointer<Float>?, biasH: UnsafePointer<Float>?,
                                      hPrev: UnsafePointer<Float>, batch: Int, hidden: Int) {
        let hd = hidden
        forEachChunk(batch: batch, hidden: hidden) { b, j, lanes in
            @inline(__always) func chunk(_ n: Int) {
                let g = b &* 3 &* hd &+ j, s = b &* 4 &* hd &+ j, o = b &* hd &+ j
                let r = gateSigmoid(load16(gx + g, n) + load16(gh + g, n) + biases16(biasX, biasH, j, n))
                let z = gateSigmoid(load16(gx + (g &+ hd), n) + load16(gh + (g &+ hd), n)
                                           + biases16(biasX, biasH, j &+ hd, n))
                let hn = load16(gh + (g &+ 2 &* hd), n) + load16(biasH.map { $0 + (j &+ 2 &* hd) }, n)
                let xn = load16(gx + (g &+ 2 &* hd), n) + load16(biasX.map { $0 + (j &+ 2 &* hd) }, n)
                let nv = gateTanh(xn.addingProduct(r, hn))
                let hp = load16(hPrev + o, n)
                store16(nv.addingProduct(z, hp - nv), h + o, n)
                store16(r, saved + s, n)
                store16(z, saved + (s &+ hd), n)
                store16(nv, saved + (s &+ 2 &* hd), n)
                store16(hn, saved + (s &+ 3 &* hd), n)
            }
            if lanes == 16 { chunk(16) } else { chunk(lanes) }   // (see forEachChunk)
        }
    }

    public static func gruCellForwardNaive(h: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>,
                                           gx: UnsafePointer<Float>, gh: UnsafePointer<Float>, biasX: UnsafePointer<Float>?, biasH: UnsafePointer<Float>?,
                                           hPrev: UnsafePointer<Float>, batch: Int, hidden: Int) {
        let H = hidden
        for b in 0..<batch {
            for j in 0..<H {
                let g = b * 3 * H + j, s = b * 4 * H + j
                let r = sigmoidScalar(gx[g] + gh[g] + biases(biasX, biasH, j))
                let z = sigmoidScalar(gx[g + H] + gh[g + H] + biases(biasX, biasH, j + H))
                let hn = gh[g + 2 * H] + (biasH?[j + 2 * H] ?? 0)
                let nv = Foundation.tanh(gx[g + 2 * H] + (biasX?[j + 2 * H] ?? 0) + r * hn)
                h[b * H + j] = (1 - z) * nv + z * hPrev[b * H + j]
                saved[s] = r; saved[s + H] = z; saved[s + 2 * H] = nv; saved[s + 3 * H] = hn
            }
        }
    }

    /// GRU step backward from `dh` `(B, H)`: `dGx`, `dGh` `(B, 3H)` are the gradients of the
    /// pre-activations on the input side (`gx`) and hidden side (`gh + b_hh`; they differ in the
    /// n block by the factor r), and `dhPrev = dh ⊙ z`, the direct part of the previous state's
    /// gradient (the caller adds `dGh·W_hh`).
    public static func gruCellBackward(dGx: UnsafeMutablePointer<Float>, dGh: UnsafeMutablePointer<Float>,
                                       dhPrev: UnsafeMutablePointer<Float>, saved: UnsafePointer<Float>,
                                       hPrev: UnsafePointer<Float>, dh: UnsafePointer<Float>, batch: Int, hidden: Int) {
        let hd = hidden
        forEachChunk(batch: batch, hidden: hidden) { b, j, lanes in
            @inline(__always) func chunk(_ n: Int) {
                let g = b &* 3 &* hd &+ j, s = b &* 4 &* hd &+ j, o = b &* hd &+ j
                let r = load16(saved + s, n), z = load16(saved + (s &+ hd), n)
                let nv = load16(saved + (s &+ 2 &* hd), n), hn = load16(saved + (s &+ 3 &* hd), n)
                let dhv = load16(dh + o, n), hp = load16(hPrev + o, n)
                let dnPre = dhv * (1 - z) * (1 - nv * nv)
                let dzPre = dhv * (hp - nv) * z * (1 - z)
                let drPre = dnPre * hn * r * (1 - r)
                store16(drPre, dGx + g, n); store16(drPre, dGh + g, n)
                store16(dzPre, dGx + (g &+ hd), n); store16(dzPre, dGh + (g &+ hd), n)
                store16(dnPre, dGx + (g &+ 2 &* hd), n); store16(dnPre * r, dGh + (g &+ 2 &* hd), n)
                store16(dhv * z, dhPrev + o, n)
            }
            if lanes == 16 { chunk(16) } else { chunk(lanes) }   // (see forEachChunk)
        }
    }

    public static func gruCellBackwardNaive(dGx: UnsafeMutablePointer<Float>, dGh: UnsafeMutablePointer<Float>,
                                            dhPrev: UnsafeMutablePointer<Float>, saved: UnsafePointer<Float>,
                                            hPrev: UnsafePointer<Float>, dh: UnsafePointer<Float>, batch: Int, hidden: Int) {
        let H = hidden
        for b in 0..<batch {
            for j in 0..<H {
                let g = b * 3 * H + j, s = b * 4 * H + j, o = b * H + j
                let r = saved[s], z = saved[s + H], nv = saved[s + 2 * H], hn = saved[s + 3 * H]
                // h' = (1 − z)·n + z·h
                let dn = dh[o] * (1 - z), dz = dh[o] * (hPrev[o] - nv)
                let dnPre = dn * (1 - nv * nv)
                let dr = dnPre * hn
                dGx[g] = dr * r * (1 - r); dGh[g] = dGx[g]
                dGx[g + H] = dz * z * (1 - z); dGh[g + H] = dGx[g + H]
                dGx[g + 2 * H] = dnPre; dGh[g + 2 * H] = dnPre * r
                dhPrev[o] = dh[o] * z
            }
        }
    }

    // MARK: LSTM, book §9.2: i, f, o = σ(·), g = tanh(·) (the book's C̃), c' = f ⊙ c + i ⊙ g,
    // h' = o ⊙ tanh(c')

    /// One LSTM step. `gx`, `gh` are `(B, 4H)`; writes `h`, `c`, `tanhC` `(B, H)` and `gates`
    /// `(B, 4H)` = `[i, f, g, o]` after their nonlinearities, what the backward needs.
    public static func lstmCellForward(h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>,
                                       gates: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
                                       gx: UnsafePointer<Float>, gh: UnsafePointer<Float>, biasX: UnsafePointer<Float>?, biasH: UnsafePointer<Float>?,
                                       cPrev: UnsafePointer<Float>, batch: Int, hidden: Int) {
        let hd = hidden
        forEachChunk(batch: batch, hidden: hidden) { b, j, lanes in
            @inline(__always) func chunk(_ n: Int) {
                let g = b &* 4 &* hd &+ j, o = b &* hd &+ j
                @inline(__always) func pre(_ k: Int) -> V16 {
                    load16(gx + (g &+ k &* hd), n) + load16(gh + (g &+ k &* hd), n) + biases16(biasX, biasH, j &+ k &* hd, n)
                }
                let iv = gateSigmoid(pre(0)), fv = gateSigmoid(pre(1))
                let gv = gateTanh(pre(2)), ov = gateSigmoid(pre(3))
                let cv = (fv * load16(cPrev + o, n)).addingProduct(iv, gv)
                let tc = gateTanh(cv)
                store16(cv, c + o, n)
                store16(tc, tanhC + o, n)
                store16(ov * tc, h + o, n)
                store16(iv, gates + g, n)
                store16(fv, gates + (g &+ hd), n)
                store16(gv, gates + (g &+ 2 &* hd), n)
                store16(ov, gates + (g &+ 3 &* hd), n)
            }
            if lanes == 16 { chunk(16) } else { chunk(lanes) }   // (see forEachChunk)
        }
    }

    public static func lstmCellForwardNaive(h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>,
                                            gates: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
                                            gx: UnsafePointer<Float>, gh: UnsafePointer<Float>, biasX: UnsafePointer<Float>?, biasH: UnsafePointer<Float>?,
                                            cPrev: UnsafePointer<Float>, batch: Int, hidden: Int) {
        let H = hidden
        for b in 0..<batch {
            for j in 0..<H {
                let g = b * 4 * H + j, o = b * H + j
                func pre(_ k: Int) -> Float { gx[g + k * H] + gh[g + k * H] + biases(biasX, biasH, j + k * H) }
                let iv = sigmoidScalar(pre(0)), fv = sigmoidScalar(pre(1))
                let gv = Foundation.tanh(pre(2)), ov = sigmoidScalar(pre(3))
                c[o] = fv * cPrev[o] + iv * gv
                tanhC[o] = Foundation.tanh(c[o])
                h[o] = ov * tanhC[o]
                gates[g] = iv; gates[g + H] = fv; gates[g + 2 * H] = gv; gates[g + 3 * H] = ov
            }
        }
    }

    /// LSTM step backward. From `dh` and `dc` `(B, H)` (the gradients reaching `h'` and `c'`),
    /// writes `dGates` `(B, 4H)`, the gradient of the pre-activations (equal for `gx`, `gh` and,
    /// summed over the batch, `b_hh`), and `dcPrev = (dc + dh ⊙ o ⊙ (1 − tanh²c')) ⊙ f`.
    /// `dcPrev` may be the same buffer as `dc`.
    public static func lstmCellBackward(dGates: UnsafeMutablePointer<Float>, dcPrev: UnsafeMutablePointer<Float>,
                                        gates: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
                                        cPrev: UnsafePointer<Float>, dh: UnsafePointer<Float>, dc: UnsafePointer<Float>,
                                        batch: Int, hidden: Int) {
        let hd = hidden
        forEachChunk(batch: batch, hidden: hidden) { b, j, lanes in
            @inline(__always) func chunk(_ n: Int) {
                let g = b &* 4 &* hd &+ j, o = b &* hd &+ j
                let iv = load16(gates + g, n), fv = load16(gates + (g &+ hd), n)
                let gv = load16(gates + (g &+ 2 &* hd), n), ov = load16(gates + (g &+ 3 &* hd), n)
                let tc = load16(tanhC + o, n), dhv = load16(dh + o, n)
                let dct = load16(dc + o, n).addingProduct(dhv * ov, 1 - tc * tc)
                store16(dct * gv * iv * (1 - iv), dGates + g, n)
                store16(dct * load16(cPrev + o, n) * fv * (1 - fv), dGates + (g &+ hd), n)
                store16(dct * iv * (1 - gv * gv), dGates + (g &+ 2 &* hd), n)
                store16(dhv * tc * ov * (1 - ov), dGates + (g &+ 3 &* hd), n)
                store16(dct * fv, dcPrev + o, n)
            }
            if lanes == 16 { chunk(16) } else { chunk(lanes) }   // (see forEachChunk)
        }
    }

    public static func lstmCellBackwardNaive(dGates: UnsafeMutablePointer<Float>, dcPrev: UnsafeMutablePointer<Float>,
                                             gates: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
                                             cPrev: UnsafePointer<Float>, dh: UnsafePointer<Float>, dc: UnsafePointer<Float>,
                                             batch: Int, hidden: Int) {
        let H = hidden
        for b in 0..<batch {
            for j in 0..<H {
                let g = b * 4 * H + j, o = b * H + j
                let iv = gates[g], fv = gates[g + H], gv = gates[g + 2 * H], ov = gates[g + 3 * H]
                // h' = o·tanh(c'), c' = f·c + i·g
                let dct = dc[o] + dh[o] * ov * (1 - tanhC[o] * tanhC[o])
                dGates[g] = dct * gv * iv * (1 - iv)
                dGates[g + H] = dct * cPrev[o] * fv * (1 - fv)
                dGates[g + 2 * H] = dct * iv * (1 - gv * gv)
                dGates[g + 3 * H] = dh[o] * tanhC[o] * ov * (1 - ov)
                dcPrev[o] = dct * fv
            }
        }
    }
}
