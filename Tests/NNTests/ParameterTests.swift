import XCTest
import NN
import Tensor

/// `Parameter.value` assignment and in-place updates.
final class ParameterTests: XCTestCase {
    /// Copying one parameter's values into another (as tests and weight loading do) must not
    /// tie their gradients: a backward through one leaves the other's `.grad` alone.
    func testAssignedValueGetsItsOwnGradient() {
        let a = Parameter(Tensor([1, 2, 3]))
        let b = Parameter(Tensor.zeros([3]))
        b.value = a.value
        XCTAssertEqual(b.value.scalars, [1, 2, 3])
        (a.value * 2).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [2, 2, 2])
        XCTAssertNil(b.grad, "b has its own gradient")
        (b.value * 5).sum().backward()
        XCTAssertEqual(a.grad?.scalars, [2, 2, 2], "a is not touched by b's backward")
        XCTAssertEqual(b.grad?.scalars, [5, 5, 5])
    }

    /// `value -= …` under no-grad writes the buffer in place (no copy) and keeps `.grad`;
    /// the other parameter that shared the buffer keeps its values (copy-on-write).
    func testInPlaceUpdateKeepsGradientAndBuffer() {
        let p = Parameter(Tensor([1, 1]))
        (p.value * 3).sum().backward()
        let buffer = ObjectIdentifier(p.value.storage)
        withNoGrad { p.value -= 0.5 * p.grad! }
        XCTAssertEqual(p.value.scalars, [-0.5, -0.5])
        XCTAssertEqual(ObjectIdentifier(p.value.storage), buffer, "updated in place")
        XCTAssertEqual(p.grad?.scalars, [3, 3])
        XCTAssertTrue(p.value.requiresGrad && p.value.isLeaf)
        let q = Parameter(Tensor.zeros([2]))
        q.value = p.value
        withNoGrad { p.value -= Tensor([1, 1]) }
        XCTAssertEqual(q.value.scalars, [-0.5, -0.5], "q keeps the values it was given")
        XCTAssertEqual(p.value.scalars, [-1.5, -1.5])
    }
}
