/// Direct stride-1 convolution kernels for layers with many channels and narrow images
/// (LeNet's second layer, `(N, 6, 14, 14) * (16, 6, 5, 5)`, book §7.6), where im2col + GEMM
/// gives thin products (16 output channels, depth 150) that run far below the GEMM's speed.
///
/// - Forward, vectorised over output channels: the weights are repacked as `[tap][16 channels]`
///   so one SIMD16 load holds one tap's weight for 16 output channels; a tile of 12 output
///   positions along a row keeps 12 accumulators (one per position, lanes = channels) and adds
///   `broadcast(x[tap, position]) · w[tap, :]` for every tap `(ci, ky, kx)`: an implicit GEMM
///   `out[position, co] = Σ_tap x[position, tap] · w[tap, co]` whose A operand is read straight
///   from a zero-padded copy of the image (no im2col matrix).
/// - Input gradient, vectorised along image rows: with `G` the output gradient,
///
///       ∂L/∂x[ci, iy, ix] = Σ_{co, ky, kx} w[co, ci, ky, kx] · G[co, iy + ph − ky, ix + pw − kx]
///
///   (zero outside `G`), a correlation of a zero-bordered `G` with the flipped kernel. A tile of
///   2 rows × 16 columns × 6 input channels keeps 12 accumulators; each tap loads two shifted
///   gradient rows and broadcasts 6 weights for 12 fused multiply-adds.
///
/// Images are spread over cores; each thread has its own padded buffers.
extension Kernels {
    /// Output positions per tile of the channel-vectorised forward kernel.
    static let directTileW = 12
    /// Input channels per tile of the row-vectorised input-gradient kernel.
    static let directTileC = 6

