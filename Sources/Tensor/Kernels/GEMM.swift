/// General matrix multiply, the one GEMM every matmul, linear layer and convolution uses
/// (book §2.3.8–2.3.10, §5.1, §7.2 via im2col): `C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C`,
/// row-major, where `op(X)` is `X` or `Xᵀ` and `lda`, `ldb`, `ldc` are the row strides of the
/// stored matrices (so sub-matrices of larger ones work).
///
/// The fast path follows the Goto/BLIS design:
/// 1. cache blocking: `n` in blocks of `nc` columns, `k` in blocks of `kc`, `m` in blocks of `mc`;
/// 2. packing: each `kc × nc` block of `op(B)` is copied into panels of NR columns stored
///    `kc` rows by NR (contiguous), each `mc × kc` block of `op(A)` into panels of MR rows stored
///    `kc` columns by MR; the transposes are applied while packing, so all four
///    `transA`/`transB` cases run the same micro-kernel;
///    (loop order: for each MR-row A panel, all B panels, so the A panel stays in L1 and the
///    B block in L2);
/// 3. the micro-kernel keeps an MR×NR tile of `C` in registers and adds one rank-1 update
///    `a[:, p] · b[p, :]` per step (`addProduct`, a fused multiply-add). The tile depends on the
///    build machine's registers (`D2L_AVX512`, RegisterTiles.swift): 12×32 in 24 `SIMD16<Float>`
///    with AVX-512 (32 zmm), 6×16 in 6 `SIMD16<Float>` = 12 ymm with AVX2 (16 ymm);
/// 4. threads split the rows (or, for short wide problems, the column panels) of each column
///    block; a column block's op(B) is packed for all depths at once, so one product runs two
///    parallel phases per column block (pack B, then pack A and multiply).
///
/// Products with few rows (a recurrent step's batch) or a short depth skip the packing of `op(A)`
/// and use a register tile over the whole depth instead (4×64 with AVX-512, 6×16 with AVX2;
/// `gemmUsesSmallM`, GEMMSmallM.swift); weights used many times can be
/// packed once (`GEMMPackedB`). Few rows times a long transposed `B` (`A·Bᵀ`, a dense layer at a
/// small batch) are dot products of rows in place (`gemmUsesDot`, GEMMDot.swift).
///
/// Edge tiles (fewer than MR rows or NR columns) are padded with zeros while packing, computed in
/// a scratch tile and copied out. `beta` may be any value; `beta == 0` never reads `C` (so `C`
/// may be uninitialised).
extension Kernels {
    #if D2L_AVX512
    /// Rows of the register tile (A panel height).
    static let gemmMR = 12
    /// Columns of the register tile (B panel width): two `SIMD16<Float>`.
    static let gemmNR = 32
    /// Largest depth of a packed block: a 12×kc A micro-panel (18 KiB) stays in L1 while the
    /// 32-column B panels stream from L2. `k` is cut into equal blocks of at most this depth.
    static let gemmKC = 384
    /// Rows of a packed A block (a multiple of `gemmMR`).
    static let gemmMC = 96
    /// Columns of a packed B block (at most 384×800 floats = 1.2 MiB per depth block; the two cores
    /// share the packed block, each reads it through its 1 MiB L2 one 32-column panel at a time).
    static let gemmNC = 800
    #else
    /// Rows of the register tile (A panel height).
    static let gemmMR = 6
    /// Columns of the register tile (B panel width): one `SIMD16<Float>`, two ymm registers.
    static let gemmNR = 16
    /// Largest depth of a packed block, the same as with AVX-512: each element of `C` is then
    /// summed in the same order (in-order FMAs within a depth block, blocks added in order), so
    /// both builds give the same bits and the chapters the same numbers. A 6×kc A micro-panel
    /// (9 KiB) and the 16-column B panel it meets (24 KiB) about fill the 32 KiB L1. 384 and 256
    /// ran equally fast here (512³, two threads: 159–171 and 166–168 GFLOP/s, Dec 1).
    static let gemmKC = 384
    /// Rows of a packed A block (a multiple of `gemmMR`).
    static let gemmMC = 96
    /// Columns of a packed B block (384×512 floats = 768 KiB per depth block; one core's L2 is
    /// 512 KiB, the L3 32 MiB). Measured on Zen 3 (EPYC, AVX2, 512 KiB L2, 2026-12-01, `Benchmarks gemmshapes`,
    /// one thread, another build running): KC 192–512, NC 512–1024 and MC 48–144 all gave
    /// 75–90 GFLOP/s at 512³ within the noise; NC 256 lost ~5 (A is packed once per column block).
    static let gemmNC = 512
    #endif
    /// Below this many multiply-adds `m·n·k` the unpacked loop is faster.
    static let gemmSmallWork = 32_768
    /// Below this many multiply-adds one thread does the whole product.
    static let gemmParallelWork = 1 << 22

    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
             c: c, ldc: ldc, beta: beta, threads: Parallel.threads)
    }

    /// `gemm` with an explicit thread count (1 when the caller already runs in parallel,
    /// e.g. over the matrices of a batch).
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0, threads: Int) {
        if m <= 0 || n <= 0 { return }
        if k <= 0 {
            // An empty sum: C = beta·C.
            for i in 0..<m {
                let row = c + i &* ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        let work = m &* n &* k
        if transB && !transA && n <= gemmNarrowN {
            // Few output columns with rows of A and B both contiguous along k (a linear layer
            // with few outputs, e.g. softmax regression's 784 → 10): dot products, no packing.
            gemmNarrow(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta,
                       threads: work < gemmParallelWork ? 1 : threads)
            return
        }
        if work < gemmSmallWork {
            gemmSmall(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                      c: c, ldc: ldc, beta: beta)
            return
        }
        if gemmUsesDot(transA: transA, transB: transB, m: m, n: n, k: k) {
            // Few rows times long transposed rows (a dense layer at a small batch): dot products
            // of rows in place, nothing packed (GEMMDot.swift).
            gemmDot(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, beta: beta,
                    threads: work < gemmSmallMParallelWork ? 1 : max(1, threads))
            return
        }
        if gemmUsesSmallM(m: m, n: n, k: k) {
            // Few rows or a short depth: op(A) is not packed (GEMMSmallM.swift).
            gemmSmallMUnpacked(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                               c: c, ldc: ldc, beta: beta, threads: work < gemmSmallMParallelWork ? 1 : max(1, threads))
            return
        }
        let t = work < gemmParallelWork ? 1 : max(1, threads)
        gemmBlocked(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                    c: c, ldc: ldc, beta: beta, threads: t)
    }

    /// A batch of products `C_i = op(A_i)·op(B_i) + beta·C_i`, `i < batch`, where `X_i` starts
    /// `i·strideX` floats after `x`. A stride of 0 shares one matrix across the batch; `strideC == 0`
    /// sums all products into one `C` (`beta` applies once). Many small products run in parallel
    /// over the batch (one thread each); large ones use the threads inside `gemm`.
    public static func gemmBatched(transA: Bool, transB: Bool, batch: Int, m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                   b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int, beta: Float = 0) {
        if batch <= 0 { return }
        let work = m &* n &* max(k, 1)
        if strideC == 0 || batch == 1 || work >= gemmParallelWork || Parallel.threads <= 1 {
            for i in 0..<batch {
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a + i &* strideA, lda: lda,
                     b: b + i &* strideB, ldb: ldb, c: c + i &* strideC, ldc: ldc,
                     beta: strideC == 0 && i > 0 ? 1 : beta)
            }
            return
        }
        // Each chunk of the batch should carry at least ~64k multiply-adds to pay for a thread.
        Parallel.forRanges(batch, minChunk: max(1, 65_536 / max(work, 1))) { range in
            for i in range {
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a + i &* strideA, lda: lda,
                     b: b + i &* strideB, ldb: ldb, c: c + i &* strideC, ldc: ldc, beta: beta, threads: 1)
            }
        }
    }

    /// Largest `n` for the dot-product path `gemmNarrow`.
    static let gemmNarrowN = 16

    /// `C = A·Bᵀ + beta·C` for few columns `n`: each `C[i, j]` is a SIMD16 dot product of row `i`
    /// of `A` and row `j` of `B`; four columns at a time (four independent accumulators share each
    /// load of `A`'s row). Rows of `C` are split over threads.
    /// The same idea as `gemmDot` (few rows, any columns, GEMMDot.swift), for the other thin case:
    /// any rows, ≤ 16 columns (every 10-class classifier of the book). The two are not merged because
    /// they sum in different orders, and merging would change every printed result of chapters 3–7.
    static func gemmNarrow(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, threads: Int) {
        typealias V = SIMD16<Float>
        @inline(__always) func rows(_ r: Range<Int>) {
            for i in r {
                let ar = UnsafeRawPointer(a + i &* lda), crow = c + i &* ldc
                var j = 0
                while j < n {
                    let cnt = min(4, n &- j)
                    let b0 = UnsafeRawPointer(b + j &* ldb)
                    let b1 = UnsafeRawPointer(b + min(j &+ 1, n &- 1) &* ldb)
                    let b2 = UnsafeRawPointer(b + min(j &+ 2, n &- 1) &* ldb)
                    let b3 = UnsafeRawPointer(b + min(j &+ 3, n &- 1) &* ldb)
                    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
                    var p = 0
                    while p &+ 16 <= k {
                        let o = p &* 4
                        let av = ar.loadUnaligned(fromByteOffset: o, as: V.self)
                        s0.addProduct(av, b0.loadUnaligned(fromByteOffset: o, as: V.self))
                        s1.addProduct(av, b1.loadUnaligned(fromByteOffset: o, as: V.self))
                        s2.addProduct(av, b2.loadUnaligned(fromByteOffset: o, as: V.self))
                        s3.addProduct(av, b3.loadUnaligned(fromByteOffset: o, as: V.self))
                        p &+= 16
                    }
                    var d = SIMD4<Float>(s0.sum(), s1.sum(), s2.sum(), s3.sum())
                    while p < k {
                        let av = ar.load(fromByteOffset: p &* 4, as: Float.self)
                        d[0] += av * b0.load(fromByteOffset: p &* 4, as: Float.self)
                        d[1] += av * b1.load(fromByteOffset: p &* 4, as: Float.self)
                        d[2] += av * b2.load(fromByteOffset: p &* 4, as: Float.self)
                        d[3] += av * b3.load(fromByteOffset: p &* 4, as: Float.self)
                        p &+= 1
                    }
                    for q in 0..<cnt { crow[j &+ q] = beta == 0 ? d[q] : d[q] + beta * crow[j &+ q] }
                    j &+= 4
                }
            }
        }
        if threads <= 1 { rows(0..<m) } else { Parallel.forRanges(m, minChunk: 16) { rows($0) } }
    }

    /// Small products without packing: each row of `C` is built from SIMD16 multiply-adds of rows
    /// of `op(B)` (or, for `transB`, SIMD16 dot products along the rows of `B`).
    static func gemmSmall(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
        typealias V = SIMD16<Float>
        for i in 0..<m {
            let crow = c + i &* ldc
            @inline(__always) func aAt(_ p: Int) -> Float { transA ? a[p &* lda &+ i] : a[i &* lda &+ p] }
            if transB {
                // C[i, j] = Σ_p A[i, p] · B[j, p]: dot products; gather the row of op(A) once.
                for j in 0..<n {
                    let brow = UnsafeRawPointer(b + j &* ldb)
                    var acc = V()
                    var s: Float = 0
                    var p = 0
                    if !transA {
                        let arow = UnsafeRawPointer(a + i &* lda)
                        while p &+ 16 <= k {
                            acc.addProduct(arow.loadUnaligned(fromByteOffset: p &* 4, as: V.self),
                                           brow.loadUnaligned(fromByteOffset: p &* 4, as: V.self))
                            p &+= 16
                        }
                    }
                    while p < k { s += aAt(p) * b[j &* ldb &+ p]; p &+= 1 }
                    let dot = acc.sum() + s
                    crow[j] = beta == 0 ? dot : dot + beta * crow[j]
                }
            } else {
                // C[i, :] = Σ_p A[i, p] · B[p, :]: SIMD16 multiply-adds of rows of B.
                let cr = UnsafeMutableRawPointer(crow)
                var j = 0
                while j &+ 16 <= n {
                    var acc = V()
                    for p in 0..<k {
                        let bv = UnsafeRawPointer(b + p &* ldb).loadUnaligned(fromByteOffset: j &* 4, as: V.self)
                        acc.addProduct(V(repeating: aAt(p)), bv)
                    }
                    if beta != 0 { acc.addProduct(V(repeating: beta), cr.loadUnaligned(fromByteOffset: j &* 4, as: V.self)) }
                    cr.storeBytes(of: acc, toByteOffset: j &* 4, as: V.self)
                    j &+= 16
                }
                while j < n {
                    var s: Float = 0
                    for p in 0..<k { s += aAt(p) * b[p &* ldb &+ j] }
                    crow[j] = beta == 0 ? s : s + beta * crow[j]
                    j &+= 1
                }
            }
        }
    }

    /// Copies rows `i0..<i0+rows`, columns `p0..<p0+kc` of `op(A)` into panels of `gemmMR` rows:
    /// panel `q` holds `dst[q·kc·MR + p·MR + r] = op(A)[i0 + q·MR + r, p0 + p]`, zero past `rows`.
    @inline(__always)
    static func packA(transA: Bool, _ a: UnsafePointer<Float>, _ lda: Int, _ i0: Int, _ rows: Int,
                      _ p0: Int, _ kc: Int, _ dst: UnsafeMutablePointer<Float>) {
        let mr = gemmMR
        var q = 0
        while q &* mr < rows {
            let panel = dst + q &* kc &* mr
            let r0 = i0 &+ q &* mr
            let h = min(mr, rows &- q &* mr)
            if transA {
                // op(A)[i, p] = a[p·lda + i]: each step copies h contiguous floats.
                if h == mr {
                    for p in 0..<kc { (panel + p &* mr).update(from: a + ((p0 &+ p) &* lda &+ r0), count: mr) }
                } else {
                    for p in 0..<kc {
                        let src = a + ((p0 &+ p) &* lda &+ r0)
                        let d = panel + p &* mr
                        for r in 0..<h { d[r] = src[r] }
                        for r in h..<mr { d[r] = 0 }
                    }
                }
            } else {
                // op(A)[i, p] = a[i·lda + p]: MR×16 blocks are transposed in registers, the tail
                // of kc reads each row in order and writes with stride MR.
                var pb = 0
                while pb &+ 16 <= kc {
                    transpose16x16(a + (r0 &* lda &+ p0 &+ pb), lda, rows: h, panel + pb &* mr, mr, width: mr)
                    pb &+= 16
                }
                for r in 0..<h {
                    let src = a + ((r0 &+ r) &* lda &+ p0)
                    for p in pb..<kc { panel[p &* mr &+ r] = src[p] }
                }
                if h < mr { for p in pb..<kc { for r in h..<mr { panel[p &* mr &+ r] = 0 } } }
            }
            q &+= 1
        }
    }

    /// Width of the packed panel that holds `w` columns: `gemmNR`, or 16 for a last panel of ≤ 16
    /// when `gemmNR` is 32 (AVX-512).
    @inline(__always)
    static func gemmPanelWidth(_ w: Int) -> Int { w > 16 ? gemmNR : 16 }

    /// Copies B panels `q0..<q1` (columns `j0 + NR·q ..< j0 + NR·q + NR`, clipped to `cols`), rows
    /// `p0..<p0+kc` of `op(B)` into `dst`: panel `q` starts at `q·kc·NR` and holds
    /// `dst[p·w + j] = op(B)[p0 + p, j0 + NR·q + j]` with `w = gemmPanelWidth`, zero past `cols`.
    @inline(__always)
    static func packB(transB: Bool, _ b: UnsafePointer<Float>, _ ldb: Int, _ p0: Int, _ kc: Int,
                      _ j0: Int, _ cols: Int, panels: Range<Int>, _ dst: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let nr = gemmNR
        for q in panels {
            let panel = dst + q &* kc &* nr
            let c0 = j0 &+ q &* nr
            let w = min(nr, cols &- q &* nr)
            let pw = gemmPanelWidth(w)
            if transB {
                // op(B)[p, j] = b[j·ldb + p]: 16×16 blocks are transposed in registers
                // (`transpose16x16`); the rest reads each row of b in order, writes with stride pw.
                let kc16 = kc & ~15, w16 = w & ~15
                var jb = 0
                while jb < w16 {
                    var pb = 0
                    while pb < kc16 {
                        transpose16x16(b + ((c0 &+ jb) &* ldb &+ p0 &+ pb), ldb, rows: 16, panel + (pb &* pw &+ jb), pw)
                        pb &+= 16
                    }
                    jb &+= 16
                }
                for j in 0..<w {
                    let src = b + ((c0 &+ j) &* ldb &+ p0)
                    for p in (j < w16 ? kc16 : 0)..<kc { panel[p &* pw &+ j] = src[p] }
                }
                if w < pw { for p in 0..<kc { for j in w..<pw { panel[p &* pw &+ j] = 0 } } }
            } else if w == pw {
                // op(B)[p, j] = b[p·ldb + j]: whole rows of 16 or 32 floats.
                let d = UnsafeMutableRawPointer(panel)
                for p in 0..<kc {
                    let src = UnsafeRawPointer(b + ((p0 &+ p) &* ldb &+ c0))
                    d.storeBytes(of: src.loadUnaligned(as: V.self), toByteOffset: p &* pw &* 4, as: V.self)
                    if pw == 32 {
                        d.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: V.self),
                                     toByteOffset: p &* pw &* 4 &+ 64, as: V.self)
                    }
                }
            } else {
                for p in 0..<kc {
                    let src = b + ((p0 &+ p) &* ldb &+ c0)
                    let d = panel + p &* pw
                    for j in 0..<w { d[j] = src[j] }
                    for j in w..<pw { d[j] = 0 }
                }
            }
        }
    }

    /// `dst[p·ldd + j] = src[j·lds + p]` for `j < rows` (zero for `rows ≤ j < 16`) and `p < 16`:
    /// a 16×16 transpose in registers. Four rounds of the perfect shuffle: row `J < 8` of a round
    /// is the even elements of rows `2J, 2J+1` of the previous one, row `J + 8` their odd elements.
    /// Each round rotates the 8-bit element index (row bits, column bits) right by one, so four
    /// rounds swap row and column. `width` (at most `ldd`) stores only `j < width` of each output
    /// row (for the MR-row A panels, `width == ldd == MR`): the rows whose whole 16 floats end
    /// inside the `16 × ldd` block (`p·ldd + 16 ≤ 15·ldd + width`) are stored whole and overwritten
    /// by the next, in order; the last ones (row 15 for MR = 12, rows 14 and 15 for MR = 6) only
    /// their first `width` floats, so nothing past the block is written.
    @inline(__always)
    static func transpose16x16(_ src: UnsafePointer<Float>, _ lds: Int, rows: Int,
                               _ dst: UnsafeMutablePointer<Float>, _ ldd: Int, width: Int = 16) {
        typealias V = SIMD16<Float>
        let s = UnsafeRawPointer(src)
        @inline(__always) func ld(_ i: Int) -> V {
            i < rows ? s.loadUnaligned(fromByteOffset: i &* lds &* 4, as: V.self) : V()
        }
        var r = (ld(0), ld(1), ld(2), ld(3), ld(4), ld(5), ld(6), ld(7),
                 ld(8), ld(9), ld(10), ld(11), ld(12), ld(13), ld(14), ld(15))
        // (The element-wise initialisers below compile to two-source shuffles; `SIMD32.evenHalf`
        // is not inlined across modules.)
        @inline(__always) func evens(_ x: V, _ y: V) -> V {
            V(x[0], x[2], x[4], x[6], x[8], x[10], x[12], x[14], y[0], y[2], y[4], y[6], y[8], y[10], y[12], y[14])
        }
        @inline(__always) func odds(_ x: V, _ y: V) -> V {
            V(x[1], x[3], x[5], x[7], x[9], x[11], x[13], x[15], y[1], y[3], y[5], y[7], y[9], y[11], y[13], y[15])
        }
        for _ in 0..<4 {
            r = (evens(r.0, r.1), evens(r.2, r.3), evens(r.4, r.5), evens(r.6, r.7),
                 evens(r.8, r.9), evens(r.10, r.11), evens(r.12, r.13), evens(r.14, r.15),
                 odds(r.0, r.1), odds(r.2, r.3), odds(r.4, r.5), odds(r.6, r.7),
                 odds(r.8, r.9), odds(r.10, r.11), odds(r.12, r.13), odds(r.14, r.15))
        }
        let d = UnsafeMutableRawPointer(dst)
        let end = 15 &* ldd &+ width
        @inline(__always) func st(_ i: Int, _ v: V) {
            var o = i &* ldd
            if o &+ 16 <= end { d.storeBytes(of: v, toByteOffset: o &* 4, as: V.self); return }
            // The first `width` floats, in pieces of 8, 4, 2, 1 (`width` is a constant when inlined).
            var j = 0
            if width &- j >= 8 { d.storeBytes(of: v.lowHalf, toByteOffset: o &* 4, as: SIMD8<Float>.self); j &+= 8; o &+= 8 }
            if width &- j >= 4 {
                d.storeBytes(of: SIMD4(v[j], v[j &+ 1], v[j &+ 2], v[j &+ 3]), toByteOffset: o &* 4, as: SIMD4<Float>.self)
                j &+= 4; o &+= 4
            }
            if width &- j >= 2 {
                d.storeBytes(of: SIMD2(v[j], v[j &+ 1]), toByteOffset: o &* 4, as: SIMD2<Float>.self); j &+= 2; o &+= 2
            }
            if width &- j >= 1 { d.storeBytes(of: v[j], toByteOffset: o &* 4, as: Float.self) }
        }
        st(0, r.0); st(1, r.1); st(2, r.2); st(3, r.3); st(4, r.4); st(5, r.5); st(6, r.6); st(7, r.7)
        st(8, r.8); st(9, r.9); st(10, r.10); st(11, r.11); st(12, r.12); st(13, r.13); st(14, r.14); st(15, r.15)
    }

    /// Multiplies a packed `rows × kc` A block by packed B panels `panels` (covering `cols`
    /// columns from the start of the B block) into `C` (pointing at the block's corner).
    /// Never inlined: inlined into `gemmBlocked`'s one-thread path (and `gemmSerial`), the
    /// optimiser left the micro-kernel's B loads as calls and spilled its accumulators (512³ on
    /// one thread: 20 GFLOP/s instead of ~60, AVX2, 2026-12-01); on its own it compiles cleanly.
    @inline(never)
    static func gemmMacroKernel(_ rows: Int, _ cols: Int, _ kc: Int, panels: Range<Int>,
                                _ ap: UnsafePointer<Float>, _ bp: UnsafePointer<Float>,
                                _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float,
                                _ scratch: UnsafeMutablePointer<Float>) {
        let mr = gemmMR, nr = gemmNR
        var i = 0
        while i < rows {
            let h = min(mr, rows &- i)
            let apanel = ap + i &* kc
            for q in panels {
                let w = min(nr, cols &- q &* nr)
                let pw = gemmPanelWidth(w)
                let bpanel = bp + q &* kc &* nr
                let ctile = c + (i &* ldc &+ q &* nr)
                if h == mr && w == pw {
                    gemmMicroKernel(pw, kc, apanel, bpanel, ctile, ldc, beta)
                } else {
                    // Edge tile: compute the padded tile, copy out the valid h × w part.
                    gemmMicroKernel(pw, kc, apanel, bpanel, scratch, pw, 0)
                    for r in 0..<h {
                        let src = scratch + r &* pw, dst = ctile + r &* ldc
                        if beta == 0 { for j in 0..<w { dst[j] = src[j] } }
                        else { for j in 0..<w { dst[j] = src[j] + beta * dst[j] } }
                    }
                }
            }
            i &+= mr
        }
    }

    /// The packed, blocked, multi-threaded product (see the type's comment).
    static func gemmBlocked(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, threads: Int) {
        let mr = gemmMR, nr = gemmNR
        // Equal depth blocks; nc a multiple of the panel width.
        let kcMax = gemmDepthBlock(k)
        let ncBlocks = (n &+ gemmNC &- 1) / gemmNC
        let ncMax = ((n &+ ncBlocks &- 1) / ncBlocks &+ nr &- 1) / nr &* nr
        let mcMax = gemmMC
        let bPanelsMax = (ncMax &+ nr &- 1) / nr
        // The whole `k × nc` block of op(B) is packed at once (block `pc` at `pc·bPanelsMax·nr`),
        // so each column block costs two parallel phases (pack, multiply), not two per `kc`.
        let bBuf = UnsafeMutableRawPointer.allocate(byteCount: bPanelsMax &* nr &* k &* 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: bPanelsMax &* nr &* k)
        defer { bBuf.deallocate() }
        // Per thread: one packed A block and one scratch tile.
        let aStride = mcMax &* kcMax &+ mr &* nr
        let aBuf = UnsafeMutableRawPointer.allocate(byteCount: threads &* aStride &* 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: threads &* aStride)
        defer { aBuf.deallocate() }

        var jc = 0
        while jc < n {
            let cols = min(ncMax, n &- jc)
            let bPanels = (cols &+ nr &- 1) / nr
            // Pack this column block of op(B), all depths, split over threads by panels.
            let packChunks = min(threads, bPanels)
            Parallel.forEach(packChunks) { t in
                let lo = bPanels &* t / packChunks, hi = bPanels &* (t &+ 1) / packChunks
                var pc = 0
                while pc < k {
                    let kc = min(kcMax, k &- pc)
                    packB(transB: transB, b, ldb, pc, kc, jc, cols, panels: lo..<hi, bBuf + pc &* bPanelsMax &* nr)
                    pc &+= kc
                }
            }
            // Split rows (whole MR panels) over threads when there are enough, else columns.
            let aPanels = (m &+ mr &- 1) / mr
            let splitRows = aPanels >= 2 &* threads || aPanels >= bPanels
            let chunks = min(threads, splitRows ? aPanels : bPanels)
            Parallel.forEach(chunks) { t in
                let abuf = aBuf + t &* aStride
                let scratch = abuf + mcMax &* kcMax
                let rowLo: Int, rowHi: Int, panels: Range<Int>
                if splitRows {
                    rowLo = min(m, aPanels &* t / chunks &* mr)
                    rowHi = min(m, aPanels &* (t &+ 1) / chunks &* mr)
                    panels = 0..<bPanels
                } else {
                    rowLo = 0; rowHi = m
                    panels = (bPanels &* t / chunks)..<(bPanels &* (t &+ 1) / chunks)
                }
                var pc = 0
                while pc < k {
                    let kc = min(kcMax, k &- pc)
                    let betaHere: Float = pc == 0 ? beta : 1
                    var ic = rowLo
                    while ic < rowHi {
                        let rows = min(mcMax, rowHi &- ic)
                        packA(transA: transA, a, lda, ic, rows, pc, kc, abuf)
                        gemmMacroKernel(rows, cols, kc, panels: panels, abuf, bBuf + pc &* bPanelsMax &* nr,
                                        c + (ic &* ldc &+ jc), ldc, betaHere, scratch)
                        ic &+= rows
                    }
                    pc &+= kc
                }
            }
            jc &+= cols
        }
    }

    /// `C[0..<MR, 0..<pw] = Apanel·Bpanel + beta·C` with the register tile for panel width `pw`.
    @inline(__always)
    static func gemmMicroKernel(_ pw: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        #if D2L_AVX512
        if pw == 32 { microKernel12x32(kc, a, b, c, ldc, beta) } else { microKernel12x16(kc, a, b, c, ldc, beta) }
        #else
        microKernel6x16(kc, a, b, c, ldc, beta)
        #endif
    }

    #if D2L_AVX512
    /// The 12×32 register tile: `C[0..<12, 0..<32] = Apanel·Bpanel + beta·C` over `kc` steps,
    /// 24 `SIMD16<Float>` accumulators; per step 2 vector loads of B, 12 broadcasts of A, 24 FMAs.
    @inline(__always)
    static func microKernel12x32(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        typealias V = SIMD16<Float>
        var c0_0 = V(); var c0_1 = V()
        var c1_0 = V(); var c1_1 = V()
        var c2_0 = V(); var c2_1 = V()
        var c3_0 = V(); var c3_1 = V()
        var c4_0 = V(); var c4_1 = V()
        var c5_0 = V(); var c5_1 = V()
        var c6_0 = V(); var c6_1 = V()
        var c7_0 = V(); var c7_1 = V()
        var c8_0 = V(); var c8_1 = V()
        var c9_0 = V(); var c9_1 = V()
        var c10_0 = V(); var c10_1 = V()
        var c11_0 = V(); var c11_1 = V()
        let br = UnsafeRawPointer(b)
        var ap = a
        var p = 0
        while p < kc {
            let off = p &* 128
            let b0 = br.loadUnaligned(fromByteOffset: off &+ 0, as: V.self)
            let b1 = br.loadUnaligned(fromByteOffset: off &+ 64, as: V.self)
            let a0 = V(repeating: ap[0]); c0_0.addProduct(a0, b0); c0_1.addProduct(a0, b1)
            let a1 = V(repeating: ap[1]); c1_0.addProduct(a1, b0); c1_1.addProduct(a1, b1)
            let a2 = V(repeating: ap[2]); c2_0.addProduct(a2, b0); c2_1.addProduct(a2, b1)
            let a3 = V(repeating: ap[3]); c3_0.addProduct(a3, b0); c3_1.addProduct(a3, b1)
            let a4 = V(repeating: ap[4]); c4_0.addProduct(a4, b0); c4_1.addProduct(a4, b1)
            let a5 = V(repeating: ap[5]); c5_0.addProduct(a5, b0); c5_1.addProduct(a5, b1)
            let a6 = V(repeating: ap[6]); c6_0.addProduct(a6, b0); c6_1.addProduct(a6, b1)
            let a7 = V(repeating: ap[7]); c7_0.addProduct(a7, b0); c7_1.addProduct(a7, b1)
            let a8 = V(repeating: ap[8]); c8_0.addProduct(a8, b0); c8_1.addProduct(a8, b1)
            let a9 = V(repeating: ap[9]); c9_0.addProduct(a9, b0); c9_1.addProduct(a9, b1)
            let a10 = V(repeating: ap[10]); c10_0.addProduct(a10, b0); c10_1.addProduct(a10, b1)
            let a11 = V(repeating: ap[11]); c11_0.addProduct(a11, b0); c11_1.addProduct(a11, b1)
            ap += 12
            p &+= 1
        }
        let cr = UnsafeMutableRawPointer(c)
        @inline(__always) func store(_ row: Int, _ col: Int, _ acc: V) {
            let off = (row &* ldc &+ col) &* 4
            if beta == 0 {
                cr.storeBytes(of: acc, toByteOffset: off, as: V.self)
            } else {
                let old = cr.loadUnaligned(fromByteOffset: off, as: V.self)
                cr.storeBytes(of: beta == 1 ? acc + old : acc.addingProduct(V(repeating: beta), old), toByteOffset: off, as: V.self)
            }
        }
        store(0, 0, c0_0); store(0, 16, c0_1)
        store(1, 0, c1_0); store(1, 16, c1_1)
        store(2, 0, c2_0); store(2, 16, c2_1)
        store(3, 0, c3_0); store(3, 16, c3_1)
        store(4, 0, c4_0); store(4, 16, c4_1)
        store(5, 0, c5_0); store(5, 16, c5_1)
        store(6, 0, c6_0); store(6, 16, c6_1)
        store(7, 0, c7_0); store(7, 16, c7_1)
        store(8, 0, c8_0); store(8, 16, c8_1)
        store(9, 0, c9_0); store(9, 16, c9_1)
        store(10, 0, c10_0); store(10, 16, c10_1)
        store(11, 0, c11_0); store(11, 16, c11_1)
    }

    /// The 12×16 register tile: `C[0..<12, 0..<16] = Apanel·Bpanel + beta·C` over `kc` steps,
    /// 12 `SIMD16<Float>` accumulators; per step 1 vector loads of B, 12 broadcasts of A, 12 FMAs.
    @inline(__always)
    static func microKernel12x16(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        typealias V = SIMD16<Float>
        var c0_0 = V()
        var c1_0 = V()
        var c2_0 = V()
        var c3_0 = V()
        var c4_0 = V()
        var c5_0 = V()
        var c6_0 = V()
        var c7_0 = V()
        var c8_0 = V()
        var c9_0 = V()
        var c10_0 = V()
        var c11_0 = V()
        let br = UnsafeRawPointer(b)
        var ap = a
        var p = 0
        while p < kc {
            let off = p &* 64
            let b0 = br.loadUnaligned(fromByteOffset: off &+ 0, as: V.self)
            let a0 = V(repeating: ap[0]); c0_0.addProduct(a0, b0)
            let a1 = V(repeating: ap[1]); c1_0.addProduct(a1, b0)
            let a2 = V(repeating: ap[2]); c2_0.addProduct(a2, b0)
            let a3 = V(repeating: ap[3]); c3_0.addProduct(a3, b0)
            let a4 = V(repeating: ap[4]); c4_0.addProduct(a4, b0)
            let a5 = V(repeating: ap[5]); c5_0.addProduct(a5, b0)
            let a6 = V(repeating: ap[6]); c6_0.addProduct(a6, b0)
            let a7 = V(repeating: ap[7]); c7_0.addProduct(a7, b0)
            let a8 = V(repeating: ap[8]); c8_0.addProduct(a8, b0)
            let a9 = V(repeating: ap[9]); c9_0.addProduct(a9, b0)
            let a10 = V(repeating: ap[10]); c10_0.addProduct(a10, b0)
            let a11 = V(repeating: ap[11]); c11_0.addProduct(a11, b0)
            ap += 12
            p &+= 1
        }
        let cr = UnsafeMutableRawPointer(c)
        @inline(__always) func store(_ row: Int, _ col: Int, _ acc: V) {
            let off = (row &* ldc &+ col) &* 4
            if beta == 0 {
                cr.storeBytes(of: acc, toByteOffset: off, as: V.self)
            } else {
                let old = cr.loadUnaligned(fromByteOffset: off, as: V.self)
                cr.storeBytes(of: beta == 1 ? acc + old : acc.addingProduct(V(repeating: beta), old), toByteOffset: off, as: V.self)
            }
        }
        store(0, 0, c0_0)
        store(1, 0, c1_0)
        store(2, 0, c2_0)
        store(3, 0, c3_0)
        store(4, 0, c4_0)
        store(5, 0, c5_0)
        store(6, 0, c6_0)
        store(7, 0, c7_0)
        store(8, 0, c8_0)
        store(9, 0, c9_0)
        store(10, 0, c10_0)
        store(11, 0, c11_0)
    }

    #else
    /// The 6×16 register tile for 16 ymm registers (AVX2): `C[0..<6, 0..<16] = Apanel·Bpanel + beta·C`
    /// over `kc` steps, 6 `SIMD16<Float>` accumulators (12 ymm) + one B row (2 ymm) + one broadcast;
    /// per step 1 vector load of B, 6 broadcasts of A, 6 FMAs (12 ymm FMAs); the release build's
    /// loop keeps all of them in registers (no stack operands, checked with `objdump -d`).
    /// Measured (`Benchmarks gemm`, 512³, Zen 3 EPYC, 2 cores, 2026-12-01, depth block 384):
    /// 85–87 GFLOP/s on one thread and 159–171 on two, against 31 and 59 with the 12×32 tile,
    /// which spills here.
    @inline(__always)
    static func microKernel6x16(_ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        let br = UnsafeRawPointer(b)
        var ap = a
        var p = 0
        while p < kc {
            let b0 = br.loadUnaligned(fromByteOffset: p &* 64, as: V.self)
            c0.addProduct(V(repeating: ap[0]), b0)
            c1.addProduct(V(repeating: ap[1]), b0)
            c2.addProduct(V(repeating: ap[2]), b0)
            c3.addProduct(V(repeating: ap[3]), b0)
            c4.addProduct(V(repeating: ap[4]), b0)
            c5.addProduct(V(repeating: ap[5]), b0)
            ap += 6
            p &+= 1
        }
        let cr = UnsafeMutableRawPointer(c)
        @inline(__always) func store(_ row: Int, _ acc: V) {
            let off = row &* ldc &* 4
            if beta == 0 {
                cr.storeBytes(of: acc, toByteOffset: off, as: V.self)
            } else {
                let old = cr.loadUnaligned(fromByteOffset: off, as: V.self)
                cr.storeBytes(of: beta == 1 ? acc + old : acc.addingProduct(V(repeating: beta), old), toByteOffset: off, as: V.self)
            }
        }
        store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5)
    }
    #endif

    /// Reference GEMM: the triple loop, accumulating in `Double`.
    public static func gemmNaive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                let prev: Float = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = Float(s) + prev
            }
        }
    }
}
