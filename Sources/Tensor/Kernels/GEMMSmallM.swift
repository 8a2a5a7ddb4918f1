/// The GEMM path for few rows (book §8.4–9.4: a recurrent step multiplies the batch's states,
/// 32–64 rows, by the whole `W_hh`) or a short depth (a one-hot input projection, `k` = 28):
/// `C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C`.
///
/// The packed path (`gemmBlocked`) copies both operands; with 32 rows the copies of `op(A)` and
/// of `op(B)` cost as much as the product. Here:
/// - `op(A)` is read where it is (row `i` starts at `a + i·rowStride`, element `p` is `p·pStride`
///   further: `(lda, 1)`, or `(1, lda)` for `transA`); each of its scalars is broadcast;
/// - `op(B)` is cut into panels of `NR` columns stored `k` rows by `NR` (`GEMMPackedB`): packed once
///   and reused by every product with the same weights (the 35 steps of a sequence), or read in
///   place when `B` is not transposed (row stride `ldb`, only a ragged last panel is copied);
/// - the register tile (`NR` = 64 columns by 4 rows, 16 `SIMD16<Float>` accumulators, with AVX-512;
///   16 columns by 6 rows, 12 ymm accumulators, with AVX2: RegisterTiles.swift) spans the whole
///   depth `k` (no blocking of `k`: each `C` element is one sum, in order, whatever the threads);
/// - loops: panels outside (a `k × NR` panel stays in L2 while all row tiles use it), row tiles
///   inside; threads claim one panel at a time (or, with fewer panels than threads, one row tile).
///   With many rows (a short depth) the order turns round: threads claim chunks of row tiles, each
///   passes over 128 KiB column blocks of `op(B)` and writes whole stretches of its rows of `C`
///   (a batch-32 weight gradient `Gᵀ·X`, 4096×4096 at k = 32: 46 → 76–87 GFLOP/s on two threads,
///   `Benchmarks gemmshapes` on a Zen 3, old and new binaries alternately, Dec 1 2026).
///
/// `A·Bᵀ` with few rows and a long depth goes to the dot-product path instead (GEMMDot.swift).
///
/// Rows past `m` in the last tile repeat the last row and are not stored; columns past `n` are
/// zero in the packed panel and not stored. `beta == 0` never reads `C`.
extension Kernels {
    #if D2L_AVX512
    /// Rows of the small-M register tile (`RegisterTiles.swift`).
    static let gemmSmallMR = 4
    /// Columns of the small-M register tile and of its packed panels: four `SIMD16<Float>`.
    static let gemmSmallNR = 64
    #else
    /// Rows of the small-M register tile (`RegisterTiles.swift`): six rows of one `SIMD16<Float>`
    /// (two ymm each) are 12 of AVX2's 16 registers.
    static let gemmSmallMR = 6
    /// Columns of the small-M register tile and of its packed panels: one `SIMD16<Float>`.
    static let gemmSmallNR = 16
    #endif
    /// Largest `m` for which `gemm` takes the unpacked-A path (the batch of a recurrent step).
    static let gemmSmallMMaxM = 64
    /// Largest `k` the unpacked-A path takes for a large `m` (a short depth: the tile's stores
    /// and loads of `A` are amortised over `k` steps without packing `A`).
    static let gemmSmallMMaxKForLargeM = 64
    /// Largest depth of the unpacked-A path: a `k × 64` panel (256 KiB at k = 1024) stays in L2.
    static let gemmSmallMMaxK = 2048
    /// Below this many multiply-adds `m·n·k` a small-M product runs on one thread. Lower than
    /// `gemmParallelWork`: no operand is packed, and a `WorkerPool` region costs a few
    /// microseconds, so a 32×256·256×256 recurrent step (2 Mi multiply-adds) gains from a second
    /// thread (`Benchmarks pool`, Dec 1 2026, quiet machines: 37.5 µs on one thread, 20.2 on two
    /// with the AVX-512 tile; 42.4 and 26.5 with the AVX2 tile on a Zen 3, commit e508774).
    static let gemmSmallMParallelWork = 1 << 20
    /// Floats of `op(B)` per column block when many rows pass over it (`gemmSmallM`'s rows-outside
    /// order): 128 KiB, a quarter of a Zen 3 core's L2.
    static let smallMBlockFloats = 32_768

