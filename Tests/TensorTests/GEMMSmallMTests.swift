import XCTest
import Tensor
import TestSupport

/// The small-M GEMM path (few rows or a short depth, `op(A)` unpacked, 4×64 or 6×16 tiles) and its
/// pre-packed weights (`Kernels.GEMMPackedB`) against the reference triple loop `gemmNaive`.
final class GEMMSmallMTests: XCTestCase {
    /// Random operands for `op(A)[m×k]·op(B)[k×n] + beta·C`, rows `extra` floats wider than needed.
    struct Operands {
        let a: [Float], b: [Float], c: [Float]
        let lda: Int, ldb: Int, ldc: Int
        init(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, extra: Int, beta: Float, seed: UInt64) {
            var gen = SeededGenerator(seed: seed)
            lda = (transA ? m : k) + extra
            ldb = (transB ? k : n) + extra
            ldc = n + extra
            a = Tensor.uniform([max((transA ? k : m) * lda, 1)], low: -1, high: 1, generator: &gen).scalars
            b = Tensor.uniform([max((transB ? n : k) * ldb, 1)], low: -1, high: 1, generator: &gen).scalars
            // With beta == 0, C starts as NaN: the kernel must not read it.
            c = beta == 0 ? [Float](repeating: .nan, count: max(m * ldc, 1))
                : Tensor.uniform([max(m * ldc, 1)], low: -1, high: 1, generator: &gen).scalars
        }
    }

    /// Compares `fast` with the naive result: the `m×n` part within tolerance, the padding
    /// columns past `n` untouched.
    static func assertClose(_ fast: [Float], _ naive: [Float], m: Int, n: Int, k: Int, ldc: Int, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        let tol = 1e-4 * Float(k).squareRoot() + 1e-6
        for i in 0..<m {
            for j in 0..<ldc {
                let f = fast[i * ldc + j], g = naive[i * ldc + j]
                if j >= n {
                    XCTAssertTrue(f == g || (f.isNaN && g.isNaN), "\(label): padding C[\(i), \(j)] written", file: file, line: line)
                } else if !(abs(f - g) <= tol + 1e-4 * abs(g)) {
                    XCTFail("\(label): C[\(i), \(j)] = \(f), naive \(g)", file: file, line: line)
                    return
                }
            }
        }
    }

    /// `Kernels.gemm` (which must route the shape to the small-M path, or for `A·Bᵀ` with a long
    /// depth to the dot-product path, GEMMDot.swift) against the naive kernel.
    func checkDispatch(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, beta: Float, extra: Int = 0,
                       threads: Int = 1, file: StaticString = #filePath, line: UInt = #line) {
        Self.checkAgainstNaive(transA: transA, transB: transB, m: m, n: n, k: k, beta: beta, extra: extra,
                               threads: threads, file: file, line: line)
    }

