import NN
import Tensor
import TestSupport
import XCTest

final class ConvLayerTests: XCTestCase {
    /// The Conv2d layer with its parameters set from PyTorch golden cases: output and all grads.
    func testConv2dLayerMatchesGolden() throws {
        for c in try Golden.cases("conv") {
            let w = c.input("weight")
            func pair(_ any: Any?) -> (Int, Int) {
                if let a = any as? [Int] { return (a[0], a[1]) }
                let v = any as? Int ?? 0
                return (v, v)
            }
            let conv = Conv2d(inChannels: w.shape[1], outChannels: w.shape[0], kernelSize: (w.shape[2], w.shape[3]),
                              stride: pair(c.attrs["stride"]), padding: pair(c.attrs["padding"]))
            conv.weight.value = w
            conv.bias!.value = c.input("bias")
            var x = c.input("x"); x.requiresGrad = true
            let y = conv(x)
            let r = compare(y, c.output, label: "\(c.name) forward")
            XCTAssert(r.ok, r.description)
            (y * (c.cotangent ?? Tensor.ones(y.shape))).sum().backward()
            for (g, key) in [(x.grad, "x"), (conv.weight.grad, "weight"), (conv.bias!.grad, "bias")] where c.grads[key] != nil {
                let r = compare(g!, c.grad(key), atol: 1e-4, rtol: 1e-4, label: "\(c.name) d/d\(key)")
                XCTAssert(r.ok, r.description)
            }
        }
    }

    /// LeNet (book §6.6) built from the layers: shapes, names, printing, PyTorch default init.
    func testLeNetShapesAndPrint() {
        Tensor.manualSeed(0)
        let net = Sequential(
            Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), Sigmoid(), AvgPool2d(kernelSize: 2, stride: 2),
            Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), Sigmoid(), AvgPool2d(kernelSize: 2, stride: 2),
            Flatten(), Linear(inputSize: 400, outputSize: 120), Sigmoid(), Linear(inputSize: 120, outputSize: 84), Sigmoid(),
            Linear(inputSize: 84, outputSize: 10))
        XCTAssertEqual(net(Tensor.rand([2, 1, 28, 28])).shape, [2, 10])
        XCTAssertEqual(net.namedParameters()[2].name, "3.weight")
        XCTAssertEqual(net.namedParameters()[2].parameter.shape, [16, 6, 5, 5])
        XCTAssert(net.description.contains(
            "(0): Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, stride: 1, padding: 2, bias: true)"), net.description)
        XCTAssert(net.description.contains("(2): AvgPool2d(kernelSize: 2, stride: 2, padding: 0)"), net.description)
        let bound = 1 / Float(150).squareRoot()
        XCTAssert(net.parameters()[2].value.scalars.allSatisfy { abs($0) <= bound })
        let pools = Sequential(MaxPool2d(kernelSize: 3, stride: 2, padding: 1), AdaptiveAvgPool2d(1))
        XCTAssertEqual(pools(Tensor.rand([1, 4, 9, 9])).shape, [1, 4, 1, 1])
    }
}
