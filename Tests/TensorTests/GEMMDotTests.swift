import XCTest
import Tensor
import TestSupport

/// The dot-product GEMM path (`A·Bᵀ` with few rows and a long depth, GEMMDot.swift) against the
/// reference triple loop `gemmNaive`.
final class GEMMDotTests: XCTestCase {
    /// `Kernels.gemm` on a shape the dot-product path takes, against the naive kernel; returns C.
    @discardableResult
    func check(m: Int, n: Int, k: Int, beta: Float, extra: Int = 0, threads: Int = 1,
               file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        XCTAssertTrue(Kernels.gemmUsesDot(transA: false, transB: true, m: m, n: n, k: k),
                      "m=\(m) n=\(n) k=\(k) does not take the dot-product path", file: file, line: line)
        return GEMMSmallMTests.checkAgainstNaive(transA: false, transB: true, m: m, n: n, k: k, beta: beta, extra: extra,
                                                 threads: threads, file: file, line: line)
    }

    /// Ragged row tiles (m not a multiple of 4) and column groups (n not a multiple of 3), depths
    /// with a tail past the last multiple of 8, one and several depth blocks (k = 2100: three
    /// blocks of 704, 704 and 692), beta 0 (C starts as NaN and must not be read), 1 and −0.5.
    func testOddSizes() {
        for m in [1, 2, 5, 32, 64] {
            for (n, k) in [(17, 256), (50, 263), (97, 1031), (35, 2100)] {
                check(m: m, n: n, k: k, beta: 0)
            }
        }
        check(m: 33, n: 131, k: 777, beta: 1, extra: 3)
        check(m: 6, n: 40, k: 2049, beta: -0.5, extra: 5)
    }

    /// The dense layer's shape class at batch 32 (4096 → 4096 cut down to 4096 → 200): one thread
    /// and two give the same bits, since each C element is one thread's in-order sums.
    func testThreadsGiveEqualBits() {
        let one = check(m: 32, n: 200, k: 4096, beta: 0, threads: 1)
        let two = check(m: 32, n: 200, k: 4096, beta: 0, threads: 2)
        XCTAssertEqual(one, two, "the dot-product path's bits depend on the thread count")
    }

    /// The routing: `A·Bᵀ` with few rows and a long depth; not transposed A, not many rows, not a
    /// short depth, not the narrow outputs `gemmNarrow` takes.
    func testRouting() {
        XCTAssertTrue(Kernels.gemmUsesDot(transA: false, transB: true, m: 32, n: 4096, k: 4096))
        XCTAssertTrue(Kernels.gemmUsesDot(transA: false, transB: true, m: 1, n: 28, k: 256))
        XCTAssertFalse(Kernels.gemmUsesDot(transA: false, transB: false, m: 32, n: 4096, k: 4096))
        XCTAssertFalse(Kernels.gemmUsesDot(transA: true, transB: true, m: 32, n: 4096, k: 4096))
        XCTAssertFalse(Kernels.gemmUsesDot(transA: false, transB: true, m: 65, n: 4096, k: 4096))
        XCTAssertFalse(Kernels.gemmUsesDot(transA: false, transB: true, m: 32, n: 1024, k: 255))
        XCTAssertFalse(Kernels.gemmUsesDot(transA: false, transB: true, m: 32, n: 16, k: 4096))
    }
}
