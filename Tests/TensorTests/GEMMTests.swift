import XCTest
@testable import Tensor
import TestSupport

/// The fast `Kernels.gemm` against the reference triple loop `Kernels.gemmNaive`.
final class GEMMTests: XCTestCase {
    /// Runs both kernels on random `op(A)[m×k]·op(B)[k×n] + beta·C` stored with row strides
    /// `extra` wider than needed (sub-matrices), and returns the comparison of the `m×n` results.
    /// With `beta == 0`, `C` starts as NaN: the kernel must not read it. `path` picks the entry
    /// point: `gemm` (which chooses a path by shape), or the packed register-tile path itself,
    /// multi-threaded (`gemmBlocked`) or on a caller's workspace (`gemmSerial`).
    enum Path: String { case gemm, blocked, serial }

    func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, beta: Float, extra: Int = 0,
               threads: Int? = nil, seed: UInt64 = 1, path: Path = .gemm) -> Comparison {
        var gen = SeededGenerator(seed: seed)
        let (ar, ac) = transA ? (k, m) : (m, k)
        let (br, bc) = transB ? (n, k) : (k, n)
        let lda = ac + extra, ldb = bc + extra, ldc = n + extra
        let a = Tensor.uniform([max(ar * lda, 1)], low: -1, high: 1, generator: &gen)
        let b = Tensor.uniform([max(br * ldb, 1)], low: -1, high: 1, generator: &gen)
        var c0 = Tensor.uniform([max(m * ldc, 1)], low: -1, high: 1, generator: &gen)
        if beta == 0 { c0 = Tensor.full([max(m * ldc, 1)], .nan) }
        var fast = Tensor(shape: c0.shape, scalars: c0.scalars)
        var naive = Tensor(shape: c0.shape, scalars: c0.scalars)
        Parallel.withThreads(threads ?? Parallel.threads) { a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                fast.withUnsafeMutableBufferPointer { pc in
                    let (ap, bp, cp) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                    switch path {
                    case .gemm:
                        Kernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: ap, lda: lda,
                                     b: bp, ldb: ldb, c: cp, ldc: ldc, beta: beta)
                    case .blocked:
                        Kernels.gemmBlocked(transA: transA, transB: transB, m: m, n: n, k: k, a: ap, lda: lda,
                                            b: bp, ldb: ldb, c: cp, ldc: ldc, beta: beta, threads: threads ?? Parallel.threads)
                    case .serial:
                        let workspace = UnsafeMutablePointer<Float>.allocate(capacity: Kernels.gemmSerialWorkspace)
                        defer { workspace.deallocate() }
                        Kernels.gemmSerial(transA: transA, transB: transB, m: m, n: n, k: k, a: ap, lda: lda,
                                           b: bp, ldb: ldb, c: cp, ldc: ldc, beta: beta, workspace: workspace)
                    }
                }
                naive.withUnsafeMutableBufferPointer { pc in
                    Kernels.gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: lda,
                                      b: pb.baseAddress!, ldb: ldb, c: pc.baseAddress!, ldc: ldc, beta: beta)
                }
            }
        } }
        // Compare the whole buffers: the padding columns past `n` must be left untouched too.
        let label = "\(path.rawValue) transA=\(transA) transB=\(transB) m=\(m) n=\(n) k=\(k) beta=\(beta) ld+\(extra) threads=\(threads.map(String.init) ?? "all")"
        if beta == 0 {
            // Padding stays NaN in both; compare only the written m×n part.
            let f = fast.scalars, g = naive.scalars
            var fr: [Float] = [], gr: [Float] = []
            for i in 0..<m { for j in 0..<n { fr.append(f[i * ldc + j]); gr.append(g[i * ldc + j]) } }
            for i in 0..<m { for j in n..<ldc where !f[i * ldc + j].isNaN { fr.append(f[i * ldc + j]); gr.append(.nan) } }
            return compare(Tensor(fr), Tensor(gr), atol: 1e-4 * Float(k).squareRoot() + 1e-6, rtol: 1e-4, label: label)
        }
        return compare(fast, naive, atol: 1e-4 * Float(k).squareRoot() + 1e-6, rtol: 1e-4, label: label)
    }

    func assertOK(_ r: Comparison, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(r.ok, r.description, file: file, line: line)
    }

    let odd = [1, 7, 17, 33, 100, 257]

    func testOddSquareSizesAllTransposes() {
        for s in odd {
            for ta in [false, true] {
                for tb in [false, true] {
                    assertOK(check(transA: ta, transB: tb, m: s, n: s, k: s, beta: 0))
                }
            }
        }
    }

    func testMixedShapes() {
        let shapes = [(1, 257, 33), (257, 1, 33), (33, 17, 257), (7, 100, 1), (100, 7, 257), (17, 33, 100),
                      (13, 40, 300), (257, 10, 256), (256, 10, 256), (256, 120, 400), (40, 256, 17)]
        for (m, n, k) in shapes {
            for ta in [false, true] {
                for tb in [false, true] {
                    assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: 0, seed: UInt64(m * n + k)))
                }
            }
        }
    }

    /// The dot-product path for few columns (`transB`, n ≤ 16): every n, odd depths with SIMD
    /// tails, strided operands, beta, and a product big enough to split over threads.
    func testNarrowColumnsPath() {
        for n in [1, 2, 3, 4, 5, 7, 10, 15, 16, 17] {
            for (m, k) in [(1, 1), (7, 15), (33, 17), (100, 257)] {
                assertOK(check(transA: false, transB: true, m: m, n: n, k: k, beta: 0, extra: n % 3, seed: UInt64(n * 31 + k)))
                assertOK(check(transA: false, transB: true, m: m, n: n, k: k, beta: n % 2 == 0 ? 1 : 0.5, seed: UInt64(n + m)))
            }
        }
        for t in [1, 2] {
            assertOK(check(transA: false, transB: true, m: 2001, n: 13, k: 257, beta: 0, extra: 1, threads: t))
        }
    }

    func testBetaOneAndGeneralBeta() {
        for (m, n, k) in [(7, 17, 33), (100, 257, 33), (257, 100, 257), (1, 33, 7)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: 1))
                    assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: -0.5))
                }
            }
        }
    }

    func testLeadingDimensionsLargerThanRows() {
        for (m, n, k) in [(17, 33, 7), (100, 257, 100), (33, 40, 300)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: 0, extra: 5))
                    assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: 1, extra: 19))
                }
            }
        }
    }

    /// Several cache blocks in every direction (`k` > kc, `n` > nc, `m` > mc), one thread and all.
    func testManyBlocksOneThreadAndAll() {
        for threads in [1, max(2, Parallel.threads)] {
            for ta in [false, true] {
                for tb in [false, true] {
                    assertOK(check(transA: ta, transB: tb, m: 150, n: 530, k: 520, beta: 1, extra: 3, threads: threads))
                }
            }
            // Few rows, many columns: the threads split the column panels.
            assertOK(check(transA: false, transB: true, m: 5, n: 3000, k: 300, beta: 0, threads: threads))
        }
    }

    /// The packed path's register-tile edges, called directly (`gemm` would send many of these
    /// shapes to other paths): `m` around MR (6 or 12) and past MC, `n` around NR (16 or 32) and
    /// past NC, `k` around the 16-wide transposes and past KC; all four transposes, beta 0, 1 and
    /// another value, sub-matrix strides, one thread and two (rows or column panels split).
    func testRegisterTileEdgesBlockedAndSerial() {
        var index = 0
        for m in [1, 5, 6, 7, 13, 97] {
            for n in [1, 15, 16, 17, 33, 47] {
                for k in [1, 16, 17, 263] {
                    for ta in [false, true] {
                        for tb in [false, true] {
                            index += 1
                            let beta: Float = [0, 1, -0.5][index % 3]
                            let extra = [0, 3][(index / 4) % 2]
                            assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: beta, extra: extra,
                                           threads: 1 + (index / 3) % 2, seed: UInt64(index), path: .blocked))
                            assertOK(check(transA: ta, transB: tb, m: m, n: n, k: k, beta: beta, extra: extra,
                                           seed: UInt64(index), path: .serial))
                        }
                    }
                }
            }
        }
        // Several depth, row and column blocks (k > KC, m > MC, n > NC).
        for ta in [false, true] {
            for tb in [false, true] {
                for path in [Path.blocked, .serial] {
                    assertOK(check(transA: ta, transB: tb, m: 103, n: 1041, k: 529, beta: 0.5, extra: 1, threads: 2,
                                   path: path))
                }
            }
        }
    }

    func testEmptyInnerDimensionScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let a: [Float] = [0], b: [Float] = [0]
        c.withUnsafeMutableBufferPointer { pc in
            Kernels.gemm(transA: false, transB: false, m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2,
                         c: pc.baseAddress!, ldc: 2, beta: 2)
        }
        XCTAssertEqual(c, [2, 4, 6, 8])
    }

    /// The reference itself on a product worked by hand: [[1, 2], [3, 4]]·[[5, 6], [7, 8]].
    func testNaiveByHand() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        c.withUnsafeMutableBufferPointer { pc in
            Kernels.gemmNaive(transA: false, transB: false, m: 2, n: 2, k: 2, a: a, lda: 2, b: b, ldb: 2,
                              c: pc.baseAddress!, ldc: 2)
        }
        XCTAssertEqual(c, [19, 22, 43, 50])
    }
}
