/// 2-D convolution kernels (book §6.2–6.4), NCHW layout, weight `[Cout, Cin, kh, kw]`.
///
///     out[n, co, oy, ox] = b[co] + Σ_{ci, ky, kx} w[co, ci, ky, kx] · x[n, ci, oy·sh + ky − ph, ox·sw + kx − pw]
///
/// (a cross-correlation; positions outside the image read zero). Main path (ConvGEMMKernels.swift):
/// lower each image to a column matrix (`im2col`: one row per `(ci, ky, kx)`, one column per output
/// position) so the convolution becomes one GEMM, `out[Cout, P] = W[Cout, K] · cols[K, P]`; the
/// input gradient is the transposed GEMM followed by `col2im`, which adds every column back onto
/// the pixels it was read from. For stride 1 and few channels (LeNet's layers) direct SIMD
/// convolutions are faster (here and in ConvDirectKernels.swift); `convKernels` (ConvSelection.swift)
/// picks. Images are split over cores, each thread with its own buffers.

/// The sizes of one convolution or pooling scan over NCHW images.
public struct ConvGeometry: Equatable, Sendable {
    /// Input batch size, channels, height and width.
    public var batch, channels, height, width: Int
    /// Window (kernel) size, stride and zero padding per spatial axis.
    public var kernelH, kernelW, strideH, strideW, padH, padW: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
                strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padH = padH; self.padW = padW
    }

    /// Output height `⌊(H + 2·ph − kh) / sh⌋ + 1` (book §6.3).
    public var outH: Int { (height + 2 * padH - kernelH) / strideH + 1 }
    /// Output width `⌊(W + 2·pw − kw) / sw⌋ + 1`.
    public var outW: Int { (width + 2 * padW - kernelW) / strideW + 1 }
    /// Rows of the column matrix: `Cin · kh · kw`.
    public var patchSize: Int { channels * kernelH * kernelW }
    /// Output positions per image: `Ho · Wo`.
    public var outPlane: Int { outH * outW }
    /// The range of output columns `ox` whose input column `ox·sw + kx − pw` lies inside the image.
    @inline(__always)
    func validColumns(kx: Int) -> (lo: Int, hi: Int) {
        let shift = kx - padW
        // ox·sw + shift ≥ 0  ⇔  ox ≥ ⌈−shift / sw⌉
        let lo = shift >= 0 ? 0 : (-shift + strideW - 1) / strideW
        // ox·sw + shift ≤ W − 1  ⇔  ox ≤ ⌊(W − 1 − shift) / sw⌋
        let last = width - 1 - shift
        let hi = last < 0 ? 0 : last / strideW + 1
        return (min(lo, outW), max(min(hi, outW), min(lo, outW)))
    }
}

extension Kernels {
    // MARK: im2col / col2im