    /// Whether `gemm` sends a product to the unpacked-A path.
    @inline(__always)
    public static func gemmUsesSmallM(m: Int, n: Int, k: Int) -> Bool {
        n >= 48 && k <= gemmSmallMMaxK && (m <= gemmSmallMMaxM || k <= gemmSmallMMaxKForLargeM)
    }

    /// `op(B)` `(k × n)` packed once into `NR`-column panels (`gemmSmallNR`) for `gemm(…, packedB:)`:
    /// panel `q` holds `op(B)[p, NR·q + j]` at `q·k·NR + p·NR + j` (zero past `n`). Pack the recurrent
    /// weights once per sequence and multiply each step's states by them.
    public final class GEMMPackedB: @unchecked Sendable {
        /// Depth and columns of `op(B)`.
        public let k: Int, n: Int
        let panels: Int
        let data: UnsafeMutablePointer<Float>

        /// Packs `op(B)`: `B` is `k × n` (row stride `ldb`), or `n × k` with `transB`.
        public init(transB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int) {
            let nr = gemmSmallNR
            self.k = k
            self.n = n
            panels = (n &+ nr &- 1) / nr
            let count = max(1, panels &* k &* nr)
            data = UnsafeMutableRawPointer.allocate(byteCount: count &* 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
            let pk = panels, d = data
            Parallel.forRanges(pk, minChunk: max(1, 262_144 / max(k &* nr, 1))) { range in
                Kernels.packSmallMPanels(transB: transB, k: k, n: n, b: b, ldb: ldb, panels: range, d)
            }
        }

        deinit { data.deallocate() }
    }

    /// Copies panels `panels` of `op(B)` into `dst` in `GEMMPackedB`'s layout, where `dst` holds
    /// panel `first` (0: the whole packed matrix).
    static func packSmallMPanels(transB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int,
                                 panels: Range<Int>, _ dst: UnsafeMutablePointer<Float>, first: Int = 0) {
        let nr = gemmSmallNR
        for q in panels {
            let panel = dst + (q &- first) &* k &* nr
            let j0 = q &* nr
            if transB {
                // op(B)[p, j] = b[j·ldb + p]: 16×16 blocks transposed in registers, the k tail by hand.
                var jb = j0
                while jb < j0 &+ nr {
                    let rows = max(0, min(16, n &- jb))
                    let out = panel + (jb &- j0)
                    var p = 0
                    if rows > 0 {
                        while p &+ 16 <= k {
                            transpose16x16(b + (jb &* ldb &+ p), ldb, rows: rows, out + p &* nr, nr)
                            p &+= 16
                        }
                    }
                    while p < k {
                        for j in 0..<16 { out[p &* nr &+ j] = j < rows ? b[(jb &+ j) &* ldb &+ p] : 0 }
                        p &+= 1
                    }
                    jb &+= 16
                }
            } else {
                let w = min(nr, n &- j0)
                for p in 0..<k {
                    let src = b + (p &* ldb &+ j0), row = panel + p &* nr
                    row.update(from: src, count: w)
                    if w < nr { (row + w).update(repeating: 0, count: nr &- w) }
                }
            }
        }
    }

    /// `C = op(A)·op(B) + beta·C` with `op(B)` packed (`packedB.k` must be `op(A)`'s depth).
    /// Any `m`; threads as `gemm` chooses them by size unless given.
    public static func gemm(transA: Bool, m: Int, a: UnsafePointer<Float>, lda: Int, packedB: GEMMPackedB,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0, threads: Int? = nil) {
        let n = packedB.n, k = packedB.k
        if m <= 0 || n <= 0 { return }
        let t = threads ?? (m &* n &* k < gemmSmallMParallelWork ? 1 : Parallel.threads)
        gemmSmallM(transA: transA, m: m, n: n, k: k, a: a, lda: lda, panels: packedB.data, panelStride: k &* gemmSmallNR,
                   rowStride: gemmSmallNR, lastPanel: nil, c: c, ldc: ldc, beta: beta, threads: t)
    }

