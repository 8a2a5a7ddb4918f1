import XCTest
import Tensor
import TestSupport

/// Every PyTorch reference case of `conv.json` and `pool.json`: outputs and the gradients of
/// `sum(output * cotangent)` with respect to each input.
final class GoldenConvPoolTests: XCTestCase {
    /// An `Int` or `[Int]` attribute as a pair.
    func pair(_ any: Any?, _ name: String) -> (Int, Int) {
        if let v = any as? Int { return (v, v) }
        if let a = any as? [Int], a.count == 2 { return (a[0], a[1]) }
        XCTFail("attribute \(name) is neither an int nor a pair: \(String(describing: any))")
        return (1, 1)
    }

    func check(_ c: GoldenCase, inputNames: [String], atol: Float, _ f: @escaping ([Tensor]) -> Tensor) {
        let inputs = inputNames.map { c.input($0) }
        let y = withNoGrad { f(inputs) }
        let r = compare(y, c.output, atol: atol, rtol: 1e-4, label: "\(c.name) output")
        XCTAssertTrue(r.ok, r.description)
        let grads = autogradGradients(inputs, cotangent: c.cotangent, f)
        for (name, g) in zip(inputNames, grads) {
            let r = compare(g, c.grad(name), atol: atol, rtol: 1e-4, label: "\(c.name) d/d\(name)")
            XCTAssertTrue(r.ok, r.description)
        }
    }

    func testConvCases() throws {
        let cases = try Golden.cases("conv")
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            let stride = pair(c.attrs["stride"], "stride"), padding = pair(c.attrs["padding"], "padding")
            check(c, inputNames: ["x", "weight", "bias"], atol: 1e-4) { xs in
                Tensor.conv2d(xs[0], weight: xs[1], bias: xs[2], stride: stride, padding: padding)
            }
        }
    }

    func testPoolCases() throws {
        let cases = try Golden.cases("pool")
        XCTAssertEqual(cases.count, 6)
        for c in cases {
            if c.name.hasPrefix("global") {
                check(c, inputNames: ["x"], atol: 1e-5) { xs in xs[0].adaptiveAvgPool2d(1) }
                continue
            }
            let k = pair(c.attrs["kernel"], "kernel"), s = pair(c.attrs["stride"], "stride")
            let p = pair(c.attrs["padding"], "padding")
            let isMax = c.name.hasPrefix("max")
            XCTAssertTrue(isMax || c.name.hasPrefix("avg"), "unknown pool case \(c.name)")
            check(c, inputNames: ["x"], atol: 1e-5) { xs in
                isMax ? xs[0].maxPool2d(kernelSize: k, stride: s, padding: p)
                      : xs[0].avgPool2d(kernelSize: k, stride: s, padding: p)
            }
        }
    }
}
