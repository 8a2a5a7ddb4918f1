import XCTest
import Tensor
import TestSupport

/// The building blocks of the modern CNNs (book chapter 7) against PyTorch: every case of
/// `resnet.json` (the 7×7/stride-2/padding-3 stem, the 1×1/stride-2 shortcut, and a whole
/// `Residual(3, 6, use_1x1conv=True, strides=2)` with batch norm in training mode and every
/// weight's gradient), using the golden helpers of `GoldenConvPoolTests`, which also checks every
/// `conv.json` and `pool.json` case (AlexNet's 11×11/stride 4, max pooling 3×3/stride 2/padding 1,
/// global average pooling, …).
extension GoldenConvPoolTests {
    /// The book's `Residual` block (§7.6) from Tensor ops, with explicit weights:
    /// `relu(bn2(conv2(relu(bn1(conv1(X))))) + conv3(X))`, conv1 3×3/padding 1/stride `strides`,
    /// conv2 3×3/padding 1, conv3 the 1×1/stride `strides` shortcut; batch norm in training mode.
    static func residual(_ p: [String: Tensor], strides: Int) -> Tensor {
        let x = p["X"]!
        var y = Tensor.conv2d(x, weight: p["conv1.weight"]!, bias: p["conv1.bias"]!, stride: strides, padding: 1)
        y = Tensor.batchNorm(y, gamma: p["bn1.weight"]!, beta: p["bn1.bias"]!).output.relu()
        y = Tensor.conv2d(y, weight: p["conv2.weight"]!, bias: p["conv2.bias"]!, padding: 1)
        y = Tensor.batchNorm(y, gamma: p["bn2.weight"]!, beta: p["bn2.bias"]!).output
        let shortcut = Tensor.conv2d(x, weight: p["conv3.weight"]!, bias: p["conv3.bias"]!, stride: strides)
        return (y + shortcut).relu()
    }

    func testResNetCases() throws {
        let cases = try Golden.cases("resnet")
        XCTAssertEqual(cases.count, 3)
        for c in cases {
            if c.name.hasPrefix("resnet_residual") {
                let names = c.inputs.keys.sorted()
                XCTAssertEqual(names.count, 11, "X and ten parameters")
                // Output (4, 6, 3, 3) from a 6×6 input: stride 2.
                XCTAssertEqual(c.output.shape, [4, 6, 3, 3])
                check(c, inputNames: names, atol: 1e-4) { xs in
                    GoldenConvPoolTests.residual(Dictionary(uniqueKeysWithValues: zip(names, xs)), strides: 2)
                }
            } else {
                let stride = pair(c.attrs["stride"], "stride"), padding = pair(c.attrs["padding"], "padding")
                check(c, inputNames: ["x", "weight", "bias"], atol: 1e-4) { xs in
                    Tensor.conv2d(xs[0], weight: xs[1], bias: xs[2], stride: stride, padding: padding)
                }
            }
        }
    }
}

/// Channel concatenation (GoogLeNet's Inception, DenseNet) with its gradient, alone and in a
/// DenseNet-style chain with batch norm and convolutions.
final class CNNGoldenTests: XCTestCase {
    /// `torch.cat` along channels, as Inception and DenseNet use it: values in place and each
    /// input's gradient is its slice of the upstream gradient.
    func testChannelConcatenationAndGradient() {
        var gen = SeededGenerator(seed: 9)
        let a = Tensor.uniform([2, 1, 2, 3], low: -1, high: 1, generator: &gen)
        let b = Tensor.uniform([2, 3, 2, 3], low: -1, high: 1, generator: &gen)
        let c = Tensor.uniform([2, 2, 2, 3], low: -1, high: 1, generator: &gen)
        let y = Tensor.concatenate([a, b, c], axis: 1)
        XCTAssertEqual(y.shape, [2, 6, 2, 3])
        for n in 0..<2 {
            for h in 0..<2 {
                for w in 0..<3 {
                    XCTAssertEqual(y[n, 0, h, w], a[n, 0, h, w])
                    for k in 0..<3 { XCTAssertEqual(y[n, 1 + k, h, w], b[n, k, h, w]) }
                    for k in 0..<2 { XCTAssertEqual(y[n, 4 + k, h, w], c[n, k, h, w]) }
                }
            }
        }
        // Gradient of sum(y ⊙ cot): the cotangent's channel slices.
        let cot = Tensor.arange(72).reshaped(to: [2, 6, 2, 3])
        let grads = autogradGradients([a, b, c], cotangent: cot) { Tensor.concatenate($0, axis: 1) }
        XCTAssertEqual(grads[0].scalars, cot.slice(axis: 1, 0..<1).scalars)
        XCTAssertEqual(grads[1].scalars, cot.slice(axis: 1, 1..<4).scalars)
        XCTAssertEqual(grads[2].scalars, cot.slice(axis: 1, 4..<6).scalars)
        for r in gradCheck([a, b, c], label: "concatenate channels", { Tensor.concatenate($0, axis: 1) }) {
            XCTAssertTrue(r.ok, r.description)
        }
    }

    /// A DenseNet-style chain: batch norm, activation, conv, concatenated with its input, twice;
    /// the gradient of every weight matches finite differences. (Sigmoid stands in for ReLU:
    /// finite differences across ReLU's kink at 0 are meaningless, and normalised values sit near 0.)
    func testDenseBlockGradients() {
        var gen = SeededGenerator(seed: 4)
        func u(_ s: [Int]) -> Tensor { Tensor.uniform(s, low: -1, high: 1, generator: &gen) }
        let inputs = [u([2, 2, 4, 4]), u([3, 2, 3, 3]), u([3]), u([2, 5, 3, 3]), u([2])]
        let f: ([Tensor]) -> Tensor = { xs in
            var x = xs[0]
            for (w, b) in [(xs[1], xs[2]), (xs[3], xs[4])] {
                let bn = Tensor.batchNorm(x, gamma: nil, beta: nil).output.sigmoid()
                x = Tensor.concatenate([x, Tensor.conv2d(bn, weight: w, bias: b, padding: 1)], axis: 1)
            }
            return x
        }
        XCTAssertEqual(withNoGrad { f(inputs) }.shape, [2, 7, 4, 4])
        for r in gradCheck(inputs, h: 1e-2, atol: 3e-3, rtol: 3e-2, label: "dense block", f) {
            XCTAssertTrue(r.ok, r.description)
        }
    }
}