    /// `gemm`'s unpacked-A path (`gemmUsesSmallM`): `op(B)` is read in place when not transposed
    /// (only a ragged last panel is copied), else packed into a temporary `GEMMPackedB`.
    static func gemmSmallMUnpacked(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, threads: Int) {
        if transB {
            let packed = GEMMPackedB(transB: true, k: k, n: n, b: b, ldb: ldb)
            // `packed` must outlive the product: its last use is the read of `data`, after which
            // Swift may release it (and free `data`) before `gemmSmallM` has run.
            withExtendedLifetime(packed) {
                gemmSmallM(transA: transA, m: m, n: n, k: k, a: a, lda: lda, panels: packed.data,
                           panelStride: k &* gemmSmallNR, rowStride: gemmSmallNR, lastPanel: nil,
                           c: c, ldc: ldc, beta: beta, threads: threads)
            }
            return
        }
        let nr = gemmSmallNR
        let full = n / nr
        var last: UnsafeMutablePointer<Float>? = nil
        if full &* nr < n {
            last = UnsafeMutableRawPointer.allocate(byteCount: k &* nr &* 4, alignment: 64).bindMemory(to: Float.self, capacity: k &* nr)
            packSmallMPanels(transB: false, k: k, n: n, b: b, ldb: ldb, panels: full..<(full &+ 1), last!, first: full)
        }
        defer { last?.deallocate() }
        gemmSmallM(transA: transA, m: m, n: n, k: k, a: a, lda: lda, panels: b, panelStride: nr,
                   rowStride: ldb, lastPanel: last.map { UnsafePointer($0) }, c: c, ldc: ldc, beta: beta, threads: threads)
    }

    /// The loops over panels and row tiles. Panel `q` of `op(B)` starts at `panels + q·panelStride`
    /// with rows `rowStride` apart, except that a ragged last panel is read from `lastPanel`
    /// (row stride `gemmSmallNR`) when given.
    static func gemmSmallM(transA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                           panels: UnsafePointer<Float>, panelStride: Int, rowStride: Int, lastPanel: UnsafePointer<Float>?,
                           c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, threads: Int) {
        let nr = gemmSmallNR, mr = gemmSmallMR
        let panelCount = (n &+ nr &- 1) / nr, tiles = (m &+ mr &- 1) / mr   // (also smallMTile's count)
        // Row i of op(A) starts at a + i·aRow; its element p is p·aStep further.
        let aRow = transA ? 1 : lda, aStep = transA ? lda : 1
        @inline(__always) func run(_ ps: Range<Int>, _ ts: Range<Int>) {
            for q in ps {
                let cols = min(nr, n &- q &* nr)
                let ragged = cols < nr && lastPanel != nil
                let bp = ragged ? lastPanel! : panels + q &* panelStride
                let bs = ragged ? nr : rowStride
                for t in ts {
                    let (i0, rows) = smallMTile(t, m)
                    let ai = a + i0 &* aRow
                    let ct = c + (i0 &* ldc &+ q &* nr)
                    // Unit steps along k (untransposed A) get their own copy of the loop.
                    #if D2L_AVX512
                    if aStep == 1 {
                        smallMKernel4x64(k, ai, aRow, 1, rows, bp, bs, ct, ldc, cols, beta)
                    } else {
                        smallMKernel4x64(k, ai, aRow, aStep, rows, bp, bs, ct, ldc, cols, beta)
                    }
                    #else
                    switch (aStep == 1, rows > 4) {
                    case (true, true): smallMKernel6x16(k, ai, aRow, 1, rows, bp, bs, ct, ldc, cols, beta, sixRows: true)
                    case (true, false): smallMKernel6x16(k, ai, aRow, 1, rows, bp, bs, ct, ldc, cols, beta, sixRows: false)
                    case (false, true): smallMKernel6x16(k, ai, aRow, aStep, rows, bp, bs, ct, ldc, cols, beta, sixRows: true)
                    case (false, false): smallMKernel6x16(k, ai, aRow, aStep, rows, bp, bs, ct, ldc, cols, beta, sixRows: false)
                    }
                    #endif
                }
            }
        }
        if m > gemmSmallMMaxM && panelCount > 1 {
            // Many rows and a short depth (a weight gradient at batch 32, a one-hot projection):
            // rows of C outside, so each tile writes whole stretches of its rows (not one 64-byte
            // piece per row, a page apart), and op(B) in blocks of columns that stay in L2 while
            // the tiles of a chunk pass over them. The same sums as the order below.
            let blockPanels = max(1, smallMBlockFloats / max(k &* nr, 1))
            let chunkTiles = 8
            let chunks = (tiles &+ chunkTiles &- 1) / chunkTiles
            Parallel.forEach(chunks, threads: threads) { ch in
                let t1 = min(tiles, (ch &+ 1) &* chunkTiles)
                var q0 = 0
                while q0 < panelCount {
                    let q1 = min(panelCount, q0 &+ blockPanels)
                    for t in (ch &* chunkTiles)..<t1 { run(q0..<q1, t..<(t &+ 1)) }
                    q0 = q1
                }
            }
        } else if threads <= 1 || panelCount &* tiles < 2 {
            run(0..<panelCount, 0..<tiles)
        } else if panelCount >= threads {
            // One panel per claim: a thread that starts late (woken, or preempted) takes fewer.
            Parallel.forEach(panelCount, threads: threads) { q in run(q..<(q &+ 1), 0..<tiles) }
        } else {
            Parallel.forEach(tiles, threads: threads) { t in run(0..<panelCount, t..<(t &+ 1)) }
        }
    }