    /// `checkDispatch`'s body, for other GEMM path tests; returns the fast C.
    @discardableResult
    static func checkAgainstNaive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, beta: Float, extra: Int = 0,
                                  threads: Int = 1, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        XCTAssertTrue(Kernels.gemmUsesSmallM(m: m, n: n, k: k) || Kernels.gemmUsesDot(transA: transA, transB: transB, m: m, n: n, k: k),
                      "m=\(m) n=\(n) k=\(k) is neither a small-M nor a dot-product product", file: file, line: line)
        let o = Operands(transA: transA, transB: transB, m: m, n: n, k: k, extra: extra, beta: beta, seed: UInt64(m * 1000 + n + k))
        var fast = o.c, naive = o.c
        Parallel.withThreads(threads) {
            Kernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: o.a, lda: o.lda, b: o.b, ldb: o.ldb,
                         c: &fast, ldc: o.ldc, beta: beta)
        }
        Kernels.gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, a: o.a, lda: o.lda, b: o.b, ldb: o.ldb,
                          c: &naive, ldc: o.ldc, beta: beta)
        Self.assertClose(fast, naive, m: m, n: n, k: k, ldc: o.ldc,
                    "gemm transA=\(transA) transB=\(transB) m=\(m) n=\(n) k=\(k) beta=\(beta) ld+\(extra) threads=\(threads)",
                    file: file, line: line)
        return fast
    }

    /// Odd row counts (a ragged last tile; on the AVX2 path 7, 8 and 32 rows merge a remainder of
    /// one or two rows with the last full 6-row tile, `smallMTile`), columns not a multiple of 16
    /// or 64, all transposes.
    func testOddSizesAllTransposes() {
        for m in [1, 3, 7, 8, 32, 33, 64] {
            for (n, k) in [(50, 17), (100, 1), (129, 33), (64, 256)] {
                for ta in [false, true] {
                    for tb in [false, true] {
                        checkDispatch(transA: ta, transB: tb, m: m, n: n, k: k, beta: 0)
                    }
                }
            }
        }
    }

    /// Beta 1 and a general beta, strided operands, and one thread against two (panels split).
    func testBetaStridesAndThreads() {
        for (m, n, k) in [(33, 1030, 300), (5, 70, 600)] {
            for tb in [false, true] {
                for threads in [1, 2] {
                    checkDispatch(transA: false, transB: tb, m: m, n: n, k: k, beta: 1, extra: 3, threads: threads)
                    checkDispatch(transA: true, transB: tb, m: m, n: n, k: k, beta: -0.5, extra: 5, threads: threads)
                }
            }
        }
    }

    /// Many rows with a short depth (the one-hot input projection, k = 28; a weight gradient at
    /// batch 32) also skip packing A; they run rows outside, in column blocks of `op(B)` (with
    /// k = 32 a 128 KiB block holds 64 panels of 16 columns: 1100 columns are two blocks, the
    /// second with a ragged last panel).
    func testShortDepthManyRows() {
        for tb in [false, true] {
            checkDispatch(transA: false, transB: tb, m: 301, n: 130, k: 28, beta: 0, extra: 1)
            checkDispatch(transA: true, transB: tb, m: 301, n: 130, k: 28, beta: 1, threads: 2)
            checkDispatch(transA: true, transB: tb, m: 97, n: 1100, k: 32, beta: 0, extra: 2, threads: 2)
        }
    }

    /// Weights packed once (`GEMMPackedB`, both layouts of B) and used for several products with
    /// different A, as a recurrent layer does over its steps; one thread and two give equal bits.
    func testPackedWeightsReused() {
        for tb in [false, true] {
            for (m, n, k) in [(1, 50, 17), (3, 100, 33), (33, 129, 256), (70, 64, 5)] {
                let o = Operands(transA: false, transB: tb, m: m, n: n, k: k, extra: 2, beta: 1, seed: UInt64(n + k))
                let packed = Kernels.GEMMPackedB(transB: tb, k: k, n: n, b: o.b, ldb: o.ldb)
                XCTAssertEqual(packed.k, k)
                XCTAssertEqual(packed.n, n)
                for step in 0..<3 {
                    let a = o.a.map { $0 * Float(step + 1) }
                    var one = o.c, two = o.c, naive = o.c
                    Kernels.gemm(transA: false, m: m, a: a, lda: o.lda, packedB: packed, c: &one, ldc: o.ldc, beta: 1, threads: 1)
                    Kernels.gemm(transA: false, m: m, a: a, lda: o.lda, packedB: packed, c: &two, ldc: o.ldc, beta: 1, threads: 2)
                    Kernels.gemmNaive(transA: false, transB: tb, m: m, n: n, k: k, a: a, lda: o.lda, b: o.b, ldb: o.ldb,
                                      c: &naive, ldc: o.ldc, beta: 1)
                    Self.assertClose(one, naive, m: m, n: n, k: k, ldc: o.ldc, "packed transB=\(tb) m=\(m) n=\(n) k=\(k) step \(step)")
                    XCTAssertEqual(one, two, "packed m=\(m) n=\(n) k=\(k): one thread and two differ")
                }
            }
        }
    }

    /// The routing: a recurrent step's product goes to the small-M path, a large square one does not.
    func testRouting() {
        XCTAssertTrue(Kernels.gemmUsesSmallM(m: 32, n: 1024, k: 256))
        XCTAssertTrue(Kernels.gemmUsesSmallM(m: 1120, n: 1024, k: 28))
        XCTAssertFalse(Kernels.gemmUsesSmallM(m: 256, n: 256, k: 256))
        XCTAssertFalse(Kernels.gemmUsesSmallM(m: 32, n: 10, k: 256))
    }
}
