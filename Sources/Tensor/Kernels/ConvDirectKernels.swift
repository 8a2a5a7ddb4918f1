/// Direct stride-1 convolution kernels for layers with many channels and narrow images
/// (LeNet's second layer, `(N, 6, 14, 14) * (16, 6, 5, 5)`, book §7.6), where im2col + GEMM
/// gives thin products (16 output channels, depth 150) that run far below the GEMM's speed.
///
/// - Forward, vectorised over output channels: the weights are repacked as `[tap][16 channels]`
///   so one SIMD16 load holds one tap's weight for 16 output channels; a tile of 12 output
///   positions along a row (or 10 or 8, whichever fits the row best) keeps one accumulator per
///   position (lanes = channels) and adds `broadcast(x[tap, position]) · w[tap, :]` for every
///   tap `(ci, ky, kx)`: an implicit GEMM
///   `out[position, co] = Σ_tap x[position, tap] · w[tap, co]` whose A operand is read straight
///   from a zero-padded copy of the image (no im2col matrix).
/// - Input gradient, vectorised along image rows: with `G` the output gradient,
///
///       ∂L/∂x[ci, iy, ix] = Σ_{co, ky, kx} w[co, ci, ky, kx] · G[co, iy + ph − ky, ix + pw − kx]
///
///   (zero outside `G`), a correlation of a zero-bordered `G` with the flipped kernel. A tile of
///   16 columns × 6 input channels keeps 12 accumulators (even and odd output channels apart);
///   each tap of a channel pair loads two shifted gradient rows and multiplies them by 12
///   broadcast weights. Kernel rows that only meet the border are skipped (for LeNet's layer
///   the border would otherwise double the work: dx is 14×14, G only 10×10).
/// - Weight gradient, vectorised over output channels: the implicit GEMM
///   `dw[tap, co] = Σ_position x[position, tap] · G[position, co]` with tiles of 2 kernel rows ×
///   5 kernel columns (see `conv2dBackwardWeightChannelVector`).
///
/// Images are spread over cores; each thread has its own padded buffers.

/// A block size fixed at compile time: kernels take it as a type parameter, so each size is
/// compiled (specialised) on its own and the `if Size.value > k` branches around optional
/// accumulators fold away (tile widths of `conv2dForwardChannelVector`, channel blocks of
/// `conv2dForwardDirect` and `conv2dBackwardWeightDirect`, kernel rows of
/// `conv2dBackwardWeightChannelVector`).
protocol StaticCount { static var value: Int { get } }
enum Count1: StaticCount { static var value: Int { 1 } }
enum Count2: StaticCount { static var value: Int { 2 } }
enum Count3: StaticCount { static var value: Int { 3 } }
enum Count4: StaticCount { static var value: Int { 4 } }
enum Count6: StaticCount { static var value: Int { 6 } }
enum Count8: StaticCount { static var value: Int { 8 } }
enum Count10: StaticCount { static var value: Int { 10 } }
enum Count12: StaticCount { static var value: Int { 12 } }

extension Kernels {
    /// Input channels per tile of the row-vectorised input-gradient kernel.
    static let directTileC = 6

