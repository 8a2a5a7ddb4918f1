import Tensor
import XCTest

final class SequenceMaskTests: XCTestCase {
    /// Book §9.7.2: `sequence_mask([[1, 2, 3], [4, 5, 6]], [1, 2])` → [[1, 0, 0], [4, 5, 0]].
    func testBookCheck() {
        let y = sequenceMask(Tensor([[1, 2, 3], [4, 5, 6]]), validLen: [1, 2])
        XCTAssertEqual(y.scalars, [1, 0, 0, 4, 5, 0])
    }

    /// Trailing axes are masked whole; `value` fills them; the input is unchanged; the gradient
    /// passes only where kept.
    func testValueTrailingAxesAndGradient() {
        var x = Tensor.ones([2, 3, 2])
        x.requiresGrad = true
        let y = sequenceMask(x, validLen: Tensor([2, 0]), value: -1)
        XCTAssertEqual(y.scalars, [1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1])
        XCTAssertEqual(x.scalars, [Float](repeating: 1, count: 12))
        (y * 3).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0])
    }
}