    /// Row tile `t` of an `m`-row product: its first row and its number of rows. Tiles of
    /// `gemmSmallMR` rows, except on the AVX2 path, where a remainder of one or two rows is merged
    /// with the last full tile and the two are split into halves of at most 4 rows for the 4-row
    /// kernel (m = 32: 6, 6, 6, 6, 4, 4 rather than 6, 6, 6, 6, 6, 2, where the 2-row tile costs as
    /// much as a full one). The number of tiles is `⌈m / gemmSmallMR⌉` either way.
    @inline(__always)
    static func smallMTile(_ t: Int, _ m: Int) -> (first: Int, rows: Int) {
        let mr = gemmSmallMR
        #if !D2L_AVX512
        let full = m / mr, rest = m &- full &* mr
        if rest <= 2 && rest > 0 && full >= 1 && t >= full &- 1 {
            let base = (full &- 1) &* mr, half = (mr &+ rest &+ 1) / 2
            return t == full &- 1 ? (base, half) : (base &+ half, mr &+ rest &- half)
        }
        #endif
        return (t &* mr, min(mr, m &- t &* mr))
    }

    /// The 4×64 register tile over the whole depth: `C[0..<rows, 0..<cols] = op(A)·Bpanel + beta·C`.
    /// Row `r < 4` of `op(A)` is `a + min(r, rows − 1)·aRow`, element `p` at `p·aStep`; panel row
    /// `p` at `b + p·bRow` (64 floats). Per step: 4 vector loads of B, 4 broadcasts, 16 FMAs.
    @inline(__always)
    static func smallMKernel4x64(_ k: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int, _ rows: Int,
                                 _ b: UnsafePointer<Float>, _ bRow: Int,
                                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ cols: Int, _ beta: Float) {
        typealias V = SIMD16<Float>
        let a0 = a, a1 = a + min(1, rows &- 1) &* aRow, a2 = a + min(2, rows &- 1) &* aRow, a3 = a + min(3, rows &- 1) &* aRow
        var c00 = V(), c01 = V(), c02 = V(), c03 = V()
        var c10 = V(), c11 = V(), c12 = V(), c13 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V()
        var c30 = V(), c31 = V(), c32 = V(), c33 = V()
        var br = UnsafeRawPointer(b)
        let bStep = bRow &* 4
        var ap = 0
        for _ in 0..<k {
            let b0 = br.loadUnaligned(as: V.self)
            let b1 = br.loadUnaligned(fromByteOffset: 64, as: V.self)
            let b2 = br.loadUnaligned(fromByteOffset: 128, as: V.self)
            let b3 = br.loadUnaligned(fromByteOffset: 192, as: V.self)
            let x0 = V(repeating: a0[ap])
            c00.addProduct(x0, b0); c01.addProduct(x0, b1); c02.addProduct(x0, b2); c03.addProduct(x0, b3)
            let x1 = V(repeating: a1[ap])
            c10.addProduct(x1, b0); c11.addProduct(x1, b1); c12.addProduct(x1, b2); c13.addProduct(x1, b3)
            let x2 = V(repeating: a2[ap])
            c20.addProduct(x2, b0); c21.addProduct(x2, b1); c22.addProduct(x2, b2); c23.addProduct(x2, b3)
            let x3 = V(repeating: a3[ap])
            c30.addProduct(x3, b0); c31.addProduct(x3, b1); c32.addProduct(x3, b2); c33.addProduct(x3, b3)
            br += bStep
            ap &+= aStep
        }
        @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V, _ v2: V, _ v3: V) {
            if r >= rows { return }
            let row = c + r &* ldc
            if cols == 64 {
                let cr = UnsafeMutableRawPointer(row)
                @inline(__always) func put(_ off: Int, _ v: V) {
                    if beta == 0 {
                        cr.storeBytes(of: v, toByteOffset: off, as: V.self)
                    } else {
                        let old = cr.loadUnaligned(fromByteOffset: off, as: V.self)
                        cr.storeBytes(of: beta == 1 ? v + old : v.addingProduct(V(repeating: beta), old), toByteOffset: off, as: V.self)
                    }
                }
                put(0, v0); put(64, v1); put(128, v2); put(192, v3)
            } else {
                let vs = (v0, v1, v2, v3)
                for j in 0..<cols {
                    let v: Float
                    switch j >> 4 {
                    case 0: v = vs.0[j & 15]
                    case 1: v = vs.1[j & 15]
                    case 2: v = vs.2[j & 15]
                    default: v = vs.3[j & 15]
                    }
                    row[j] = beta == 0 ? v : v + beta * row[j]
                }
            }
        }
        store(0, c00, c01, c02, c03)
        store(1, c10, c11, c12, c13)
        store(2, c20, c21, c22, c23)
        store(3, c30, c31, c32, c33)
    }

