import XCTest
import Tensor
import TestSupport

/// `Tensor.batchNorm` and `Tensor.layerNorm`: every case of the PyTorch reference `norm.json`,
/// finite-difference gradient checks, the ops written out from primitives, and shape errors.
final class NormOpTests: XCTestCase {
    var gen = SeededGenerator(seed: 5)
    func r(_ s: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor { Tensor.uniform(s, low: lo, high: hi, generator: &gen) }

    /// Output and gradients of `f(x, gamma, beta)` against a golden case.
    func checkGolden(_ c: GoldenCase, _ f: @escaping ([Tensor]) -> Tensor) {
        let names = ["x", "gamma", "beta"]
        let inputs = names.map { c.input($0) }
        let y = withNoGrad { f(inputs) }
        let out = compare(y, c.output, atol: 1e-5, rtol: 1e-4, label: "\(c.name) output")
        XCTAssertTrue(out.ok, out.description)
        let grads = autogradGradients(inputs, cotangent: c.cotangent, f)
        for (name, g) in zip(names, grads) {
            let r = compare(g, c.grad(name), atol: 1e-5, rtol: 1e-4, label: "\(c.name) d/d\(name)")
            XCTAssertTrue(r.ok, r.description)
        }
    }

    func testGoldenNormCases() throws {
        let cases = try Golden.cases("norm")
        XCTAssertEqual(cases.count, 4)
        var seen: Set<String> = []
        for c in cases {
            seen.insert(c.name)
            let eps = (c.attrs["eps"] as? Double).map(Float.init) ?? 1e-5
            switch c.name {
            case "batchnorm_2d_train", "batchnorm_4d_train":
                checkGolden(c) { xs in Tensor.batchNorm(xs[0], gamma: xs[1], beta: xs[2], eps: eps).output }
            case "layernorm_lastdim":
                let d = c.input("x").shape.last!
                checkGolden(c) { xs in Tensor.layerNorm(xs[0], normalizedShape: [d], gamma: xs[1], beta: xs[2], eps: eps) }
            case "batchnorm_running_stats":
                // One step of PyTorch's update from running mean 0 and variance 1.
                let momentum = Float(c.attrs["momentum"] as? Double ?? 0.1)
                let bn = Tensor.batchNorm(c.input("x"), gamma: nil, beta: nil)
                let runningMean = bn.mean * momentum
                let runningVar = bn.unbiasedVariance * momentum + (1 - momentum)
                guard let out = c.rawOutput as? [String: Any], let em = out["running_mean"].flatMap(Golden.tensor),
                      let ev = out["running_var"].flatMap(Golden.tensor) else { return XCTFail("malformed \(c.name)") }
                for (got, want, label) in [(runningMean, em, "running_mean"), (runningVar, ev, "running_var")] {
                    let r = compare(got, want, atol: 1e-6, rtol: 1e-5, label: "\(c.name) \(label)")
                    XCTAssertTrue(r.ok, r.description)
                }
            default:
                XCTFail("unknown norm case \(c.name)")
            }
        }
        XCTAssertEqual(seen, ["batchnorm_2d_train", "batchnorm_4d_train", "batchnorm_running_stats", "layernorm_lastdim"])
    }

    func check(_ inputs: [Tensor], _ label: String, _ f: @escaping ([Tensor]) -> Tensor,
               file: StaticString = #filePath, line: UInt = #line) {
        for c in gradCheck(inputs, h: 1e-2, label: label, f) { XCTAssertTrue(c.ok, "\(c)", file: file, line: line) }
    }

    func testBatchNormFiniteDifferences() {
        check([r([5, 3]), r([3], 0.5, 1.5), r([3])], "batchNorm (N, C)") {
            Tensor.batchNorm($0[0], gamma: $0[1], beta: $0[2]).output
        }
        check([r([2, 3, 3, 5]), r([3], 0.5, 1.5), r([3])], "batchNorm (N, C, H, W)") {
            Tensor.batchNorm($0[0], gamma: $0[1], beta: $0[2]).output
        }
        check([r([3, 2, 4])], "batchNorm (N, C, L) no affine") { Tensor.batchNorm($0[0], gamma: nil, beta: nil).output }
        let mean = r([3]), variance = r([3], 0.5, 2)
        check([r([2, 3, 2, 2]), r([3], 0.5, 1.5), r([3])], "batchNorm inference") {
            Tensor.batchNorm($0[0], mean: mean, variance: variance, gamma: $0[1], beta: $0[2])
        }
    }

    func testLayerNormFiniteDifferences() {
        check([r([4, 6]), r([6], 0.5, 1.5), r([6])], "layerNorm last axis") {
            Tensor.layerNorm($0[0], normalizedShape: [6], gamma: $0[1], beta: $0[2])
        }
        check([r([2, 3, 4]), r([3, 4], 0.5, 1.5), r([3, 4])], "layerNorm last two axes") {
            Tensor.layerNorm($0[0], normalizedShape: [3, 4], gamma: $0[1], beta: $0[2])
        }
        check([r([3, 17])], "layerNorm no affine") { Tensor.layerNorm($0[0], normalizedShape: [17], gamma: nil, beta: nil) }
    }

    /// The book's formulas from primitives (§7.5's `batch_norm`, training branch, and layer norm).
    func testMatchesPrimitiveFormulas() {
        let x = r([4, 3, 5, 2], -3, 3), gamma = r([3], 0.5, 2), beta = r([3])
        let mu = x.mean(alongAxes: [0, 2, 3], keepDims: true)
        let v = ((x - mu) * (x - mu)).mean(alongAxes: [0, 2, 3], keepDims: true)
        let expected = gamma.reshaped(to: [1, 3, 1, 1]) * (x - mu) / (v + 1e-5).sqrt() + beta.reshaped(to: [1, 3, 1, 1])
        let bn = Tensor.batchNorm(x, gamma: gamma, beta: beta)
        XCTAssertTrue(compare(bn.output, expected, atol: 1e-5).ok)
        XCTAssertTrue(compare(bn.mean, mu.reshaped(to: [3]), atol: 1e-6).ok)
        XCTAssertTrue(compare(bn.variance, v.reshaped(to: [3]), atol: 1e-6).ok)
        XCTAssertTrue(compare(bn.unbiasedVariance, v.reshaped(to: [3]) * (40 / 39), atol: 1e-6).ok)

        let h = r([2, 5, 8], -2, 2), g = r([8], 0.5, 2), b = r([8])
        let hm = h.mean(alongAxes: [-1], keepDims: true)
        let hv = ((h - hm) * (h - hm)).mean(alongAxes: [-1], keepDims: true)
        let ln = Tensor.layerNorm(h, normalizedShape: [8], gamma: g, beta: b)
        XCTAssertTrue(compare(ln, (h - hm) / (hv + 1e-5).sqrt() * g + b, atol: 1e-5).ok)
    }

    func testGradientsOnlyForWhatNeedsThem() {
        // Only gamma requires grad: x's gradient is not computed and gamma's is right.
        let x = r([6, 4]), beta = r([4])
        var gamma = r([4], 0.5, 1.5)
        gamma.requiresGrad = true
        let y = Tensor.batchNorm(x, gamma: gamma, beta: beta).output
        y.sum(alongAxes: [0]).square().sum().backward()
        let expected = autogradGradients([x, gamma, beta]) { xs in
            Tensor.batchNorm(xs[0], gamma: xs[1], beta: xs[2]).output.sum(alongAxes: [0]).square().sum()
        }[1]
        XCTAssertTrue(compare(gamma.grad!, expected, atol: 1e-5).ok)
        XCTAssertNil(x.grad)
    }

    func testNoGraphUnderNoGrad() {
        var x = r([3, 2]); x.requiresGrad = true
        let y = withNoGrad { Tensor.batchNorm(x, gamma: nil, beta: nil).output }
        XCTAssertFalse(y.requiresGrad)
    }
}
