import XCTest
import Tensor
import TestSupport

/// PyTorch reference values (../shared/golden): forward outputs and the gradients of
/// `sum(output * cotangent)`, to atol 1e-5 + rtol 1e-4.
final class GoldenElementwiseTests: XCTestCase {
    /// Runs `f` on the case's inputs (in `names` order), compares output and grads.
    func verify(_ c: GoldenCase, _ names: [String], file: StaticString = #filePath, line: UInt = #line,
                _ f: @escaping ([Tensor]) -> Tensor) {
        let xs = names.map { c.input($0) }
        let out = f(xs)
        let fc = compare(out, c.output, label: "\(c.name) forward")
        XCTAssertTrue(fc.ok, "\(fc)", file: file, line: line)
        guard !c.grads.isEmpty else { return }
        let grads = autogradGradients(xs, cotangent: c.cotangent, f)
        for (name, g) in zip(names, grads) {
            let gc = compare(g, c.grad(name), label: "\(c.name) d/d\(name)")
            XCTAssertTrue(gc.ok, "\(gc)", file: file, line: line)
        }
    }

    func testElementwiseCases() throws {
        let cases = try Golden.cases("elementwise")
        XCTAssertEqual(cases.count, 11)
        for c in cases {
            switch c.name {
            case "add_broadcast": verify(c, ["a", "b"]) { $0[0] + $0[1] }
            case "sub_broadcast": verify(c, ["a", "b"]) { $0[0] - $0[1] }
            case "mul_broadcast": verify(c, ["a", "b"]) { $0[0] * $0[1] }
            case "div": verify(c, ["a", "b"]) { $0[0] / $0[1] }
            case "pow_scalar3":
                let p = Float((c.attrs["exponent"] as? NSNumber)?.floatValue ?? .nan)
                verify(c, ["a"]) { $0[0].pow(p) }
            case "exp": verify(c, ["input"]) { $0[0].exp() }
            case "log": verify(c, ["input"]) { $0[0].log() }
            case "sqrt": verify(c, ["input"]) { $0[0].sqrt() }
            case "tanh": verify(c, ["input"]) { $0[0].tanh() }
            case "sigmoid": verify(c, ["input"]) { $0[0].sigmoid() }
            case "relu": verify(c, ["input"]) { $0[0].relu() }
            default: XCTFail("unhandled golden case \(c.name)")
            }
        }
    }

    func testReduceCases() throws {
        let cases = try Golden.cases("reduce")
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let axes = (c.attrs["axis"] as? [NSNumber])?.map { $0.intValue } ?? []
            let keep = (c.attrs["keepdim"] as? Bool) ?? false
            switch c.name {
            case "sum_all": verify(c, ["input"]) { $0[0].sum() }
            case "sum_axis1_keepdim": verify(c, ["input"]) { $0[0].sum(alongAxes: axes, keepDims: keep) }
            case "mean_axes02": verify(c, ["input"]) { $0[0].mean(alongAxes: axes, keepDims: keep) }
            case "max_axis1": verify(c, ["input"]) { $0[0].max(alongAxes: axes, keepDims: keep) }
            case "argmax_axis1":
                verify(c, ["input"]) { $0[0].argmax(axis: axes[0]) }
                XCTAssertEqual(c.input("input").argmaxIndices(axis: axes[0]), c.output.scalars.map { Int($0) })
            default: XCTFail("unhandled golden case \(c.name)")
            }
        }
    }

    func testSoftmaxAndCrossEntropyCases() throws {
        verify(try Golden.case("loss", "softmax_lastdim"), ["input"]) { $0[0].softmax() }
        verify(try Golden.case("loss", "log_softmax_lastdim"), ["input"]) { $0[0].logSoftmax() }
        verify(try Golden.case("loss", "softmax_large_logits"), ["input"]) { $0[0].softmax() }
        let ce = try Golden.case("loss", "cross_entropy_mean")
        let labels = ce.intInputs["labels"]!.data
        verify(ce, ["logits"]) { -$0[0].logSoftmax().pick(labels).mean() }
    }
}
