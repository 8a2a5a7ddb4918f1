/// The GEMM path for few rows times a long, transposed weight matrix: `C[m×n] = A[m×k]·B[n×k]ᵀ + beta·C`
/// with `m` ≤ 64 and `k` ≥ 256 — a dense layer's forward pass at a small batch, e.g. AlexNet's
/// `X (32×4096) · W (4096×4096)ᵀ` (book §7.1, `y = x·Wᵀ + b` of §3.3 with PyTorch's `[out, in]` weights).
///
/// Rows of `A` and rows of `B` both run along `k`, so each `C[i, j]` is a dot product of two
/// contiguous rows and nothing is packed: the weights are read once, where they are. (The packed
/// paths must first copy `B` transposed into column panels; for 32 rows that copy, a strided
/// gather over all of `B`, cost as much as the product.)
/// - register tile: 4 rows of `A` by 3 rows of `B`, 12 `SIMD8<Float>` accumulators (12 of AVX2's
///   16 ymm; the same code with AVX-512), per 8 depths 3 loads of `B`, 4 of `A` and 12 FMAs;
/// - depth in equal blocks of at most `gemmDotKC` (multiples of 8): a block of `A` (32×1024 floats,
///   128 KiB) stays in L2 while the three `B` rows of a tile (12 KiB) stay in L1 for all row tiles;
/// - each block's 8 lanes are summed as a tree (`(l0+l4) + (l2+l6)` …, `lanesSum`), the blocks added
///   into `C` in order, so every `C` element is the same sum whatever the threads;
/// - threads claim chunks of column groups (rows of `B`), each with its own columns of `C`.
///
/// Rows past `m` in the last tile repeat the last row and are not stored; likewise columns past `n`.
/// `beta == 0` never reads `C`. Reference: `gemmNaive` (GEMMDotTests).
extension Kernels {
    /// Largest `m` for the dot-product path.
    static let gemmDotMaxM = 64
    /// Smallest depth for the dot-product path: the shortest one measured, an LSTM step's
    /// `(32×256)·(1024×256)ᵀ` (80–85 GFLOP/s on the small-M path with its per-call packing, 104–112
    /// here; `Benchmarks gemmshapes`, 2 threads, Zen 3, Dec 1 2026). Shorter depths (a one-hot
    /// projection's 28) stay on the small-M path: each tile's 12 sums of 8 lanes would weigh on a
    /// handful of steps.
    static let gemmDotMinK = 256
    /// Largest depth block: 32 rows of `A` by 1024 floats are 128 KiB, a quarter of a Zen 3 core's L2.
    static let gemmDotKC = 1024
    /// Column groups (of 3) per thread claim.
    static let gemmDotChunk = 32