    /// The 6×16 register tile over the whole depth (the AVX2 build: 6 `SIMD16<Float>` accumulators
    /// are 12 ymm registers, plus 2 for the B row and 1 broadcast), or with `sixRows == false` the
    /// 4×16 tile (rows 4 and 5 are not computed; 8 ymm accumulators still cover the FMA latency):
    /// `C[0..<rows, 0..<cols] = op(A)·Bpanel + beta·C`. Row `r < 6` of `op(A)` is
    /// `a + min(r, rows − 1)·aRow`, element `p` at `p·aStep`; panel row `p` at `b + p·bRow`
    /// (16 floats). Per step: 1 vector load of B, 6 broadcasts, 6 FMAs (12 ymm FMAs).
    @inline(__always)
    static func smallMKernel6x16(_ k: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int, _ rows: Int,
                                 _ b: UnsafePointer<Float>, _ bRow: Int,
                                 _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ cols: Int, _ beta: Float,
                                 sixRows: Bool) {
        typealias V = SIMD16<Float>
        let last = rows &- 1
        let a0 = a, a1 = a + min(1, last) &* aRow, a2 = a + min(2, last) &* aRow
        let a3 = a + min(3, last) &* aRow, a4 = a + min(4, last) &* aRow, a5 = a + min(5, last) &* aRow
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        var br = UnsafeRawPointer(b)
        let bStep = bRow &* 4
        var ap = 0
        for _ in 0..<k {
            let bv = br.loadUnaligned(as: V.self)
            c0.addProduct(V(repeating: a0[ap]), bv)
            c1.addProduct(V(repeating: a1[ap]), bv)
            c2.addProduct(V(repeating: a2[ap]), bv)
            c3.addProduct(V(repeating: a3[ap]), bv)
            if sixRows {
                c4.addProduct(V(repeating: a4[ap]), bv)
                c5.addProduct(V(repeating: a5[ap]), bv)
            }
            br += bStep
            ap &+= aStep
        }
        @inline(__always) func store(_ r: Int, _ v: V) {
            if r >= rows { return }
            let row = c + r &* ldc
            if cols == 16 {
                let cr = UnsafeMutableRawPointer(row)
                if beta == 0 {
                    cr.storeBytes(of: v, as: V.self)
                } else {
                    let old = cr.loadUnaligned(as: V.self)
                    cr.storeBytes(of: beta == 1 ? v + old : v.addingProduct(V(repeating: beta), old), as: V.self)
                }
            } else {
                for j in 0..<cols { row[j] = beta == 0 ? v[j] : v[j] + beta * row[j] }
            }
        }
        store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5)
    }
}
