import XCTest
import Tensor
import TestSupport

final class SoftmaxTests: XCTestCase {
    func testStableForLargeLogitsAndMatchesNaive() {
        var gen = SeededGenerator(seed: 9)
        for n in [1, 7, 17, 33, 100, 257] {
            let x = Tensor.uniform([5, n], low: 90, high: 110, generator: &gen)
            for log in [false, true] {
                var ref = [Float](repeating: 0, count: x.count)
                x.withUnsafeBufferPointer { xp in ref.withUnsafeMutableBufferPointer {
                    Kernels.softmaxRowsNaive(xp.baseAddress!, rows: 5, n: n, $0.baseAddress!, log: log)
                }}
                let got = log ? x.logSoftmax() : x.softmax()
                let c = compare(got, Tensor(shape: [5, n], scalars: ref), atol: 1e-6, rtol: 1e-5, label: "\(log ? "log" : "")softmax n=\(n)")
                XCTAssertTrue(c.ok, "\(c)")
            }
            let rowSums = x.softmax().sum(alongAxes: [1]).scalars
            for s in rowSums { XCTAssertEqual(s, 1, accuracy: 1e-5) }
        }
        let p = Tensor([100, 101, -100]).softmax().scalars
        XCTAssertFalse(p.contains { $0.isNaN })
        XCTAssertEqual(Tensor([0, 1000]).logSoftmax().scalars[0], -1000, accuracy: 1e-3, "no -inf from log(0)")
    }

    func testOtherAxes() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4]) * 0.1
        let a = x.softmax(axis: 1)
        let ref = x.permuted([0, 2, 1]).softmax().permuted([0, 2, 1])
        XCTAssertEqual(a.scalars, ref.scalars)
        for s in a.sum(alongAxes: [1]).scalars { XCTAssertEqual(s, 1, accuracy: 1e-6) }
    }

    /// The row max runs in 16-wide vectors: a NaN anywhere in a row makes the row NaN (as in
    /// PyTorch), −inf entries get weight 0, and the max may sit in any chunk or the tail.
    func testRowMaxWithNaNInfinityAndMaxInEveryChunk() {
        for at in [0, 15, 16, 31, 33] {
            var row = [Float](repeating: 1, count: 34)
            row[at] = .nan
            XCTAssertTrue(Tensor(shape: [1, 34], scalars: row).softmax().scalars.allSatisfy { $0.isNaN }, "NaN at \(at)")
            row[at] = 50
            row[(at + 1) % 34] = -.infinity
            let p = Tensor(shape: [1, 34], scalars: row).softmax().scalars
            XCTAssertEqual(p[at], 1, accuracy: 1e-6, "max at \(at)")
            XCTAssertEqual(p[(at + 1) % 34], 0, "-inf after \(at)")
        }
    }
}
