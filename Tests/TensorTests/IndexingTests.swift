import XCTest
import Tensor
import TestSupport

final class IndexingTests: XCTestCase {
    let x = Tensor.arange(12).reshaped(to: [3, 4])

    func testSlice() {
        XCTAssertEqual(x.slice(axis: 1, 1..<3).scalars, [1, 2, 5, 6, 9, 10])
        XCTAssertEqual(x.slice(axis: 0, 1...).shape, [2, 4])
        XCTAssertEqual(x.slice(axis: -1, ..<1).scalars, [0, 4, 8])
        XCTAssertEqual(x.slice(axis: 0, 2..<2).shape, [0, 4])
    }

    func testConcatenateAndStack() {
        let y = Tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
        XCTAssertEqual(Tensor.concatenate([x, y], axis: 0).shape, [6, 4])
        let c1 = Tensor.concatenate([x, y], axis: 1)
        XCTAssertEqual(c1.shape, [3, 8])
        XCTAssertEqual(Array(c1.scalars[0..<8]), [0, 1, 2, 3, 2, 1, 4, 3])
        let s = Tensor.stack([Tensor([1, 2]), Tensor([3, 4])], axis: 1)
        XCTAssertEqual(s.shape, [2, 2]); XCTAssertEqual(s.scalars, [1, 3, 2, 4])
    }

    func testGatherPickOneHot() {
        XCTAssertEqual(x.gather(indices: [2, 0]).scalars, [8, 9, 10, 11, 0, 1, 2, 3])
        XCTAssertEqual(x.gather(indices: [3, 3], axis: 1).scalars, [3, 3, 7, 7, 11, 11])
        let e = x.gather(indices: Tensor([[0, 1], [2, 2]]))
        XCTAssertEqual(e.shape, [2, 2, 4])
        var w = x; w.requiresGrad = true
        w.gather(indices: [1, 1, 0]).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0], "a repeated index accumulates")
        // §3.6: y_hat[[0, 1], y]
        let yHat = Tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
        XCTAssertEqual(yHat.pick([0, 2]).scalars, [0.1, 0.5])
        XCTAssertEqual(yHat.pick(Tensor([0, 2])).scalars, [0.1, 0.5])
        XCTAssertEqual(Tensor.oneHot([0, 2], depth: 3).scalars, [1, 0, 0, 0, 0, 1])
        XCTAssertEqual(Tensor.oneHot(Tensor([[1, 0]]), depth: 2).shape, [1, 2, 2])
    }
}