    /// `out (N, Cout, Ho, Wo) = conv(x, w) + bias` for stride 1, lanes = 16 output channels.
    public static func conv2dForwardChannelVector(x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                  bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                                                  _ g: ConvGeometry, cout: Int) {
        typealias V = SIMD16<Float>
        precondition(g.strideH == 1 && g.strideW == 1, "conv2dForwardChannelVector: stride 1 only")
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let kh = g.kernelH, kw = g.kernelW, taps = Cin &* kh &* kw
        let TW = directTileW
        let blocks = (cout &+ 15) / 16, tiles = (Wo &+ TW &- 1) / TW
        let Hp = H &+ 2 &* g.padH
        // Padded rows, with slack so a whole tile's reads (12 positions + kw − 1) stay inside.
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
            let xp = UnsafeMutablePointer<Float>.allocate(capacity: Cin &* Hp &* Wp &+ TW &* 16)
            defer { xp.deallocate() }
            xp.initialize(repeating: 0, count: Cin &* Hp &* Wp &+ TW &* 16)
            let tile = xp + Cin &* Hp &* Wp     // 12 positions × 16 channels, for the transposing store
            let tr = UnsafeMutableRawPointer(tile)
            for n in images {
                for ci in 0..<Cin {
                    for iy in 0..<H {
                        let dst: UnsafeMutablePointer<Float> = xp + ((ci &* Hp &+ iy &+ g.padH) &* Wp &+ g.padW)
                        dst.update(from: x + (n &* inPlane &+ (ci &* H &+ iy) &* W), count: W)
                    }
                }
                for b in 0..<blocks {
                    let wb = UnsafeRawPointer(wt + b &* taps &* 16)
                    let b0 = UnsafeRawPointer(bt + b &* 16).loadUnaligned(as: V.self)
                    let channels = min(16, cout &- b &* 16)
                    for oy in 0..<Ho {
                        for t in 0..<tiles {
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
                                        a8.addProduct(V(repeating: r[8]), wv)
                                        a9.addProduct(V(repeating: r[9]), wv)
                                        a10.addProduct(V(repeating: r[10]), wv)
                                        a11.addProduct(V(repeating: r[11]), wv)
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
                            tr.storeBytes(of: a8, toByteOffset: 512, as: V.self)
                            tr.storeBytes(of: a9, toByteOffset: 576, as: V.self)
                            tr.storeBytes(of: a10, toByteOffset: 640, as: V.self)
                            tr.storeBytes(of: a11, toByteOffset: 704, as: V.self)
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

    /// `dx (N, Cin, H, W)` of a stride-1 convolution from `gOut (N, Cout, Ho, Wo)`, lanes = 16
    /// columns of an input-gradient row (see the type's comment). Overwrites `dx`.
    public static func conv2dBackwardInputDirect(gOut: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                                 dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        typealias V = SIMD16<Float>
        precondition(g.strideH == 1 && g.strideW == 1, "conv2dBackwardInputDirect: stride 1 only")
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW
        let kh = g.kernelH, kw = g.kernelW, ph = g.padH, pw = g.padW
        let TC = directTileC
        let blocks = (Cin &+ TC &- 1) / TC, ciPad = blocks &* TC
        let segs = (W &+ 15) / 16
        // Zero-bordered gradient: gp[co, kh − 1 + oy, kw − 1 + ox] = G[co, oy, ox]. Row iy of dx at
        // tap ky reads row iy + ph + kh − 1 − ky (one spare row for the tile's second row when H
        // is odd); 16 columns from ix0 at tap kx start at ix0 + pw + kw − 1 − kx.
        let Hg = max(H &+ ph &+ kh, H &+ 2 &* ph) &+ 1
        let Wg = max(segs &* 16 &+ pw &+ kw &- 1, W &+ 2 &* pw) &+ 1
        // Weights as [co][ky][kx][ciPad] so a tap's 6 input-channel weights sit together.
        let taps = cout &* kh &* kw
        let wc = UnsafeMutablePointer<Float>.allocate(capacity: taps &* ciPad)
        defer { wc.deallocate() }
        wc.initialize(repeating: 0, count: taps &* ciPad)
        for co in 0..<cout {
            for ci in 0..<Cin {
                for k in 0..<(kh &* kw) {
                    wc[(co &* kh &* kw &+ k) &* ciPad &+ ci] = weight[(co &* Cin &+ ci) &* kh &* kw &+ k]
                }
            }
        }
        let inPlane = Cin &* H &* W, outPlane = Ho &* Wo
        Parallel.forRanges(g.batch, minChunk: 1) { images in
            let gp = UnsafeMutablePointer<Float>.allocate(capacity: cout &* Hg &* Wg &+ 32)
            defer { gp.deallocate() }
            gp.initialize(repeating: 0, count: cout &* Hg &* Wg &+ 32)
            let rowBuf = gp + cout &* Hg &* Wg   // 2 × 16 floats for partial stores
            let rb = UnsafeMutableRawPointer(rowBuf)
            for n in images {
                for co in 0..<cout {
                    for oy in 0..<Ho {
                        let dst: UnsafeMutablePointer<Float> = gp + ((co &* Hg &+ kh &- 1 &+ oy) &* Wg &+ kw &- 1)
                        dst.update(from: gOut + (n &* cout &* outPlane &+ co &* outPlane &+ oy &* Wo), count: Wo)
                    }
                }
                for b in 0..<blocks {
                    var iy = 0
                    while iy < H {
                        for s in 0..<segs {
                            let z = V()
                            var a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z
                            var a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z
                            var wp = wc + b &* TC
                            for co in 0..<cout {
                                for ky in 0..<kh {
                                    let r = UnsafeRawPointer(gp + ((co &* Hg &+ iy &+ ph &+ kh &- 1 &- ky) &* Wg
                                                                   &+ s &* 16 &+ pw &+ kw &- 1))
                                    for kx in 0..<kw {
                                        let v0 = r.loadUnaligned(fromByteOffset: -kx &* 4, as: V.self)
                                        let v1 = r.loadUnaligned(fromByteOffset: (Wg &- kx) &* 4, as: V.self)
                                        let w0 = V(repeating: wp[0]), w1 = V(repeating: wp[1]), w2 = V(repeating: wp[2])
                                        a00.addProduct(w0, v0); a10.addProduct(w0, v1)
                                        a01.addProduct(w1, v0); a11.addProduct(w1, v1)
                                        a02.addProduct(w2, v0); a12.addProduct(w2, v1)
                                        let w3 = V(repeating: wp[3]), w4 = V(repeating: wp[4]), w5 = V(repeating: wp[5])
                                        a03.addProduct(w3, v0); a13.addProduct(w3, v1)
                                        a04.addProduct(w4, v0); a14.addProduct(w4, v1)
                                        a05.addProduct(w5, v0); a15.addProduct(w5, v1)
                                        wp += ciPad
                                    }
                                }
                            }
                            let width = min(16, W &- s &* 16)
                            let rows = min(2, H &- iy)
                            let channels = min(TC, Cin &- b &* TC)
                            @inline(__always) func put(_ c: Int, _ v0: V, _ v1: V) {
                                rb.storeBytes(of: v0, toByteOffset: 0, as: V.self)
                                rb.storeBytes(of: v1, toByteOffset: 64, as: V.self)
                                for r in 0..<rows {
                                    let rowIndex: Int = (b &* TC &+ c) &* H &+ iy &+ r
                                    let dst: UnsafeMutablePointer<Float> = dx + (n &* inPlane &+ rowIndex &* W &+ s &* 16)
                                    dst.update(from: rowBuf + r &* 16, count: width)
                                }
                            }
                            put(0, a00, a10)
                            if channels > 1 { put(1, a01, a11) }
                            if channels > 2 { put(2, a02, a12) }
                            if channels > 3 { put(3, a03, a13) }
                            if channels > 4 { put(4, a04, a14) }
                            if channels > 5 { put(5, a05, a15) }
                        }
                        iy &+= 2
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
    /// the kernel (when kh is odd or kw not a multiple of 5) are computed on zeros and dropped.
    /// Each thread sums its images into its own buffer. Overwrites `dw` (not the bias gradient).
    public static func conv2dBackwardWeightChannelVector(gOut: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                                         dw: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        typealias V = SIMD16<Float>
        precondition(g.strideH == 1 && g.strideW == 1, "conv2dBackwardWeightChannelVector: stride 1 only")
        let Cin = g.channels, H = g.height, W = g.width, Ho = g.outH, Wo = g.outW, kh = g.kernelH, kw = g.kernelW
        let blocks = (cout &+ 15) / 16, coPad = blocks &* 16
        let khPad = (kh &+ 1) / 2 &* 2, kwPad = (kw &+ 4) / 5 &* 5
        let Hp = max(H &+ 2 &* g.padH, Ho &+ khPad &- 1), Wp = max(W &+ 2 &* g.padW, Wo &+ kwPad &- 1)
        let accCount = Cin &* khPad &* kwPad &* coPad   // [ci][ky][kx][co] per thread
        let parts = max(1, min(Parallel.threads, g.batch))
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
                        dst.update(from: x + (n &* inPlane &+ (ci &* H &+ iy) &* W), count: W)
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
                                        c0.addProduct(V(repeating: rb[ox]), gv)
                                        c1.addProduct(V(repeating: rb[ox &+ 1]), gv)
                                        c2.addProduct(V(repeating: rb[ox &+ 2]), gv)
                                        c3.addProduct(V(repeating: rb[ox &+ 3]), gv)
                                        c4.addProduct(V(repeating: rb[ox &+ 4]), gv)
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
                                add(rowB, c0); add(rowB &+ coPad, c1); add(rowB &+ 2 &* coPad, c2)
                                add(rowB &+ 3 &* coPad, c3); add(rowB &+ 4 &* coPad, c4)
                                kx0 &+= 5
                            }
                            ky0 &+= 2
                        }
                    }
                }
            }
        }
        // Sum the threads' buffers and transpose [ci][ky][kx][co] to dw[co][ci][ky][kx].
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
}
