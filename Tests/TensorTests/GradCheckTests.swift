import XCTest
import Tensor
import TestSupport

/// Finite differences vs autograd for every differentiable op.
final class GradCheckTests: XCTestCase {
    var gen = SeededGenerator(seed: 1)
    func r(_ s: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor { Tensor.uniform(s, low: lo, high: hi, generator: &gen) }

    func check(_ inputs: [Tensor], _ label: String, h: Float = 1e-2, _ f: @escaping ([Tensor]) -> Tensor,
               file: StaticString = #filePath, line: UInt = #line) {
        for c in gradCheck(inputs, h: h, label: label, f) { XCTAssertTrue(c.ok, "\(c)", file: file, line: line) }
    }

    func testArithmeticWithBroadcasting() {
        check([r([2, 3, 4]), r([3, 1])], "add") { $0[0] + $0[1] }
        check([r([4, 5]), r([5])], "sub") { $0[0] - $0[1] }
        check([r([2, 4, 3]), r([4, 1])], "mul") { $0[0] * $0[1] }
        check([r([3, 4]), r([1, 4], 1, 2)], "div") { $0[0] / $0[1] }
        check([r([3, 4])], "neg") { -$0[0] }
        check([r([3, 4])], "scalar ops") { 2 * $0[0] + 1 - $0[0] / 4 }
    }

    func testUnaryMath() {
        check([r([3, 5])], "exp") { $0[0].exp() }
        check([r([3, 5], 0.5, 2)], "log") { $0[0].log() }
        check([r([3, 5], 0.5, 2)], "sqrt") { $0[0].sqrt() }
        check([r([3, 5])], "tanh") { $0[0].tanh() }
        check([r([3, 5])], "sigmoid") { $0[0].sigmoid() }
        check([Tensor([-0.8, -0.3, 0.2, 0.7, 1.5])], "relu") { $0[0].relu() }
        check([Tensor([-0.8, -0.3, 0.2, 0.7, 1.5])], "abs") { $0[0].abs() }
        check([r([3, 5])], "square") { $0[0].square() }
        check([r([5])], "pow 3") { $0[0].pow(3) }
        check([r([5], 0.5, 2)], "pow 1.7") { $0[0].pow(1.7) }
        check([r([5], 0.5, 2)], "pow -2") { $0[0].pow(-2) }
        check([r([2, 3], 0.5, 2), r([3], -1, 2)], "pow tensors") { Tensor.pow($0[0], $0[1]) }
    }

    func testMaximumMinimumWhere() {
        let a = Tensor([[0.1, -0.5, 0.9], [0.3, 0.7, -0.2]]), b = Tensor([0.4, 0.0, 0.5])
        check([a, b], "maximum") { Tensor.maximum($0[0], $0[1]) }
        check([a, b], "minimum") { Tensor.minimum($0[0], $0[1]) }
        let cond = Tensor([1, 0, 1])
        check([a, r([2, 1])], "where") { Tensor.where(cond, $0[0], $0[1]) }
    }

    func testReductions() {
        check([r([2, 3, 4])], "sum all") { $0[0].sum() }
        check([r([2, 3, 4])], "sum axes") { $0[0].sum(alongAxes: [0, 2]) }
        check([r([2, 3, 4])], "sum keepDims") { $0[0].sum(alongAxes: [1], keepDims: true) }
        check([r([2, 3, 4])], "mean") { $0[0].mean(alongAxes: [-1]) }
        check([r([2, 3, 4])], "mean all") { $0[0].mean() }
        check([r([3, 4, 5])], "max axis", h: 1e-3) { $0[0].max(alongAxes: [1]) }
        check([r([3, 4, 5])], "max axes", h: 1e-3) { $0[0].max(alongAxes: [0, 2], keepDims: true) }
        check([r([3, 4, 5])], "min axis", h: 1e-3) { $0[0].min(alongAxes: [2]) }
        check([r([3, 4])], "max all", h: 1e-3) { $0[0].max() }
    }

    func testShapeOps() {
        check([r([2, 6])], "reshape") { $0[0].reshaped(to: [3, 4]) }
        check([r([3, 5])], "transposed") { $0[0].transposed() }
        check([r([2, 3, 4])], "permuted") { $0[0].permuted([2, 0, 1]) }
        check([r([3, 4])], "unsqueeze/squeeze") { $0[0].unsqueezed(1).squeezed() * 2 }
    }

    func testIndexing() {
        check([r([4, 5])], "slice") { $0[0].slice(axis: 1, 1..<4) }
        check([r([2, 3]), r([2, 2])], "concatenate") { Tensor.concatenate($0, axis: 1) }
        check([r([2, 3]), r([2, 3])], "stack") { Tensor.stack($0, axis: 1) }
        check([r([5, 3])], "gather rows") { $0[0].gather(indices: [4, 0, 4, 2]) }
        check([r([5, 3])], "gather tensor") { $0[0].gather(indices: Tensor([[1, 2], [2, 0]])) }
        check([r([3, 4])], "pick") { $0[0].pick([3, 0, 1]) }
    }

    func testSoftmax() {
        check([r([4, 6], -3, 3)], "softmax") { $0[0].softmax() }
        check([r([4, 6], -3, 3)], "logSoftmax") { $0[0].logSoftmax() }
        check([r([3, 4, 2], -3, 3)], "softmax axis 1") { $0[0].softmax(axis: 1) }
        check([r([3, 4, 2], -3, 3)], "logSoftmax axis 0") { $0[0].logSoftmax(axis: 0) }
        check([r([4, 5], -3, 3)], "cross entropy") { -$0[0].logSoftmax().pick([1, 0, 4, 2]).mean() }
    }
}
