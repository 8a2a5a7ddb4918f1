import NN
import Tensor
import XCTest

final class GradClippingTests: XCTestCase {
    /// Two parameters with gradients (3, 4) and (12): the global norm is √(9 + 16 + 144) = 13.
    func makeParameters() -> [Parameter] {
        let a = Parameter(Tensor([1, 1])), b = Parameter(Tensor([1]))
        (a.value * Tensor([3, 4])).sum().backward()
        (b.value * 12).sum().backward()
        return [a, b, Parameter(Tensor([5]))]   // the third has no gradient and is skipped
    }

    func testRescalesToThetaWhenTheNormIsLarger() {
        let ps = makeParameters()
        XCTAssertEqual(gradClipping(ps, theta: 1), 13, accuracy: 1e-5)
        XCTAssertEqual(ps[0].grad!.scalars[0], 3 / 13, accuracy: 1e-6)
        XCTAssertEqual(ps[0].grad!.scalars[1], 4 / 13, accuracy: 1e-6)
        XCTAssertEqual(ps[1].grad!.scalars[0], 12 / 13, accuracy: 1e-6)
        XCTAssertNil(ps[2].grad)
        // The clipped gradients have norm θ: a second call sees 1 and leaves them.
        XCTAssertEqual(gradClipping(ps, theta: 1), 1, accuracy: 1e-5)
    }

    func testLeavesSmallGradientsAlone() {
        let ps = makeParameters()
        XCTAssertEqual(gradClipping(ps, theta: 20), 13, accuracy: 1e-5)
        XCTAssertEqual(ps[0].grad!.scalars, [3, 4])
        XCTAssertEqual(ps[1].grad!.scalars, [12])
    }

    /// Long gradients use the 16-lane sum: 1000 ones and one 30 give √(1000 + 900).
    func testLongGradientNorm() {
        let p = Parameter(Tensor.zeros([1001]))
        var w = [Float](repeating: 1, count: 1001)
        w[500] = 30
        (p.value * Tensor(w)).sum().backward()
        let net = Sequential(Linear(inputSize: 1, outputSize: 1))
        XCTAssertEqual(gradClipping(net, theta: 1), 0, "no gradients yet")
        XCTAssertEqual(gradClipping([p], theta: 100), Float(1900).squareRoot(), accuracy: 1e-3)
    }
}
