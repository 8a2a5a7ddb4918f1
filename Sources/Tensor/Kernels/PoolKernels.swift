/// Pooling kernels (book §6.5), NCHW layout, one independent job per `(n, c)` plane.
///
///     max: out[p, oy, ox] = max_{ky, kx} x[p, oy·sh + ky − ph, ox·sw + kx − pw]   (padding reads −∞)
///     avg: out[p, oy, ox] = (1 / (kh·kw)) · Σ_{ky, kx} x[…]                       (padding reads 0 and counts)
///
/// Max pooling remembers the flat in-plane index of the first maximum of each window (as
/// PyTorch does) so the backward pass routes each gradient there; a NaN anywhere in a window
/// makes its output NaN (PyTorch's rule `v > max || isnan(v)`: the last NaN's index); average pooling spreads
/// `g / (kh·kw)` over its window. 2×2 windows with stride 2 and no padding (LeNet, VGG) have
/// SIMD fast paths that read 32 input columns of two rows and produce 16 outputs at once.
extension Kernels {
    @inline(__always)
    static func isPool2x2(_ g: ConvGeometry) -> Bool {
        g.kernelH == 2 && g.kernelW == 2 && g.strideH == 2 && g.strideW == 2 && g.padH == 0 && g.padW == 0
    }

    // MARK: Max pooling

