import Foundation
import NN
import Tensor
import TestSupport
import XCTest

final class LinearTests: XCTestCase {
    /// PyTorch golden case: y = x Wᵀ + b and the gradients of sum(y · cotangent).
    func testLinearMatchesGolden() throws {
        let c = try Golden.case("linalg", "linear")
        let layer = Linear(inputSize: 5, outputSize: 3)
        layer.weight.value = c.input("weight")
        layer.bias!.value = c.input("bias")
        var x = c.input("x"); x.requiresGrad = true
        let y = layer(x)
        let r = compare(y, c.output, label: "linear forward")
        XCTAssert(r.ok, r.description)
        (y * c.cotangent!).sum().backward()
        for (got, key) in [(x.grad!, "x"), (layer.weight.grad!, "weight"), (layer.bias!.grad!, "bias")] {
            let r = compare(got, c.grad(key), label: "linear d/d\(key)")
            XCTAssert(r.ok, r.description)
        }
    }

    /// Autograd through the layer against central differences of the layer's own forward.
    func testLinearFiniteDifferences() {
        Tensor.manualSeed(1)
        let w = Tensor.randn([2, 4]), b = Tensor.randn([2]), cot = Tensor.randn([3, 2])
        var x = Tensor.randn([3, 4]); x.requiresGrad = true
        let layer = Linear(inputSize: 4, outputSize: 2)
        layer.weight.value = w; layer.bias!.value = b
        (layer(x) * cot).sum().backward()
        let got = [x.grad!, layer.weight.grad!, layer.bias!.grad!]
        let probe = Linear(inputSize: 4, outputSize: 2)
        let numeric = numericalGradients([x.detached(), w, b]) { xs in
            probe.weight.value = xs[1]; probe.bias!.value = xs[2]
            return probe(xs[0]) * cot
        }
        for (i, (g, n)) in zip(got, numeric).enumerated() {
            let r = compare(g, n, atol: 2e-3, rtol: 2e-2, label: "Linear finite differences, input \(i)")
            XCTAssert(r.ok, r.description)
        }
    }

    func testLinearBatchedInputAndNoBias() {
        let layer = Linear(inputSize: 3, outputSize: 2, bias: false)
        XCTAssertNil(layer.bias)
        XCTAssertEqual(layer.parameters().count, 1)
        let x = Tensor.randn([4, 5, 3])
        let y = layer(x)
        XCTAssertEqual(y.shape, [4, 5, 2])
        let y2 = layer(x.reshaped(to: [20, 3])).reshaped(to: [4, 5, 2])
        XCTAssert(compare(y, y2).ok)
    }

    /// PyTorch's default init: weight and bias in U(−1/√in, 1/√in), reproducible with the seed.
    func testDefaultInitBoundsAndSeed() {
        Tensor.manualSeed(7)
        let a = Linear(inputSize: 100, outputSize: 50)
        Tensor.manualSeed(7)
        let b = Linear(inputSize: 100, outputSize: 50)
        XCTAssertEqual(a.weight.value.scalars, b.weight.value.scalars)
        let bound: Float = 0.1
        let w = a.weight.value.scalars
        XCTAssert(w.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(w.map { abs($0) }.max()!, 0.09)   // fills the range
        XCTAssert(a.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        XCTAssert(a.weight.value.requiresGrad && a.weight.value.isLeaf)
    }
}
