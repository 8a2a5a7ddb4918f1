import XCTest
import NN
import Tensor
import TestSupport

/// `NN.GELU` is the op as a layer and prints like PyTorch's `nn.GELU()`.
final class GELULayerTests: XCTestCase {
    func testLayerCallsTheOp() {
        var gen = SeededGenerator(seed: 9)
        let x = Tensor.uniform([3, 17], low: -4, high: 4, generator: &gen)
        XCTAssertEqual(GELU()(x).scalars, x.gelu().scalars)
        XCTAssertEqual(GELU().description, "GELU()")
        XCTAssertNotEqual(GELU()(x).scalars, x.relu().scalars)
    }
}