    /// `out (N, C, Ho, Wo)` = window maxima of `x (N, C, H, W)`; `argmax` gets the in-plane
    /// index `iy·W + ix` of each (first) maximum.
    public static func maxPool2dForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                        _ argmax: UnsafeMutablePointer<Int32>, _ g: ConvGeometry) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let planes = g.batch &* g.channels
        let fast = isPool2x2(g), simd = maxPoolSIMDColumns(g)
        if !fast && simd.hi &- simd.lo < 16 && H &* Wo <= maxPoolSeparableLimit
            && g.padH < g.kernelH && g.padW < g.kernelW {
            // Rows too short for the vector windows: two 1-D passes per plane.
            let vector = g.strideW <= 2, WoPad = (Wo &+ 7) & ~7
            Parallel.forRanges(planes, minChunk: max(1, 16_384 / max(H &* W, 1))) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: H &* WoPad &+ 2 &* WoPad &+ g.kernelW &+ 16) { rowMax in
                    withUnsafeTemporaryAllocation(of: Int32.self, capacity: H &* WoPad) { rowArg in
                        for p in range {
                            if vector {
                                maxPoolSeparableSIMD(x + p &* H &* W, out + p &* Ho &* Wo, argmax + p &* Ho &* Wo, g,
                                                     rowMax: rowMax.baseAddress!, rowArg: rowArg.baseAddress!,
                                                     paddedRow: rowMax.baseAddress! + H &* WoPad)
                            } else {
                                maxPoolSeparable(x + p &* H &* W, out + p &* Ho &* Wo, argmax + p &* Ho &* Wo, g,
                                                 rowMax: rowMax.baseAddress!, rowArg: rowArg.baseAddress!)
                            }
                        }
                    }
                }
            }
            return
        }
        Parallel.forRanges(planes, minChunk: max(1, 16_384 / max(H &* W, 1))) { range in
            for p in range {
                let xp = x + p &* H &* W, op = out + p &* Ho &* Wo, ip = argmax + p &* Ho &* Wo
                for oy in 0..<Ho {
                    var ox = 0
                    if fast {
                        let r0 = UnsafeRawPointer(xp + 2 &* oy &* W), r1 = UnsafeRawPointer(xp + (2 &* oy &+ 1) &* W)
                        let lane = SIMD16<Int32>(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
                        let w = Int32(truncatingIfNeeded: W)
                        while 2 &* (ox &+ 16) <= W {
                            let u = r0.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD32<Float>.self)
                            let v = r1.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD32<Float>.self)
                            let base = lane &+ Int32(truncatingIfNeeded: 2 &* oy &* W &+ 2 &* ox)
                            let (m, i) = max2x2(u.evenHalf, u.oddHalf, v.evenHalf, v.oddHalf, base: base, w: w)
                            UnsafeMutableRawPointer(op + oy &* Wo).storeBytes(of: m, toByteOffset: 4 &* ox, as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(ip + oy &* Wo).storeBytes(of: i, toByteOffset: 4 &* ox, as: SIMD16<Int32>.self)
                            ox &+= 16
                        }
                        if ox &+ 8 <= Wo {
                            // 8 outputs from 16 columns (LeNet's 28-wide rows end here).
                            let u = r0.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD16<Float>.self)
                            let v = r1.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD16<Float>.self)
                            let base = lane &+ Int32(truncatingIfNeeded: 2 &* oy &* W &+ 2 &* ox)
                            @inline(__always) func wide(_ x: SIMD8<Float>) -> SIMD16<Float> { SIMD16(lowHalf: x, highHalf: .zero) }
                            let (m, i) = max2x2(wide(u.evenHalf), wide(u.oddHalf), wide(v.evenHalf), wide(v.oddHalf), base: base, w: w)
                            UnsafeMutableRawPointer(op + oy &* Wo).storeBytes(of: m.lowHalf, toByteOffset: 4 &* ox, as: SIMD8<Float>.self)
                            UnsafeMutableRawPointer(ip + oy &* Wo).storeBytes(of: i.lowHalf, toByteOffset: 4 &* ox, as: SIMD8<Int32>.self)
                            ox &+= 8
                        }
                        while ox < Wo {   // remaining 2×2 windows (narrow rows such as LeNet's 10)
                            let i0 = 2 &* oy &* W &+ 2 &* ox
                            let a = xp[i0], b = xp[i0 &+ 1], c = xp[i0 &+ W], d = xp[i0 &+ W &+ 1]
                            var m = a, i = i0
                            if b > m { m = b; i = i0 &+ 1 }
                            if c > m { m = c; i = i0 &+ W }
                            if d > m { m = d; i = i0 &+ W &+ 1 }
                            if (a + b + c + d).isNaN {
                                // Rare (a NaN, or +∞ beside −∞): redo the window with the NaN rule.
                                m = a; i = i0
                                for (v, k) in [(b, i0 &+ 1), (c, i0 &+ W), (d, i0 &+ W &+ 1)] where v > m || v.isNaN { m = v; i = k }
                            }
                            op[oy &* Wo &+ ox] = m
                            ip[oy &* Wo &+ ox] = Int32(truncatingIfNeeded: i)
                            ox &+= 1
                        }
                    }
                    while ox < Wo {
                        if ox >= simd.lo && ox &+ 16 <= simd.hi,
                           let (m, i) = maxPoolWindows16(xp, g, oy: oy, ox: ox) {
                            UnsafeMutableRawPointer(op + oy &* Wo).storeBytes(of: m, toByteOffset: 4 &* ox, as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(ip + oy &* Wo).storeBytes(of: i, toByteOffset: 4 &* ox, as: SIMD16<Int32>.self)
                            ox &+= 16
                            continue
                        }
                        var best = -Float.infinity, bestIndex = -1
                        for ky in 0..<g.kernelH {
                            let iy = oy &* g.strideH &+ ky &- g.padH
                            if iy < 0 || iy >= H { continue }
                            for kx in 0..<g.kernelW {
                                let ix = ox &* g.strideW &+ kx &- g.padW
                                if ix < 0 || ix >= W { continue }
                                let v = xp[iy &* W &+ ix]
                                if v > best || bestIndex < 0 || v.isNaN { best = v; bestIndex = iy &* W &+ ix }
                            }
                        }
                        op[oy &* Wo &+ ox] = best
                        ip[oy &* Wo &+ ox] = Int32(truncatingIfNeeded: bestIndex)
                        ox &+= 1
                    }
                }
            }
        }
    }

    /// Largest `H·Wo` (input rows × output columns) of a plane that `maxPoolSeparable` takes; its
    /// two row buffers live on the stack.
    static let maxPoolSeparableLimit = 4096

    /// Max pooling of one plane as two 1-D passes: each input row's window maxima over the output
    /// columns (`rowMax`, with the column of each in `rowArg`, `H × Wo`), then each output's maximum
    /// over its window's rows. Equal to the 2-D loop bit for bit, argmax included: the row-major
    /// first maximum of a window is the first maximum of the topmost row holding the maximum, which
    /// is what "a later value wins only when strictly larger" picks in both passes; and as a NaN
    /// always replaces the running maximum, the last NaN of the last row with a NaN wins, the
    /// window's last NaN in row-major order, as in the 2-D loop. 2 × 3 comparisons per output of a
    /// 3×3 window instead of 9 in nested loops with padding checks: GoogLeNet's pools on 12×12, 6×6
    /// and 3×3 planes (too narrow for `maxPoolWindows16`) were 18 % of its step (perf, Dec 1, AVX2).
    @inline(__always)
    static func maxPoolSeparable(_ xp: UnsafePointer<Float>, _ op: UnsafeMutablePointer<Float>,
                                 _ ip: UnsafeMutablePointer<Int32>, _ g: ConvGeometry,
                                 rowMax: UnsafeMutablePointer<Float>, rowArg: UnsafeMutablePointer<Int32>) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        // Window columns of output column ox (clipped to the row); windows are never empty (pad < kernel).
        for iy in 0..<H {
            let row = xp + iy &* W, rm = rowMax + iy &* Wo, ra = rowArg + iy &* Wo
            for ox in 0..<Wo {
                let c0 = ox &* g.strideW &- g.padW
                let lo = max(0, c0), hi = min(W, c0 &+ g.kernelW)
                var best = row[lo], arg = lo
                var ix = lo &+ 1
                while ix < hi {
                    let v = row[ix]
                    if v > best || v.isNaN { best = v; arg = ix }
                    ix &+= 1
                }
                rm[ox] = best
                ra[ox] = Int32(truncatingIfNeeded: arg)
            }
        }
        for oy in 0..<Ho {
            let r0 = oy &* g.strideH &- g.padH
            let lo = max(0, r0), hi = min(H, r0 &+ g.kernelH)
            let o = op + oy &* Wo, oi = ip + oy &* Wo
            for ox in 0..<Wo {
                var best = rowMax[lo &* Wo &+ ox], arg = lo &* W &+ Int(rowArg[lo &* Wo &+ ox])
                var iy = lo &+ 1
                while iy < hi {
                    let v = rowMax[iy &* Wo &+ ox]
                    if v > best || v.isNaN { best = v; arg = iy &* W &+ Int(rowArg[iy &* Wo &+ ox]) }
                    iy &+= 1
                }
                o[ox] = best
                oi[ox] = Int32(truncatingIfNeeded: arg)
            }
        }
    }

    /// `maxPoolSeparable` with both passes vectorised over 8 output columns at a time, for
    /// horizontal strides 1 and 2 (every max pool of the book's CNNs). Each input row is first
    /// copied into `paddedRow` between −∞ (`pw` before, the rest after), so window column `kx` of
    /// outputs `ox…ox+7` is one load (stride 2: the even lanes of a 16-float load); a lane starts
    /// at −∞ with the index of its first column inside the row, and a candidate replaces it when
    /// larger or NaN — the scalar rule, as vector selects instead of unpredictable branches (the
    /// scalar passes were 3.5 % of a quick AlexNet step, perf, Dec 1). A −∞ pad never replaces anything,
    /// so the maxima and indices are `maxPoolSeparable`'s to the bit (PoolSIMDTests checks both
    /// against the naive 2-D pool with ties, NaNs and −∞ inputs; the scalar passes remain for
    /// strides above 2).
    /// `rowMax`/`rowArg` hold `H × WoPad` (Wo rounded up to 8), `paddedRow` `2·WoPad + kw + 16`.
    @inline(__always)
    static func maxPoolSeparableSIMD(_ xp: UnsafePointer<Float>, _ op: UnsafeMutablePointer<Float>,
                                     _ ip: UnsafeMutablePointer<Int32>, _ g: ConvGeometry,
                                     rowMax: UnsafeMutablePointer<Float>, rowArg: UnsafeMutablePointer<Int32>,
                                     paddedRow: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        typealias I = SIMD8<Int32>
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW, s = g.strideW, pw = g.padW
        let WoPad = (Wo &+ 7) & ~7, padLength = 2 &* WoPad &+ g.kernelW &+ 16
        let lanes = I(0, 1, 2, 3, 4, 5, 6, 7)
        let raw = UnsafeRawPointer(paddedRow)
        paddedRow.update(repeating: -.infinity, count: padLength)
        for iy in 0..<H {
            copySmall(paddedRow + pw, xp + iy &* W, W)
            let rm = UnsafeMutableRawPointer(rowMax + iy &* WoPad), ra = UnsafeMutableRawPointer(rowArg + iy &* WoPad)
            var ox = 0
            while ox < WoPad {
                let c0 = (lanes &+ Int32(truncatingIfNeeded: ox)) &* Int32(truncatingIfNeeded: s) &- Int32(truncatingIfNeeded: pw)
                var best = V(repeating: -.infinity)
                var arg = pointwiseMax(c0, I())   // the first column inside the row (a lane-wise max:
                                                  // `replacing(with: 0, where:)` compiled to a loop over lanes)
                for kx in 0..<g.kernelW {
                    let at = (ox &* s &+ kx) &* 4
                    let v = s == 1 ? raw.loadUnaligned(fromByteOffset: at, as: V.self)
                                   : raw.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self).evenHalf
                    let take = (v .> best) .| (v .!= v)
                    best.replace(with: v, where: take)
                    arg.replace(with: c0 &+ Int32(truncatingIfNeeded: kx), where: take)
                }
                rm.storeBytes(of: best, toByteOffset: ox &* 4, as: V.self)
                ra.storeBytes(of: arg, toByteOffset: ox &* 4, as: I.self)
                ox &+= 8
            }
            (paddedRow + pw).update(repeating: -.infinity, count: W)
        }
        let w32 = I(repeating: Int32(truncatingIfNeeded: W))
        for oy in 0..<Ho {
            let r0 = oy &* g.strideH &- g.padH
            let lo = max(0, r0), hi = min(H, r0 &+ g.kernelH)
            var ox = 0
            while ox < Wo {
                let first = lo &* WoPad &+ ox
                var best = UnsafeRawPointer(rowMax + first).loadUnaligned(as: V.self)
                var arg = UnsafeRawPointer(rowArg + first).loadUnaligned(as: I.self) &+ Int32(truncatingIfNeeded: lo) &* w32
                var iy = lo &+ 1
                while iy < hi {
                    let at = iy &* WoPad &+ ox
                    let v = UnsafeRawPointer(rowMax + at).loadUnaligned(as: V.self)
                    let take = (v .> best) .| (v .!= v)
                    best.replace(with: v, where: take)
                    let a = UnsafeRawPointer(rowArg + at).loadUnaligned(as: I.self) &+ Int32(truncatingIfNeeded: iy) &* w32
                    arg.replace(with: a, where: take)
                    iy &+= 1
                }
                let n = min(8, Wo &- ox)
                if n == 8 {
                    UnsafeMutableRawPointer(op + (oy &* Wo &+ ox)).storeBytes(of: best, as: V.self)
                    UnsafeMutableRawPointer(ip + (oy &* Wo &+ ox)).storeBytes(of: arg, as: I.self)
                } else {
                    for l in 0..<n { op[oy &* Wo &+ ox &+ l] = best[l]; ip[oy &* Wo &+ ox &+ l] = arg[l] }
                }
                ox &+= 8
            }
        }
    }

    /// The output columns `lo..<hi` whose windows `maxPoolWindows16` can read with whole vector
    /// loads: stride 1 or 2 (GoogLeNet's 3×3/1 and the 3×3/2 pools of AlexNet, NiN, GoogLeNet,
    /// ResNet), every column inside the row, and for stride 2 the odd column after the last one too
    /// (a 32-float load keeps the even ones). Empty for other strides.
    static func maxPoolSIMDColumns(_ g: ConvGeometry) -> (lo: Int, hi: Int) {
        guard g.strideH >= 1, g.strideW == 1 || g.strideW == 2 else { return (0, 0) }
        let s = g.strideW
        let lo = (g.padW &+ s &- 1) / s                         // ox·s − pw ≥ 0
        let last = g.width &- g.kernelW &+ g.padW &- (s &- 1)    // ox·s ≤ W − kw + pw − (s − 1)
        let hi = last < 0 ? 0 : min(g.outW, last / s &+ 1)
        return (lo, max(lo, hi))
    }

    /// Maxima of the 16 windows of output row `oy`, columns `ox..<ox+16` (all inside the row, see
    /// `maxPoolSIMDColumns`), with the in-plane index of each first maximum: the taps are visited in
    /// the window's row-major order and a later one wins only when strictly larger, as in the
    /// scalar loop; rows over the padding are skipped. Nil when a window holds a NaN (the scalar
    /// loop then applies PyTorch's NaN rule).
    @inline(__always)
    static func maxPoolWindows16(_ xp: UnsafePointer<Float>, _ g: ConvGeometry, oy: Int, ox: Int)
        -> (SIMD16<Float>, SIMD16<Int32>)? {
        typealias V = SIMD16<Float>
        let H = g.height, W = g.width, s = g.strideW
        let lane = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &* Int32(truncatingIfNeeded: s)
        var m = V(repeating: -.infinity), idx = SIMD16<Int32>(repeating: -1)
        var first = true, nan = SIMDMask<SIMD16<Int32>>(repeating: false)
        for ky in 0..<g.kernelH {
            let iy = oy &* g.strideH &+ ky &- g.padH
            if iy < 0 || iy >= H { continue }
            let row = UnsafeRawPointer(xp + iy &* W)
            for kx in 0..<g.kernelW {
                let col = ox &* s &+ kx &- g.padW
                let v = s == 1 ? row.loadUnaligned(fromByteOffset: col &* 4, as: V.self)
                    : row.loadUnaligned(fromByteOffset: col &* 4, as: SIMD32<Float>.self).evenHalf
                let i = lane &+ Int32(truncatingIfNeeded: iy &* W &+ col)
                nan .|= v .!= v
                if first { m = v; idx = i; first = false; continue }
                let mask = v .> m
                m.replace(with: v, where: mask)
                idx.replace(with: i, where: mask)
            }
        }
        return any(nan) ? nil : (m, idx)
    }

    /// Maxima of 2×2 windows given as their four corners `a b / c d` (lane-wise), with the in-plane
    /// index of the winner (`base` is `a`'s index, `w` the row length): an element replaces the
    /// running maximum when it is larger or NaN (PyTorch's rule: NaN propagates, the last NaN wins),
    /// so ties keep the first maximum. Branch-free.
    @inline(__always)
    static func max2x2(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>, _ d: SIMD16<Float>,
                       base: SIMD16<Int32>, w: Int32) -> (SIMD16<Float>, SIMD16<Int32>) {
        var m = a, i = base
        var mask = b .> m
        m.replace(with: b, where: mask); i.replace(with: base &+ 1, where: mask)
        mask = c .> m
        m.replace(with: c, where: mask); i.replace(with: base &+ w, where: mask)
        mask = d .> m
        m.replace(with: d, where: mask); i.replace(with: base &+ (w &+ 1), where: mask)
        let s = a + b + c + d
        if any(s .!= s) {
            // Rare (a NaN, or +∞ beside −∞, in some window): redo with the NaN rule.
            m = a; i = base
            mask = (b .> m) .| (b .!= b)
            m.replace(with: b, where: mask); i.replace(with: base &+ 1, where: mask)
            mask = (c .> m) .| (c .!= c)
            m.replace(with: c, where: mask); i.replace(with: base &+ w, where: mask)
            mask = (d .> m) .| (d .!= d)
            m.replace(with: d, where: mask); i.replace(with: base &+ (w &+ 1), where: mask)
        }
        return (m, i)
    }

    /// `dx` = each output gradient added at its window's argmax (overwrites `dx`).
    public static func maxPool2dBackward(_ gOut: UnsafePointer<Float>, _ argmax: UnsafePointer<Int32>,
                                         _ dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        let plane = g.height &* g.width, outPlane = g.outH &* g.outW
        Parallel.forRanges(g.batch &* g.channels, minChunk: max(1, 16_384 / max(plane, 1))) { range in
            for p in range {
                let d = dx + p &* plane, gp = gOut + p &* outPlane, ip = argmax + p &* outPlane
                d.update(repeating: 0, count: plane)
                for o in 0..<outPlane { d[Int(ip[o])] += gp[o] }
            }
        }
    }

    // MARK: Average pooling

    /// `out (N, C, Ho, Wo)` = window means of `x (N, C, H, W)`, dividing by `kh·kw` even where
    /// the window covers padding (PyTorch's `count_include_pad=True`).
    public static func avgPool2dForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let scale = 1 / Float(g.kernelH &* g.kernelW)
        let fast = isPool2x2(g)
        Parallel.forRanges(g.batch &* g.channels, minChunk: max(1, 16_384 / max(H &* W, 1))) { range in
            for p in range {
                let xp = x + p &* H &* W, op = out + p &* Ho &* Wo
                for oy in 0..<Ho {
                    var ox = 0
                    if fast {
                        let r0 = UnsafeRawPointer(xp + 2 &* oy &* W), r1 = UnsafeRawPointer(xp + (2 &* oy &+ 1) &* W)
                        while 2 &* (ox &+ 16) <= W {
                            let s = r0.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD32<Float>.self)
                                + r1.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD32<Float>.self)
                            UnsafeMutableRawPointer(op + oy &* Wo).storeBytes(of: (s.evenHalf + s.oddHalf) * 0.25,
                                                                              toByteOffset: 4 &* ox, as: SIMD16<Float>.self)
                            ox &+= 16
                        }
                        if ox &+ 8 <= Wo {
                            // 8 outputs from 16 columns (LeNet's 14- and 5-wide rows end here).
                            let s = r0.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD16<Float>.self)
                                + r1.loadUnaligned(fromByteOffset: 8 &* ox, as: SIMD16<Float>.self)
                            UnsafeMutableRawPointer(op + oy &* Wo).storeBytes(of: (s.evenHalf + s.oddHalf) * 0.25,
                                                                              toByteOffset: 4 &* ox, as: SIMD8<Float>.self)
                            ox &+= 8
                        }
                        while ox < Wo {
                            let i0 = 2 &* oy &* W &+ 2 &* ox
                            op[oy &* Wo &+ ox] = (xp[i0] + xp[i0 &+ 1] + xp[i0 &+ W] + xp[i0 &+ W &+ 1]) * 0.25
                            ox &+= 1
                        }
                    }
                    while ox < Wo {
                        var s: Float = 0
                        for ky in 0..<g.kernelH {
                            let iy = oy &* g.strideH &+ ky &- g.padH
                            if iy < 0 || iy >= H { continue }
                            for kx in 0..<g.kernelW {
                                let ix = ox &* g.strideW &+ kx &- g.padW
                                if ix >= 0 && ix < W { s += xp[iy &* W &+ ix] }
                            }
                        }
                        op[oy &* Wo &+ ox] = s * scale
                        ox &+= 1
                    }
                }
            }
        }
    }

    /// `dx` = each output gradient divided by `kh·kw`, added over its window (overwrites `dx`).
    public static func avgPool2dBackward(_ gOut: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let scale = 1 / Float(g.kernelH &* g.kernelW)
        let fast = isPool2x2(g)
        Parallel.forRanges(g.batch &* g.channels, minChunk: max(1, 16_384 / max(H &* W, 1))) { range in
            for p in range {
                let d = dx + p &* H &* W, gp = gOut + p &* Ho &* Wo
                // 2×2 windows that tile the plane write every element; otherwise start from zero.
                if !(fast && H == 2 &* Ho && W == 2 &* Wo) { d.update(repeating: 0, count: H &* W) }
                for oy in 0..<Ho {
                    var ox = 0
                    if fast {
                        // Each output feeds a disjoint 2×2 block: interleave g/4 with itself
                        // into 32 columns of both rows.
                        let r0 = UnsafeMutableRawPointer(d + 2 &* oy &* W), r1 = UnsafeMutableRawPointer(d + (2 &* oy &+ 1) &* W)
                        while 2 &* (ox &+ 16) <= W {
                            let v = UnsafeRawPointer(gp + oy &* Wo).loadUnaligned(fromByteOffset: 4 &* ox, as: SIMD16<Float>.self) * 0.25
                            var s = SIMD32<Float>()
                            s.evenHalf = v; s.oddHalf = v
                            r0.storeBytes(of: s, toByteOffset: 8 &* ox, as: SIMD32<Float>.self)
                            r1.storeBytes(of: s, toByteOffset: 8 &* ox, as: SIMD32<Float>.self)
                            ox &+= 16
                        }
                        if ox &+ 8 <= Wo {
                            let v = UnsafeRawPointer(gp + oy &* Wo).loadUnaligned(fromByteOffset: 4 &* ox, as: SIMD8<Float>.self) * 0.25
                            var s = SIMD16<Float>()
                            s.evenHalf = v; s.oddHalf = v
                            r0.storeBytes(of: s, toByteOffset: 8 &* ox, as: SIMD16<Float>.self)
                            r1.storeBytes(of: s, toByteOffset: 8 &* ox, as: SIMD16<Float>.self)
                            ox &+= 8
                        }
                        while ox < Wo {
                            let i0 = 2 &* oy &* W &+ 2 &* ox, v = gp[oy &* Wo &+ ox] * 0.25
                            d[i0] = v; d[i0 &+ 1] = v; d[i0 &+ W] = v; d[i0 &+ W &+ 1] = v
                            ox &+= 1
                        }
                    }
                    while ox < Wo {
                        let v = gp[oy &* Wo &+ ox] * scale
                        for ky in 0..<g.kernelH {
                            let iy = oy &* g.strideH &+ ky &- g.padH
                            if iy < 0 || iy >= H { continue }
                            for kx in 0..<g.kernelW {
                                let ix = ox &* g.strideW &+ kx &- g.padW
                                if ix >= 0 && ix < W { d[iy &* W &+ ix] += v }
                            }
                        }
                        ox &+= 1
                    }
                }
            }
        }
    }

    // MARK: Global average pooling

    /// `out[p] = mean of plane p` for `planes` planes of `plane` elements (SIMD sums).
    public static func globalAvgPoolForward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                            planes: Int, plane: Int) {
        let scale = 1 / Float(plane)
        Parallel.forRanges(planes, minChunk: max(1, 65_536 / max(plane, 1))) { range in
            for p in range { out[p] = sumRow(x + p &* plane, plane) * scale }
        }
    }

    /// `dx[p, i] = g[p] / plane` (overwrites `dx`).
    public static func globalAvgPoolBackward(_ gOut: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                             planes: Int, plane: Int) {
        let scale = 1 / Float(plane)
        Parallel.forRanges(planes, minChunk: max(1, 65_536 / max(plane, 1))) { range in
            for p in range { (dx + p &* plane).update(repeating: gOut[p] * scale, count: plane) }
        }
    }

    // MARK: Naive references

    /// Reference pooling: the definition with 4-D index math; `max` picks the first largest (or last NaN)
    /// element of each window, average divides by `kh·kw`. Fills `out` and, given `gOut`, `dx`.
    public static func pool2dNaive(max isMax: Bool, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                   gOut: UnsafePointer<Float>?, dx: UnsafeMutablePointer<Float>?, _ g: ConvGeometry) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        dx?.update(repeating: 0, count: g.batch * g.channels * H * W)
        for n in 0..<g.batch {
            for c in 0..<g.channels {
                let plane = (n * g.channels + c) * H * W
                for oy in 0..<Ho {
                    for ox in 0..<Wo {
                        var window: [Int] = []   // flat indices of the real (unpadded) elements
                        for ky in 0..<g.kernelH {
                            for kx in 0..<g.kernelW {
                                let iy = oy * g.strideH + ky - g.padH, ix = ox * g.strideW + kx - g.padW
                                if iy >= 0 && iy < H && ix >= 0 && ix < W { window.append(plane + iy * W + ix) }
                            }
                        }
                        let o = ((n * g.channels + c) * Ho + oy) * Wo + ox
                        if isMax {
                            var best = window[0]
                            for i in window where x[i] > x[best] || x[i].isNaN { best = i }
                            out[o] = x[best]
                            if let gOut, let dx { dx[best] += gOut[o] }
                        } else {
                            let k = Double(g.kernelH * g.kernelW)
                            out[o] = Float(window.reduce(0.0) { $0 + Double(x[$1]) } / k)
                            if let gOut, let dx { for i in window { dx[i] += gOut[o] / Float(k) } }
                        }
                    }
                }
            }
        }
    }
}