    /// Whether `gemm` sends a product to the dot-product path.
    @inline(__always)
    public static func gemmUsesDot(transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> Bool {
        !transA && transB && m <= gemmDotMaxM && n > gemmNarrowN && k >= gemmDotMinK
    }

    /// `C = A·Bᵀ + beta·C` as blocked dot products (see the file's comment).
    static func gemmDot(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                        c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float, threads: Int) {
        let blocks = (k &+ gemmDotKC &- 1) / gemmDotKC
        let kcMax = ((k &+ blocks &- 1) / blocks &+ 7) / 8 &* 8
        let groups = (n &+ 2) / 3, tiles = (m &+ 3) / 4
        let chunks = (groups &+ gemmDotChunk &- 1) / gemmDotChunk
        Parallel.forEach(chunks, threads: threads) { ch in
            let g0 = ch &* gemmDotChunk, g1 = min(groups, g0 &+ gemmDotChunk)
            var p0 = 0
            while p0 < k {
                let kc = min(kcMax, k &- p0)
                let betaHere: Float = p0 == 0 ? beta : 1
                for g in g0..<g1 {
                    let j0 = g &* 3
                    for t in 0..<tiles {
                        let i0 = t &* 4
                        dotTile4x3(kc, a + (i0 &* lda &+ p0), lda, min(4, m &- i0), b + (j0 &* ldb &+ p0), ldb,
                                   min(3, n &- j0), c + (i0 &* ldc &+ j0), ldc, betaHere)
                    }
                }
                p0 &+= kc
            }
        }
    }

    /// The sum of a vector's 8 lanes as a fixed tree: `((l0+l4) + (l2+l6)) + ((l1+l5) + (l3+l7))`,
    /// three dependent additions where the standard library's `sum()` chains seven (not timed
    /// apart; the tree is part of the path's fixed order of summation).
    /// For few columns `gemmNarrow` (GEMM.swift) does the same kind of product with SIMD16 lanes.
    @inline(__always)
    static func lanesSum(_ v: SIMD8<Float>) -> Float {
        let h = v.lowHalf + v.highHalf
        let q = h.lowHalf + h.highHalf
        return q[0] + q[1]
    }

    /// One 4×3 tile of `C` over `kc` depths: `C[r, j] = Σ_p A[r, p]·B[j, p]` (+ `beta·C[r, j]`),
    /// `r < rows`, `j < cols`; row `r` of `A` at `a + r·lda`, row `j` of `B` at `b + j·ldb`.
    /// Depths past the last multiple of 8 are read into zero-padded vectors.
    @inline(__always)
    static func dotTile4x3(_ kc: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ rows: Int,
                           _ b: UnsafePointer<Float>, _ ldb: Int, _ cols: Int,
                           _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ beta: Float) {
        typealias V = SIMD8<Float>
        let lr = rows &- 1, lc = cols &- 1
        let a0 = UnsafeRawPointer(a), a1 = UnsafeRawPointer(a + min(1, lr) &* lda)
        let a2 = UnsafeRawPointer(a + min(2, lr) &* lda), a3 = UnsafeRawPointer(a + min(3, lr) &* lda)
        let b0 = UnsafeRawPointer(b), b1 = UnsafeRawPointer(b + min(1, lc) &* ldb), b2 = UnsafeRawPointer(b + min(2, lc) &* ldb)
        var s00 = V(), s01 = V(), s02 = V()
        var s10 = V(), s11 = V(), s12 = V()
        var s20 = V(), s21 = V(), s22 = V()
        var s30 = V(), s31 = V(), s32 = V()
        @inline(__always) func step(_ x0: V, _ x1: V, _ x2: V, _ y0: V, _ y1: V, _ y2: V, _ y3: V) {
            s00.addProduct(y0, x0); s01.addProduct(y0, x1); s02.addProduct(y0, x2)
            s10.addProduct(y1, x0); s11.addProduct(y1, x1); s12.addProduct(y1, x2)
            s20.addProduct(y2, x0); s21.addProduct(y2, x1); s22.addProduct(y2, x2)
            s30.addProduct(y3, x0); s31.addProduct(y3, x1); s32.addProduct(y3, x2)
        }
        let whole = kc & ~7
        var o = 0
        let end = whole &* 4
        while o < end {
            step(b0.loadUnaligned(fromByteOffset: o, as: V.self), b1.loadUnaligned(fromByteOffset: o, as: V.self),
                 b2.loadUnaligned(fromByteOffset: o, as: V.self),
                 a0.loadUnaligned(fromByteOffset: o, as: V.self), a1.loadUnaligned(fromByteOffset: o, as: V.self),
                 a2.loadUnaligned(fromByteOffset: o, as: V.self), a3.loadUnaligned(fromByteOffset: o, as: V.self))
            o &+= 32
        }
        if whole < kc {
            @inline(__always) func tail(_ p: UnsafeRawPointer) -> V {
                var v = V()
                for q in 0..<(kc &- whole) { v[q] = p.load(fromByteOffset: end &+ q &* 4, as: Float.self) }
                return v
            }
            step(tail(b0), tail(b1), tail(b2), tail(a0), tail(a1), tail(a2), tail(a3))
        }
        @inline(__always) func store(_ r: Int, _ v0: V, _ v1: V, _ v2: V) {
            if r >= rows { return }
            let row = c + r &* ldc
            let sums = SIMD3<Float>(lanesSum(v0), lanesSum(v1), lanesSum(v2))
            for j in 0..<cols {
                row[j] = beta == 0 ? sums[j] : (beta == 1 ? row[j] + sums[j] : sums[j] + beta * row[j])
            }
        }
        store(0, s00, s01, s02)
        store(1, s10, s11, s12)
        store(2, s20, s21, s22)
        store(3, s30, s31, s32)
    }
}