    /// `out (N, Cout, Ho, Wo) = conv(x, w) + bias` for stride 1, lanes = 16 output channels.
    /// The tile width (12, 10 or 8 positions) is the one that wastes the fewest positions on a
    /// row of `Wo` (LeNet's 10-wide rows take exactly one tile of 10).
    public static func conv2dForwardChannelVector(x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                  bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                                                  _ g: ConvGeometry, cout: Int) {
        shapeCheck(g.strideH == 1 && g.strideW == 1,
                   "conv2dForwardChannelVector: stride 1 only, got stride (\(g.strideH), \(g.strideW))", file: #fileID, line: #line)
        let Wo = g.outW
        func covered(_ w: Int) -> Int { (Wo &+ w &- 1) / w &* w }
        let width = [12, 10, 8].min { covered($0) < covered($1) || (covered($0) == covered($1) && $0 > $1) }!
        switch width {
        case 12: conv2dForwardChannelVector(Count12.self, x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        case 10: conv2dForwardChannelVector(Count10.self, x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        default: conv2dForwardChannelVector(Count8.self, x: x, weight: weight, bias: bias, out: out, g, cout: cout)
        }
    }

    @inline(__always)
    static func conv2dForwardChannelVector<T: StaticCount>(_: T.Type, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                               bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                                                               _ g: ConvGeometry, cout: Int) {
        typealias V = SIMD16<Float>
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let kh = g.kernelH, kw = g.kernelW, taps = Cin &* kh &* kw
        let TW = T.value
        let blocks = (cout &+ 15) / 16, tiles = (Wo &+ TW &- 1) / TW
        let Hp = H &+ 2 &* g.padH
        // Padded rows, with slack so a whole tile's reads (TW positions + kw − 1) stay inside.
        let Wp = max(W &+ 2 &* g.padW, tiles &* TW &+ kw &- 1)
        // Weights as [block][tap][16] and bias as [block][16], zero in missing channels.
        let wt = UnsafeMutablePointer<Float>.allocate(capacity: blocks &* taps &* 16 &+ blocks &* 16)
        defer { wt.deallocate() }
        wt.initialize(repeating: 0, count: blocks &* taps &* 16 &+ blocks &* 16)
        let bt = wt + blocks &* taps &* 16
        for co in 0..<cout {
            for t in 0..<taps { wt[((co / 16) &* taps &+ t) &* 16 &+ co % 16] = weight[co &* taps &+ t] }
            if let bias { bt[co] = bias[co] }
        }
        let inPlane = Cin &* H &* W, outPlane = Ho &* Wo
        Parallel.forRanges(g.batch, minChunk: 1) { images in
            let xp = UnsafeMutablePointer<Float>.allocate(capacity: Cin &* Hp &* Wp &+ 12 &* 16)
            defer { xp.deallocate() }
            xp.initialize(repeating: 0, count: Cin &* Hp &* Wp &+ 12 &* 16)
            let tile = xp + Cin &* Hp &* Wp     // TW positions × 16 channels, for the transposing store
            let tr = UnsafeMutableRawPointer(tile)
            for n in images {
                for ci in 0..<Cin {
                    for iy in 0..<H {
                        let dst: UnsafeMutablePointer<Float> = xp + ((ci &* Hp &+ iy &+ g.padH) &* Wp &+ g.padW)
                        copySmall(dst, x + (n &* inPlane &+ (ci &* H &+ iy) &* W), W)
                    }
                }
                for b in 0..<blocks {
                    let wb = UnsafeRawPointer(wt + b &* taps &* 16)
                    let b0 = UnsafeRawPointer(bt + b &* 16).loadUnaligned(as: V.self)
                    let channels = min(16, cout &- b &* 16)
                    for oy in 0..<Ho {
                        for t in 0..<tiles {
                            // `TW` is a constant after specialisation: the unused accumulators and
                            // their multiply-adds fold away.
                            var a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0
                            var a6 = b0, a7 = b0, a8 = b0, a9 = b0, a10 = b0, a11 = b0
                            var woff = 0
                            for ci in 0..<Cin {
                                for ky in 0..<kh {
                                    let row = xp + ((ci &* Hp &+ oy &+ ky) &* Wp &+ t &* TW)
                                    for kx in 0..<kw {
                                        let wv = wb.loadUnaligned(fromByteOffset: woff, as: V.self)
                                        woff &+= 64
                                        let r = row + kx
                                        a0.addProduct(V(repeating: r[0]), wv)
                                        a1.addProduct(V(repeating: r[1]), wv)
                                        a2.addProduct(V(repeating: r[2]), wv)
                                        a3.addProduct(V(repeating: r[3]), wv)
                                        a4.addProduct(V(repeating: r[4]), wv)
                                        a5.addProduct(V(repeating: r[5]), wv)
                                        a6.addProduct(V(repeating: r[6]), wv)
                                        a7.addProduct(V(repeating: r[7]), wv)
                                        if TW > 8 {
                                            a8.addProduct(V(repeating: r[8]), wv)
                                            a9.addProduct(V(repeating: r[9]), wv)
                                        }
                                        if TW > 10 {
                                            a10.addProduct(V(repeating: r[10]), wv)
                                            a11.addProduct(V(repeating: r[11]), wv)
                                        }
                                    }
                                }
                            }
                            tr.storeBytes(of: a0, toByteOffset: 0, as: V.self)
                            tr.storeBytes(of: a1, toByteOffset: 64, as: V.self)
                            tr.storeBytes(of: a2, toByteOffset: 128, as: V.self)
                            tr.storeBytes(of: a3, toByteOffset: 192, as: V.self)
                            tr.storeBytes(of: a4, toByteOffset: 256, as: V.self)
                            tr.storeBytes(of: a5, toByteOffset: 320, as: V.self)
                            tr.storeBytes(of: a6, toByteOffset: 384, as: V.self)
                            tr.storeBytes(of: a7, toByteOffset: 448, as: V.self)
                            if TW > 8 {
                                tr.storeBytes(of: a8, toByteOffset: 512, as: V.self)
                                tr.storeBytes(of: a9, toByteOffset: 576, as: V.self)
                            }
                            if TW > 10 {
                                tr.storeBytes(of: a10, toByteOffset: 640, as: V.self)
                                tr.storeBytes(of: a11, toByteOffset: 704, as: V.self)
                            }
                            // Transpose the tile (position, channel) into the NCHW rows.
                            let valid = min(TW, Wo &- t &* TW)
                            for c in 0..<channels {
                                let plane: Int = (n &* cout &+ b &* 16 &+ c) &* outPlane
                                let dst: UnsafeMutablePointer<Float> = out + (plane &+ oy &* Wo &+ t &* TW)
                                for j in 0..<valid { dst[j] = tile[j &* 16 &+ c] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `dx (N, Cin, H, W)` of a stride-1 convolution from `gOut (N, Cout, Ho, Wo)`: the
    /// row-vectorised correlation `convRows` of `G` (zero border kh − 1 − ph, kw − 1 − pw) with
    /// the flipped kernel, whose input channels are the convolution's output channels.
    /// Overwrites `dx`. Needs `ph < kh` and `pw < kw`.
    public static func conv2dBackwardInputDirect(gOut: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                 dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        shapeCheck(g.strideH == 1 && g.strideW == 1 && g.padH < g.kernelH && g.padW < g.kernelW,
                   "conv2dBackwardInputDirect: stride 1 and padding smaller than the kernel only, got stride "
                   + "(\(g.strideH), \(g.strideW)), padding (\(g.padH), \(g.padW)), kernel (\(g.kernelH), \(g.kernelW))",
                   file: #fileID, line: #line)
        let Cin = g.channels, kh = g.kernelH, kw = g.kernelW, khw = kh &* kw
        let outPad = (Cin &+ directTileC &- 1) / directTileC &* directTileC
        let wc = UnsafeMutablePointer<Float>.allocate(capacity: cout &* khw &* outPad)
        defer { wc.deallocate() }
        wc.initialize(repeating: 0, count: cout &* khw &* outPad)
        for co in 0..<cout {
            for ci in 0..<Cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        wc[((co &* kh &+ ky) &* kw &+ kx) &* outPad &+ ci] =
                            weight[((co &* Cin &+ ci) &* kh &+ (kh &- 1 &- ky)) &* kw &+ (kw &- 1 &- kx)]
                    }
                }
            }
        }
        convRows(input: gOut, batch: g.batch, inC: cout, inH: g.outH, inW: g.outW,
                 padH: kh &- 1 &- g.padH, padW: kw &- 1 &- g.padW, kh: kh, kw: kw, weights: wc,
                 outC: Cin, bias: nil, out: dx)
    }

    /// Row-vectorised stride-1 correlation, the engine of `conv2dBackwardInputDirect`:
    ///
    ///     out[n, o, y, x] = bias[o] + Σ_{i, ky, kx} wt[i, ky, kx, o] · in[n, i, y + ky − padH, x + kx − padW]
    ///
    /// (zero outside `in`), with `wt` laid out `[inC][kh][kw][outPad]`, `outPad` = `outC` rounded up
    /// to 6. A tile is 16 columns of one output row × 6 output channels; input channels are taken
    /// in pairs with separate accumulators (12 chains; each broadcast weight feeds one multiply-add);
    /// kernel rows that only meet the zero border are skipped.
    static func convRows(input: UnsafePointer<Float>, batch: Int, inC: Int, inH: Int, inW: Int, padH: Int, padW: Int,
                         kh: Int, kw: Int, weights wc: UnsafePointer<Float>, outC: Int,
                         bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let TC = directTileC
        let outH = inH &+ 2 &* padH &- kh &+ 1, outW = inW &+ 2 &* padW &- kw &+ 1
        let blocks = (outC &+ TC &- 1) / TC, outPad = blocks &* TC
        let pairs = (inC &+ 1) / 2
        let segs = (outW &+ 15) / 16
        // Padded input: ip[i, padH + r, padW + c] = in[i, r, c] (an odd channel count gets a zero
        // channel); each row has room for the last segment's 16 + kw − 1 reads.
        let Hp = inH &+ 2 &* padH, Wp = max(segs &* 16 &+ kw &- 1, inW &+ 2 &* padW)
        let plane = Hp &* Wp
        let inPlane = inC &* inH &* inW, outPlane = outH &* outW
        Parallel.forRanges(batch, minChunk: 1) { images in
            let ip = UnsafeMutablePointer<Float>.allocate(capacity: pairs &* 2 &* plane &+ 16)
            defer { ip.deallocate() }
            ip.initialize(repeating: 0, count: pairs &* 2 &* plane &+ 16)
            let rowBuf = ip + pairs &* 2 &* plane   // 16 floats for partial stores
            let rb = UnsafeMutableRawPointer(rowBuf)
            for n in images {
                for i in 0..<inC {
                    for r in 0..<inH {
                        copySmall(ip + ((i &* Hp &+ padH &+ r) &* Wp &+ padW), input + (n &* inPlane &+ (i &* inH &+ r) &* inW), inW)
                    }
                }
                for b in 0..<blocks {
                    let channels = min(TC, outC &- b &* TC)
                    for y in 0..<outH {
                        // Kernel rows whose input row y + ky − padH lies inside the image.
                        let kyLo = max(0, padH &- y), kyHi = max(kyLo, min(kh, inH &+ padH &- y))
                        for s in 0..<segs {
                            let z = V()
                            var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z
                            var c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z
                            for pair in 0..<pairs {
                                let i = pair &* 2
                                for ky in kyLo..<kyHi {
                                    let rowOff: Int = (i &* Hp &+ y &+ ky) &* Wp &+ s &* 16
                                    let r = UnsafeRawPointer(ip + rowOff)
                                    let wOff: Int = (i &* kh &+ ky) &* kw &* outPad &+ b &* TC
                                    var wa = wc + wOff
                                    var wb = wa + kh &* kw &* outPad
                                    if i &+ 1 == inC { wb = wa }   // the zero channel: any weights
                                    for kx in 0..<kw {
                                        let va = r.loadUnaligned(fromByteOffset: kx &* 4, as: V.self)
                                        let vb = r.loadUnaligned(fromByteOffset: (plane &+ kx) &* 4, as: V.self)
                                        a0.addProduct(V(repeating: wa[0]), va); c0.addProduct(V(repeating: wb[0]), vb)
                                        a1.addProduct(V(repeating: wa[1]), va); c1.addProduct(V(repeating: wb[1]), vb)
                                        a2.addProduct(V(repeating: wa[2]), va); c2.addProduct(V(repeating: wb[2]), vb)
                                        a3.addProduct(V(repeating: wa[3]), va); c3.addProduct(V(repeating: wb[3]), vb)
                                        a4.addProduct(V(repeating: wa[4]), va); c4.addProduct(V(repeating: wb[4]), vb)
                                        a5.addProduct(V(repeating: wa[5]), va); c5.addProduct(V(repeating: wb[5]), vb)
                                        wa += outPad; wb += outPad
                                    }
                                }
                            }
                            let width = min(16, outW &- s &* 16)
                            @inline(__always) func put(_ c: Int, _ v: V) {
                                let o = b &* TC &+ c
                                let vb = bias.map { v + V(repeating: $0[o]) } ?? v
                                let dst: UnsafeMutablePointer<Float> = out + (n &* outC &* outPlane &+ (o &* outH &+ y) &* outW &+ s &* 16)
                                if width == 16 {
                                    UnsafeMutableRawPointer(dst).storeBytes(of: vb, as: V.self)
                                } else {
                                    rb.storeBytes(of: vb, as: V.self)
                                    copySmall(dst, rowBuf, width)
                                }
                            }
                            put(0, a0 + c0)
                            if channels > 1 { put(1, a1 + c1) }
                            if channels > 2 { put(2, a2 + c2) }
                            if channels > 3 { put(3, a3 + c3) }
                            if channels > 4 { put(4, a4 + c4) }
                            if channels > 5 { put(5, a5 + c5) }
                        }
                    }
                }
            }
        }
    }

    /// `dw (Cout, Cin, kh, kw)` of a stride-1 convolution, lanes = 16 output channels:
    /// `dw[co, tap] = Σ_{n, oy, ox} x[n, ci, oy + ky − ph, ox + kx − pw] · G[n, co, oy, ox]`.
    /// The gradient of each image is transposed to `[position][channel]`; a tile of 2 kernel
    /// rows × 5 kernel columns keeps 10 accumulators and sweeps every output position with one
    /// gradient vector load, 10 broadcasts of input pixels and 10 fused multiply-adds. Taps past
    /// the kernel (kw not a multiple of 5) are computed on zeros and dropped; an odd last kernel
    /// row runs a one-row tile.
    /// The batch is cut into `Parallel.reductionParts` fixed chunks, each summed into its own buffer
    /// and the buffers added in order (the same sums for any thread count). Overwrites `dw` (not the bias gradient).
    public static func conv2dBackwardWeightChannelVector(gOut: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                                         dw: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        typealias V = SIMD16<Float>
        shapeCheck(g.strideH == 1 && g.strideW == 1,
                   "conv2dBackwardWeightChannelVector: stride 1 only, got stride (\(g.strideH), \(g.strideW))", file: #fileID, line: #line)
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW, kh = g.kernelH, kw = g.kernelW
        let blocks = (cout &+ 15) / 16, coPad = blocks &* 16
        let khPad = (kh &+ 1) / 2 &* 2, kwPad = (kw &+ 4) / 5 &* 5
        let Hp = max(H &+ 2 &* g.padH, Ho &+ khPad &- 1), Wp = max(W &+ 2 &* g.padW, Wo &+ kwPad &- 1)
        let accCount = Cin &* khPad &* kwPad &* coPad   // [ci][ky][kx][co] per thread
        let parts = Parallel.reductionParts(g.batch)
        let step = (g.batch &+ parts &- 1) / parts
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: parts &* accCount)
        acc.initialize(repeating: 0, count: parts &* accCount)
        defer { acc.deallocate() }
        let inPlane = Cin &* H &* W, outPlane = Ho &* Wo
        Parallel.forEach(parts) { part in
            let mine = UnsafeMutableRawPointer(acc + part &* accCount)
            let xp = UnsafeMutablePointer<Float>.allocate(capacity: Cin &* Hp &* Wp)
            xp.initialize(repeating: 0, count: Cin &* Hp &* Wp)
            let gt = UnsafeMutablePointer<Float>.allocate(capacity: outPlane &* coPad)
            gt.initialize(repeating: 0, count: outPlane &* coPad)
            defer { xp.deallocate(); gt.deallocate() }
            let gr = UnsafeRawPointer(gt)
            for n in (part &* step)..<min(g.batch, (part &+ 1) &* step) {
                for ci in 0..<Cin {
                    for iy in 0..<H {
                        let dst: UnsafeMutablePointer<Float> = xp + ((ci &* Hp &+ iy &+ g.padH) &* Wp &+ g.padW)
                        copySmall(dst, x + (n &* inPlane &+ (ci &* H &+ iy) &* W), W)
                    }
                }
                let gn = gOut + n &* cout &* outPlane
                for co in 0..<cout {
                    for p in 0..<outPlane { gt[p &* coPad &+ co] = gn[co &* outPlane &+ p] }
                }
                for b in 0..<blocks {
                    for ci in 0..<Cin {
                        var ky0 = 0
                        while ky0 < kh {
                            var kx0 = 0
                            while kx0 < kw {
                                if ky0 &+ 1 < kh {
                                    dwTile(Count2.self, xp: xp, ci: ci, ky0: ky0, kx0: kx0, b: b, gr: gr, mine: mine,
                                           Hp: Hp, Wp: Wp, Ho: Ho, Wo: Wo, coPad: coPad, khPad: khPad, kwPad: kwPad)
                                } else {
                                    // The last row of an odd kernel height: one row of taps.
                                    dwTile(Count1.self, xp: xp, ci: ci, ky0: ky0, kx0: kx0, b: b, gr: gr, mine: mine,
                                           Hp: Hp, Wp: Wp, Ho: Ho, Wo: Wo, coPad: coPad, khPad: khPad, kwPad: kwPad)
                                }
                                kx0 &+= 5
                            }
                            ky0 &+= 2
                        }
                    }
                }
            }
        }
        // Sum the parts' buffers in order and transpose [ci][ky][kx][co] to dw[co][ci][ky][kx].
        for part in 1..<max(parts, 1) { addInPlace(acc, acc + part &* accCount, accCount) }
        for co in 0..<cout {
            for ci in 0..<Cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        dw[((co &* Cin &+ ci) &* kh &+ ky) &* kw &+ kx] = acc[((ci &* khPad &+ ky) &* kwPad &+ kx) &* coPad &+ co]
                    }
                }
            }
        }
    }

    /// One tile of `conv2dBackwardWeightChannelVector`: `R` kernel rows from `ky0` × 5 kernel
    /// columns from `kx0`, for input channel `ci` and output-channel block `b`, added into `mine`.
    @inline(__always)
    static func dwTile<R: StaticCount>(_: R.Type, xp: UnsafeMutablePointer<Float>, ci: Int, ky0: Int, kx0: Int, b: Int,
                                       gr: UnsafeRawPointer, mine: UnsafeMutableRawPointer, Hp: Int, Wp: Int, Ho: Int,
                                       Wo: Int, coPad: Int, khPad: Int, kwPad: Int) {
        typealias V = SIMD16<Float>
        let z = V()
        var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z
        var c0 = z, c1 = z, c2 = z, c3 = z, c4 = z
        for oy in 0..<Ho {
            let ra = xp + ((ci &* Hp &+ oy &+ ky0) &* Wp &+ kx0), rb = ra + Wp
            var go = (oy &* Wo &* coPad &+ b &* 16) &* 4
            for ox in 0..<Wo {
                let gv = gr.loadUnaligned(fromByteOffset: go, as: V.self)
                go &+= coPad &* 4
                a0.addProduct(V(repeating: ra[ox]), gv)
                a1.addProduct(V(repeating: ra[ox &+ 1]), gv)
                a2.addProduct(V(repeating: ra[ox &+ 2]), gv)
                a3.addProduct(V(repeating: ra[ox &+ 3]), gv)
                a4.addProduct(V(repeating: ra[ox &+ 4]), gv)
                if R.value > 1 {
                    c0.addProduct(V(repeating: rb[ox]), gv)
                    c1.addProduct(V(repeating: rb[ox &+ 1]), gv)
                    c2.addProduct(V(repeating: rb[ox &+ 2]), gv)
                    c3.addProduct(V(repeating: rb[ox &+ 3]), gv)
                    c4.addProduct(V(repeating: rb[ox &+ 4]), gv)
                }
                    }
                }
                let rowA = ((ci &* khPad &+ ky0) &* kwPad &+ kx0) &* coPad &+ b &* 16
                let rowB = rowA &+ kwPad &* coPad
                @inline(__always) func add(_ i: Int, _ v: V) {
                    let o = i &* 4
                    mine.storeBytes(of: mine.load(fromByteOffset: o, as: V.self) + v, toByteOffset: o, as: V.self)
                }
                add(rowA, a0); add(rowA &+ coPad, a1); add(rowA &+ 2 &* coPad, a2)
                add(rowA &+ 3 &* coPad, a3); add(rowA &+ 4 &* coPad, a4)
                if R.value > 1 {
                    add(rowB, c0); add(rowB &+ coPad, c1); add(rowB &+ 2 &* coPad, c2)
                    add(rowB &+ 3 &* coPad, c3); add(rowB &+ 4 &* coPad, c4)
                }
    }

    /// `d[i] = s[i]` for `i < n`, for short rows (a call to memmove costs more than the copy):
    /// whole vectors, the tail as one more vector overlapping the previous one (so a 24-wide row is
    /// two SIMD16 copies, a 12-wide one two SIMD8, a 6-wide one two SIMD4). `d` and `s` must not overlap.
    @inline(__always)
    static func copySmall(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ n: Int) {
        let dr = UnsafeMutableRawPointer(d), sr = UnsafeRawPointer(s)
        @inline(__always) func copy<V: SIMD>(_: V.Type, _ i: Int) where V.Scalar == Float {
            dr.storeBytes(of: sr.loadUnaligned(fromByteOffset: i &* 4, as: V.self), toByteOffset: i &* 4, as: V.self)
        }
        if n >= 16 {
            var i = 0
            while i &+ 16 <= n { copy(SIMD16<Float>.self, i); i &+= 16 }
            if i < n { copy(SIMD16<Float>.self, n &- 16) }
        } else if n >= 8 {
            copy(SIMD8<Float>.self, 0); copy(SIMD8<Float>.self, n &- 8)
        } else if n >= 4 {
            copy(SIMD4<Float>.self, 0); copy(SIMD4<Float>.self, n &- 4)
        } else {
            var i = 0
            while i < n { d[i] = s[i]; i &+= 1 }
        }
    }
}