    /// Lowers one image `x` (Cin, H, W) to `cols` (Cin·kh·kw, Ho·Wo): row `(ci, ky, kx)`,
    /// column `(oy, ox)` holds `x[ci, oy·sh + ky − ph, ox·sw + kx − pw]`, zero outside.
    /// Stride-1 rows are contiguous copies (memcpy, vectorised).
    /// `rowStride` (default `Ho·Wo`) lets several images share one column matrix side by side.
    public static func im2col(_ x: UnsafePointer<Float>, _ g: ConvGeometry, _ cols: UnsafeMutablePointer<Float>,
                              rowStride: Int? = nil) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW, P = rowStride ?? Ho &* Wo
        for ci in 0..<g.channels {
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let row = cols + ((ci &* g.kernelH &+ ky) &* g.kernelW &+ kx) &* P
                    let (lo, hi) = g.validColumns(kx: kx)
                    let shift = kx &- g.padW
                    for oy in 0..<Ho {
                        let d = row + oy &* Wo
                        let iy = oy &* g.strideH &+ ky &- g.padH
                        // Short rows (ResNet's 3–24 wide) are copied inline: a memmove or memset
                        // call costs more than the copy.
                        if iy < 0 || iy >= H {
                            zeroSmall(d, Wo)
                            continue
                        }
                        let src = x + (ci &* H &+ iy) &* W
                        if lo > 0 { zeroSmall(d, lo) }
                        if g.strideW == 1 {
                            if hi > lo { copySmall(d + lo, src + (lo &+ shift), hi &- lo) }
                        } else {
                            var ox = lo
                            while ox < hi { d[ox] = src[ox &* g.strideW &+ shift]; ox &+= 1 }
                        }
                        if hi < Wo { zeroSmall(d + hi, Wo &- hi) }
                    }
                }
            }
        }
    }

    /// Whether `lowerImages` uses `im2colNarrow`: output rows narrower than 16 (ResNet's 3–12,
    /// AlexNet's 12, the quick configurations' 3–7), where `im2col`'s per-row bookkeeping (bounds,
    /// padding, a short copy) costs more than the copy itself.
    @inline(__always)
    static func usesNarrowIm2col(_ g: ConvGeometry) -> Bool { g.outW < 16 }

    /// Floats of scratch `im2colNarrow` needs for `count` images: the zero-padded images
    /// (`Cin · (H + 2ph) · (W + 2pw)` each) and one offset per output position.
    static func im2colNarrowScratch(_ g: ConvGeometry, count: Int) -> Int {
        count &* g.channels &* (g.height &+ 2 &* g.padH) &* (g.width &+ 2 &* g.padW) &+ g.outPlane
    }

    /// `im2col` of images `x[0..<count]` (consecutive, `Cin·H·W` apart) side by side into `cols`
    /// (row stride `rowStride`, image `j` from column `j·Ho·Wo`), for narrow output rows: the
    /// images are first copied into zero-padded planes (`(H + 2ph) × (W + 2pw)`, in `scratch`),
    /// so every tap `(ky, kx)` reads `padded[ci][ky·Wp + kx + off[p]]` with one offset table
    /// `off[oy·Wo + ox] = oy·sh·Wp + ox·sw` for all taps, channels and images — no bounds or
    /// padding tests per row. The same values as `im2col`, which stays the reference.
    static func im2colNarrow(_ x: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                             _ cols: UnsafeMutablePointer<Float>, rowStride: Int,
                             scratch: UnsafeMutablePointer<Float>) {
        let H = g.height, W = g.width, C = g.channels, P = g.outPlane, inPlane = H &* W
        let (padded, off, plane, Wp) = narrowLayout(g, count: count, scratch)
        // Zero-padded copies: border rows and columns zero, interior rows copied.
        for j in 0..<count {
            for ci in 0..<C {
                let d = padded + (j &* C &+ ci) &* plane, s = x + (j &* C &+ ci) &* inPlane
                if g.padH > 0 {
                    zeroSmall(d, g.padH &* Wp)
                    zeroSmall(d + (g.padH &+ H) &* Wp, g.padH &* Wp)
                }
                for y in 0..<H {
                    let row = d + (g.padH &+ y) &* Wp
                    if g.padW > 0 { zeroSmall(row, g.padW); zeroSmall(row + (g.padW &+ W), g.padW) }
                    copySmall(row + g.padW, s + y &* W, W)
                }
            }
        }
        forEachNarrowTap(g, count: count, cols, rowStride: rowStride, padded: padded, plane: plane, Wp: Wp) { d, src in
            var p = 0
            while p &+ 4 <= P {
                d[p] = src[Int(off[p])]; d[p &+ 1] = src[Int(off[p &+ 1])]
                d[p &+ 2] = src[Int(off[p &+ 2])]; d[p &+ 3] = src[Int(off[p &+ 3])]
                p &+= 4
            }
            while p < P { d[p] = src[Int(off[p])]; p &+= 1 }
        }
    }

    /// The scratch layout of `im2colNarrow`/`col2imNarrow`: `count·Cin` zero-padded planes of
    /// `(H + 2ph) × Wp` floats (`Wp = W + 2pw`), then the offset table `off[oy·Wo + ox] =
    /// oy·sh·Wp + ox·sw` (filled here).
    @inline(__always)
    static func narrowLayout(_ g: ConvGeometry, count: Int, _ scratch: UnsafeMutablePointer<Float>)
        -> (padded: UnsafeMutablePointer<Float>, off: UnsafeMutablePointer<Int32>, plane: Int, Wp: Int) {
        let Wp = g.width &+ 2 &* g.padW, plane = (g.height &+ 2 &* g.padH) &* Wp, Wo = g.outW
        let off = UnsafeMutableRawPointer(scratch + count &* g.channels &* plane)
            .bindMemory(to: Int32.self, capacity: g.outPlane)
        for oy in 0..<g.outH { for ox in 0..<Wo { off[oy &* Wo &+ ox] = Int32(oy &* g.strideH &* Wp &+ ox &* g.strideW) } }
        return (scratch, off, plane, Wp)
    }

    /// Calls `body(column, tap)` for each row `(ci, ky, kx)` of the column matrix and each image
    /// `j`: `column` the image's `Ho·Wo` entries of that row, `tap` the image's padded plane `ci`
    /// shifted by `(ky, kx)`, so entry `p` belongs with `tap[off[p]]`.
    @inline(__always)
    static func forEachNarrowTap(_ g: ConvGeometry, count: Int, _ cols: UnsafeMutablePointer<Float>, rowStride: Int,
                                 padded: UnsafeMutablePointer<Float>, plane: Int, Wp: Int,
                                 _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        let C = g.channels, P = g.outPlane, kh = g.kernelH, kw = g.kernelW
        for ci in 0..<C {
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let row = cols + ((ci &* kh &+ ky) &* kw &+ kx) &* rowStride
                    for j in 0..<count { body(row + j &* P, padded + ((j &* C &+ ci) &* plane &+ ky &* Wp &+ kx)) }
                }
            }
        }
    }

    /// The adjoint of `im2colNarrow`, for the same narrow outputs: writes (not adds) into images
    /// `dx[0..<count]` the sums of the columns `cols` (row stride `rowStride`, image `j` from
    /// column `j·Ho·Wo`) over the pixels they were read from. The sums are made in zero-padded
    /// planes in `scratch` (`im2colNarrowScratch` floats), whose interiors are then copied out;
    /// each pixel receives the same additions in the same order as `col2im` into a zeroed image
    /// (taps, then output positions), so the result is the same to the bit.
    static func col2imNarrow(_ cols: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                             _ dx: UnsafeMutablePointer<Float>, rowStride: Int, scratch: UnsafeMutablePointer<Float>) {
        let H = g.height, W = g.width, C = g.channels, P = g.outPlane, inPlane = H &* W
        let (padded, off, plane, Wp) = narrowLayout(g, count: count, scratch)
        padded.update(repeating: 0, count: count &* C &* plane)
        forEachNarrowTap(g, count: count, UnsafeMutablePointer(mutating: cols), rowStride: rowStride,
                         padded: padded, plane: plane, Wp: Wp) { s, d in
            for p in 0..<P { d[Int(off[p])] += s[p] }
        }
        for j in 0..<count {
            for ci in 0..<C {
                let src = padded + ((j &* C &+ ci) &* plane &+ g.padH &* Wp &+ g.padW)
                let d = dx + (j &* C &+ ci) &* inPlane
                for y in 0..<H { copySmall(d + y &* W, src + y &* Wp, W) }
            }
        }
    }

    /// The adjoint of `im2col`: adds every entry of `cols` (Cin·kh·kw, Ho·Wo) onto the pixel
    /// of `dx` (Cin, H, W) it was read from (entries that read padding are dropped).
    public static func col2im(_ cols: UnsafePointer<Float>, _ g: ConvGeometry, _ dx: UnsafeMutablePointer<Float>,
                              rowStride: Int? = nil) {
        let H = g.height, W = g.width, Ho = g.outH, Wo = g.outW, P = rowStride ?? Ho &* Wo
        for ci in 0..<g.channels {
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let row = cols + ((ci &* g.kernelH &+ ky) &* g.kernelW &+ kx) &* P
                    let (lo, hi) = g.validColumns(kx: kx)
                    if hi <= lo { continue }
                    let shift = kx &- g.padW
                    for oy in 0..<Ho {
                        let iy = oy &* g.strideH &+ ky &- g.padH
                        if iy < 0 || iy >= H { continue }
                        let s = row + oy &* Wo
                        let d = dx + (ci &* H &+ iy) &* W
                        if g.strideW == 1 {
                            addSmall(d + (lo &+ shift), s + lo, hi &- lo)
                        } else {
                            var ox = lo
                            while ox < hi { d[ox &* g.strideW &+ shift] += s[ox]; ox &+= 1 }
                        }
                    }
                }
            }
        }
    }

    /// `d[i] = 0` for `i < n`, for short rows (vector stores, the tail overlapping as in `copySmall`).
    @inline(__always)
    static func zeroSmall(_ d: UnsafeMutablePointer<Float>, _ n: Int) {
        let dr = UnsafeMutableRawPointer(d)
        @inline(__always) func zero<V: SIMD>(_: V.Type, _ i: Int) where V.Scalar == Float {
            dr.storeBytes(of: V(), toByteOffset: i &* 4, as: V.self)
        }
        if n >= 16 {
            var i = 0
            while i &+ 16 <= n { zero(SIMD16<Float>.self, i); i &+= 16 }
            if i < n { zero(SIMD16<Float>.self, n &- 16) }
        } else if n >= 8 {
            zero(SIMD8<Float>.self, 0); zero(SIMD8<Float>.self, n &- 8)
        } else if n >= 4 {
            zero(SIMD4<Float>.self, 0); zero(SIMD4<Float>.self, n &- 4)
        } else {
            var i = 0
            while i < n { d[i] = 0; i &+= 1 }
        }
    }

    /// `d[i] += s[i]` for `i < n`, for short rows: SIMD16, then one SIMD8 and one SIMD4 step for
    /// the tail (a 12-wide row is two vector adds, not twelve scalar ones).
    @inline(__always)
    static func addSmall(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int) {
        let dr = UnsafeMutableRawPointer(d), sr = UnsafeRawPointer(s)
        @inline(__always) func add<V: SIMD>(_: V.Type, _ i: Int) where V.Scalar == Float {
            let o = i &* 4
            dr.storeBytes(of: dr.loadUnaligned(fromByteOffset: o, as: V.self) + sr.loadUnaligned(fromByteOffset: o, as: V.self),
                          toByteOffset: o, as: V.self)
        }
        var i = 0
        while i &+ 16 <= n { add(SIMD16<Float>.self, i); i &+= 16 }
        if i &+ 8 <= n { add(SIMD8<Float>.self, i); i &+= 8 }
        if i &+ 4 <= n { add(SIMD4<Float>.self, i); i &+= 4 }
        while i < n { d[i] += s[i]; i &+= 1 }
    }

    /// `p[i] += v` for `i < n` (SIMD).
    @inline(__always)
    static func addScalar(_ p: UnsafeMutablePointer<Float>, _ v: Float, _ n: Int) {
        let raw = UnsafeMutableRawPointer(p)
        let vv = SIMD16<Float>(repeating: v)
        var i = 0
        while i &+ 16 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: a + vv, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n { p[i] += v; i &+= 1 }
    }

    // MARK: Forward

    /// `out (N, Cout, Ho, Wo) = conv(x (N, Cin, H, W), w (Cout, Cin, kh, kw)) + bias (Cout)`,
    /// by the kernel `convKernels` picks; images are spread over cores.
    public static func conv2dForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                     out: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        switch convKernels(g, cout: cout).forward {
        case .direct: conv2dForwardDirect(x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        case .channelVector: conv2dForwardChannelVector(x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        case .gemm: conv2dForwardGEMM(x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        }
    }

    /// Copies the gradients of images `first..<first+count` from NCHW into `(Cout, count·P)`
    /// with row stride `BP`.
    @inline(__always)
    static func gatherOutputGrad(_ gOut: UnsafePointer<Float>, first: Int, count: Int, cout: Int, P: Int,
                                 into t: UnsafeMutablePointer<Float>, rowStride BP: Int) {
        for j in 0..<count {
            for co in 0..<cout {
                let dst: UnsafeMutablePointer<Float> = t + (co &* BP &+ j &* P)
                copySmall(dst, gOut + ((first &+ j) &* cout &+ co) &* P, P)
            }
        }
    }

    /// Direct stride-1 convolution: for each output row and block of 4 output channels (6 when
    /// that divides Cout, e.g. LeNet's first layer), 2×16-lane accumulators per channel sweep
    /// the `(ci, ky, kx)` taps, each tap one broadcast weight times a shifted input row from a
    /// zero-padded copy of the image; kernel rows over the zero border are skipped.
    public static func conv2dForwardDirect(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                           out: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        shapeCheck(g.strideH == 1 && g.strideW == 1,
                   "conv2dForwardDirect: stride 1 only, got stride (\(g.strideH), \(g.strideW))", file: #fileID, line: #line)
        if cout % 6 == 0 {
            conv2dForwardDirect(Count6.self, x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        } else {
            conv2dForwardDirect(Count4.self, x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        }
    }

    @inline(__always)
    static func conv2dForwardDirect<T: StaticCount>(_: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                     bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                                                     _ g: ConvGeometry, cout: Int) {
        typealias V = SIMD16<Float>
        let B = T.value
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let kh = g.kernelH, kw = g.kernelW, taps = Cin &* kh &* kw
        let Hp = H &+ 2 &* g.padH
        let chunks = (Wo &+ 31) / 32           // 32 output columns per register block
        let Wp = chunks &* 32 &+ kw             // padded row length (slack so loads never leave it)
        let blocks = (cout &+ B &- 1) / B
        // Weights repacked as [block][tap][B] (zero for missing channels), so one block's
        // weights of a tap sit together; bias as [block][B].
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: blocks &* taps &* B &+ blocks &* B)
        packed.initialize(repeating: 0, count: blocks &* taps &* B &+ blocks &* B)
        defer { packed.deallocate() }
        let packedBias = packed + blocks &* taps &* B
        for co in 0..<cout {
            for t in 0..<taps { packed[((co / B) &* taps &+ t) &* B &+ co % B] = weight[co &* taps &+ t] }
            if let bias { packedBias[co] = bias[co] }
        }
        let inPlane = Cin &* H &* W, outPlane = Ho &* Wo
        Parallel.forRanges(g.batch, minChunk: 1) { images in
            let xp = UnsafeMutablePointer<Float>.allocate(capacity: Cin &* Hp &* Wp)
            xp.initialize(repeating: 0, count: Cin &* Hp &* Wp)
            let rowBuf = UnsafeMutablePointer<Float>.allocate(capacity: B &* 32)
            defer { xp.deallocate(); rowBuf.deallocate() }
            for n in images {
                let xn = x + n &* inPlane
                for ci in 0..<Cin {
                    for iy in 0..<H {
                        copySmall(xp + ((ci &* Hp &+ iy &+ g.padH) &* Wp &+ g.padW), xn + (ci &* H &+ iy) &* W, W)
                    }
                }
                let on = out + n &* cout &* outPlane
                let raw = UnsafeRawPointer(xp)
                for b in 0..<blocks {
                    let wb = packed + b &* taps &* B, bb = packedBias + b &* B
                    for oy in 0..<Ho {
                        // Kernel rows that read only the zero border are skipped.
                        let kyLo = max(0, g.padH &- oy), kyHi = max(kyLo, min(kh, H &+ g.padH &- oy))
                        for c in 0..<chunks {
                            var a00 = V(repeating: bb[0]), a01 = a00
                            var a10 = V(repeating: bb[1]), a11 = a10
                            var a20 = V(repeating: bb[2]), a21 = a20
                            var a30 = V(repeating: B > 3 ? bb[3] : 0), a31 = a30
                            var a40 = V(repeating: B > 4 ? bb[4] : 0), a41 = a40
                            var a50 = V(repeating: B > 5 ? bb[5] : 0), a51 = a50
                            for ci in 0..<Cin {
                                for ky in kyLo..<kyHi {
                                    let rowOff = ((ci &* Hp &+ oy &+ ky) &* Wp &+ c &* 32) &* 4
                                    var wt = wb + ((ci &* kh &+ ky) &* kw) &* B
                                    for kx in 0..<kw {
                                        let v0 = raw.loadUnaligned(fromByteOffset: rowOff &+ kx &* 4, as: V.self)
                                        let v1 = raw.loadUnaligned(fromByteOffset: rowOff &+ (kx &+ 16) &* 4, as: V.self)
                                        let w0 = V(repeating: wt[0]), w1 = V(repeating: wt[1]), w2 = V(repeating: wt[2])
                                        a00.addProduct(v0, w0); a01.addProduct(v1, w0)
                                        a10.addProduct(v0, w1); a11.addProduct(v1, w1)
                                        a20.addProduct(v0, w2); a21.addProduct(v1, w2)
                                        if B > 3 {
                                            let w3 = V(repeating: wt[3])
                                            a30.addProduct(v0, w3); a31.addProduct(v1, w3)
                                        }
                                        if B > 5 {
                                            let w4 = V(repeating: wt[4]), w5 = V(repeating: wt[5])
                                            a40.addProduct(v0, w4); a41.addProduct(v1, w4)
                                            a50.addProduct(v0, w5); a51.addProduct(v1, w5)
                                        }
                                        wt += B
                                    }
                                }
                            }
                            let rb = UnsafeMutableRawPointer(rowBuf)
                            rb.storeBytes(of: a00, toByteOffset: 0, as: V.self)
                            rb.storeBytes(of: a01, toByteOffset: 64, as: V.self)
                            rb.storeBytes(of: a10, toByteOffset: 128, as: V.self)
                            rb.storeBytes(of: a11, toByteOffset: 192, as: V.self)
                            rb.storeBytes(of: a20, toByteOffset: 256, as: V.self)
                            rb.storeBytes(of: a21, toByteOffset: 320, as: V.self)
                            if B > 3 {
                                rb.storeBytes(of: a30, toByteOffset: 384, as: V.self)
                                rb.storeBytes(of: a31, toByteOffset: 448, as: V.self)
                            }
                            if B > 5 {
                                rb.storeBytes(of: a40, toByteOffset: 512, as: V.self)
                                rb.storeBytes(of: a41, toByteOffset: 576, as: V.self)
                                rb.storeBytes(of: a50, toByteOffset: 640, as: V.self)
                                rb.storeBytes(of: a51, toByteOffset: 704, as: V.self)
                            }
                            let width = min(32, Wo &- c &* 32)
                            for j in 0..<min(B, cout &- B &* b) {
                                let dst: UnsafeMutablePointer<Float> = on + ((B &* b &+ j) &* outPlane &+ oy &* Wo &+ c &* 32)
                                copySmall(dst, rowBuf + j &* 32, width)
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Backward

    /// `dx (N, Cin, H, W) = convᵀ(gOut (N, Cout, Ho, Wo), w)` by the kernel `convKernels` picks.
    /// Overwrites `dx`.
    public static func conv2dBackwardInput(gOut: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                           dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        switch convKernels(g, cout: cout).inputGrad {
        case .direct: conv2dBackwardInputDirect(gOut: gOut, weight: weight, dx: dx, g, cout: cout)
        case .gemm: conv2dBackwardInputGEMM(gOut: gOut, weight: weight, dx: dx, g, cout: cout)
        }
    }

    /// `dw (Cout, Cin, kh, kw) = Σ_{n, oy, ox} gOut · x` (by the kernel `convKernels` picks) and
    /// `db (Cout) = Σ_{n, oy, ox} gOut`. Overwrites `dw` and `db`.
    public static func conv2dBackwardWeight(gOut: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                            dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
                                            _ g: ConvGeometry, cout: Int) {
        let P = g.outPlane
        if let db {
            // Channels spread over cores when each carries enough sums (LeNet's first layer:
            // 6 channels of 256 × 784 gradients).
            Parallel.forRanges(cout, minChunk: max(1, 131_072 / max(g.batch &* P, 1))) { channels in
                for co in channels {
                    var s: Float = 0
                    for n in 0..<g.batch { s += sumRow(gOut + (n &* cout &+ co) &* P, P) }
                    db[co] = s
                }
            }
        }
        guard let dw else { return }
        switch convKernels(g, cout: cout).weightGrad {
        case .direct: conv2dBackwardWeightDirect(gOut: gOut, x: x, dw: dw, g, cout: cout)
        case .channelVector: conv2dBackwardWeightChannelVector(gOut: gOut, x: x, dw: dw, g, cout: cout)
        case .gemm: conv2dBackwardWeightGEMM(gOut: gOut, x: x, dw: dw, g, cout: cout)
        }
    }

    /// Direct stride-1 weight gradient `dw[co, ci, ky, kx] = Σ_{n, oy, ox} g[n, co, oy, ox] · xpad[n, ci, oy + ky, ox + kx]`:
    /// for a block of 4 (or 3, when that divides Cout, e.g. LeNet's 6) output channels and 5
    /// horizontal taps, 20 (15) 16-lane accumulators sweep the output rows (lanes are output
    /// columns, summed at the end); each step loads 4 (3) gradient vectors and 5 shifted input
    /// vectors for 20 (15) fused multiply-adds.
    public static func conv2dBackwardWeightDirect(gOut: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                                  dw: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        shapeCheck(g.strideH == 1 && g.strideW == 1,
                   "conv2dBackwardWeightDirect: stride 1 only, got stride (\(g.strideH), \(g.strideW))", file: #fileID, line: #line)
        if cout % 3 == 0 && cout % 4 != 0 {
            conv2dBackwardWeightDirect(Count3.self, gOut: gOut, x: x, dw: dw, g, cout: cout)
        } else {
            conv2dBackwardWeightDirect(Count4.self, gOut: gOut, x: x, dw: dw, g, cout: cout)
        }
    }

    @inline(__always)
    static func conv2dBackwardWeightDirect<T: StaticCount>(_: T.Type, gOut: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                                            dw: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        let B = T.value, B5 = T.value &* 5
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW, kh = g.kernelH, kw = g.kernelW
        let chunks = (Wo &+ 15) / 16, Wg = chunks &* 16   // gradient rows padded to whole vectors (zeros)
        let Wp = Wg &+ kw &+ 4, Hp = H &+ 2 &* g.padH      // input rows padded (zeros), with slack for the taps
        let blocks = (cout &+ B &- 1) / B, groups = (kw &+ 4) / 5
        let accCount = blocks &* Cin &* kh &* groups &* B5   // SIMD16 accumulators per thread
        let parts = Parallel.reductionParts(g.batch)
        let step = (g.batch &+ parts &- 1) / parts
        let acc = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: parts &* accCount)
        acc.initialize(repeating: SIMD16<Float>(), count: parts &* accCount)
        defer { acc.deallocate() }
        let inPlane = Cin &* H &* W, outPlane = Ho &* Wo
        Parallel.forEach(parts) { part in
            let mine = acc + part &* accCount
            let xp = UnsafeMutablePointer<Float>.allocate(capacity: Cin &* Hp &* Wp)
            xp.initialize(repeating: 0, count: Cin &* Hp &* Wp)
            let gp = UnsafeMutablePointer<Float>.allocate(capacity: blocks &* B &* Ho &* Wg)
            gp.initialize(repeating: 0, count: blocks &* B &* Ho &* Wg)
            defer { xp.deallocate(); gp.deallocate() }
            let xr = UnsafeRawPointer(xp), gr = UnsafeRawPointer(gp)
            var n = part &* step
            while n < min(g.batch, (part &+ 1) &* step) {
                for ci in 0..<Cin {
                    for iy in 0..<H {
                        let dst: UnsafeMutablePointer<Float> = xp + ((ci &* Hp &+ iy &+ g.padH) &* Wp &+ g.padW)
                        copySmall(dst, x + (n &* inPlane &+ (ci &* H &+ iy) &* W), W)
                    }
                }
                for co in 0..<cout {
                    for oy in 0..<Ho {
                        let dst: UnsafeMutablePointer<Float> = gp + (co &* Ho &+ oy) &* Wg
                        copySmall(dst, gOut + (n &* cout &* outPlane &+ co &* outPlane &+ oy &* Wo), Wo)
                    }
                }
                for b in 0..<blocks {
                    for ci in 0..<Cin {
                        for ky in 0..<kh {
                            for grp in 0..<groups {
                                let kx0 = grp &* 5
                                let z = SIMD16<Float>()
                                var a00 = z, a01 = z, a02 = z, a03 = z, a04 = z
                                var a10 = z, a11 = z, a12 = z, a13 = z, a14 = z
                                var a20 = z, a21 = z, a22 = z, a23 = z, a24 = z
                                var a30 = z, a31 = z, a32 = z, a33 = z, a34 = z
                                for oy in 0..<Ho {
                                    let xo = ((ci &* Hp &+ oy &+ ky) &* Wp &+ kx0) &* 4
                                    let go = (B &* b &* Ho &+ oy) &* Wg &* 4, gs = Ho &* Wg &* 4
                                    for c in 0..<chunks {
                                        let x0 = xr.loadUnaligned(fromByteOffset: xo &+ c &* 64, as: SIMD16<Float>.self)
                                        let x1 = xr.loadUnaligned(fromByteOffset: xo &+ c &* 64 &+ 4, as: SIMD16<Float>.self)
                                        let x2 = xr.loadUnaligned(fromByteOffset: xo &+ c &* 64 &+ 8, as: SIMD16<Float>.self)
                                        let x3 = xr.loadUnaligned(fromByteOffset: xo &+ c &* 64 &+ 12, as: SIMD16<Float>.self)
                                        let x4 = xr.loadUnaligned(fromByteOffset: xo &+ c &* 64 &+ 16, as: SIMD16<Float>.self)
                                        let g0 = gr.loadUnaligned(fromByteOffset: go &+ c &* 64, as: SIMD16<Float>.self)
                                        a00.addProduct(g0, x0); a01.addProduct(g0, x1); a02.addProduct(g0, x2)
                                        a03.addProduct(g0, x3); a04.addProduct(g0, x4)
                                        let g1 = gr.loadUnaligned(fromByteOffset: go &+ gs &+ c &* 64, as: SIMD16<Float>.self)
                                        a10.addProduct(g1, x0); a11.addProduct(g1, x1); a12.addProduct(g1, x2)
                                        a13.addProduct(g1, x3); a14.addProduct(g1, x4)
                                        let g2 = gr.loadUnaligned(fromByteOffset: go &+ 2 &* gs &+ c &* 64, as: SIMD16<Float>.self)
                                        a20.addProduct(g2, x0); a21.addProduct(g2, x1); a22.addProduct(g2, x2)
                                        a23.addProduct(g2, x3); a24.addProduct(g2, x4)
                                        if B > 3 {
                                            let g3 = gr.loadUnaligned(fromByteOffset: go &+ 3 &* gs &+ c &* 64, as: SIMD16<Float>.self)
                                            a30.addProduct(g3, x0); a31.addProduct(g3, x1); a32.addProduct(g3, x2)
                                            a33.addProduct(g3, x3); a34.addProduct(g3, x4)
                                        }
                                    }
                                }
                                let m = mine + (((b &* Cin &+ ci) &* kh &+ ky) &* groups &+ grp) &* B5
                                m[0] += a00; m[1] += a01; m[2] += a02; m[3] += a03; m[4] += a04
                                m[5] += a10; m[6] += a11; m[7] += a12; m[8] += a13; m[9] += a14
                                m[10] += a20; m[11] += a21; m[12] += a22; m[13] += a23; m[14] += a24
                                if B > 3 { m[15] += a30; m[16] += a31; m[17] += a32; m[18] += a33; m[19] += a34 }
                            }
                        }
                    }
                }
                n &+= 1
            }
        }
        // Sum the parts' accumulators (in order) and their lanes into dw.
        for co in 0..<cout {
            for ci in 0..<Cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let blockIndex: Int = ((co / B &* Cin &+ ci) &* kh &+ ky) &* groups &+ kx / 5
                        let i: Int = blockIndex &* B5 &+ (co % B) &* 5 &+ kx % 5
                        var v = SIMD16<Float>()
                        for part in 0..<parts { v += acc[part &* accCount &+ i] }
                        dw[((co &* Cin &+ ci) &* kh &+ ky) &* kw &+ kx] = v.sum()
                    }
                }
            }
        }
    }

    // MARK: Naive references

    /// Reference forward: the seven nested loops of the definition, accumulating in `Double`.
    public static func conv2dForwardNaive(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                          out: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        for n in 0..<g.batch {
            for co in 0..<cout {
                for oy in 0..<Ho {
                    for ox in 0..<Wo {
                        var s = Double(bias?[co] ?? 0)
                        for ci in 0..<Cin {
                            for ky in 0..<g.kernelH {
                                let iy = oy * g.strideH + ky - g.padH
                                if iy < 0 || iy >= H { continue }
                                for kx in 0..<g.kernelW {
                                    let ix = ox * g.strideW + kx - g.padW
                                    if ix < 0 || ix >= W { continue }
                                    s += Double(x[((n * Cin + ci) * H + iy) * W + ix])
                                        * Double(weight[((co * Cin + ci) * g.kernelH + ky) * g.kernelW + kx])
                                }
                            }
                        }
                        out[((n * cout + co) * Ho + oy) * Wo + ox] = Float(s)
                    }
                }
            }
        }
    }

    /// Reference gradients: walks the same loops as the forward pass and adds
    /// `gOut · w` into `dx`, `gOut · x` into `dw` and `gOut` into `db` (outputs are zeroed first).
    public static func conv2dBackwardNaive(gOut: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                           dx: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
                                           db: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        dx.update(repeating: 0, count: g.batch * Cin * H * W)
        dw.update(repeating: 0, count: cout * g.patchSize)
        db.update(repeating: 0, count: cout)
        for n in 0..<g.batch {
            for co in 0..<cout {
                for oy in 0..<Ho {
                    for ox in 0..<Wo {
                        let go = gOut[((n * cout + co) * Ho + oy) * Wo + ox]
                        db[co] += go
                        for ci in 0..<Cin {
                            for ky in 0..<g.kernelH {
                                let iy = oy * g.strideH + ky - g.padH
                                if iy < 0 || iy >= H { continue }
                                for kx in 0..<g.kernelW {
                                    let ix = ox * g.strideW + kx - g.padW
                                    if ix < 0 || ix >= W { continue }
                                    let xi = ((n * Cin + ci) * H + iy) * W + ix
                                    let wi = ((co * Cin + ci) * g.kernelH + ky) * g.kernelW + kx
                                    dx[xi] += go * weight[wi]
                                    dw[wi] += go * x[xi]
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
