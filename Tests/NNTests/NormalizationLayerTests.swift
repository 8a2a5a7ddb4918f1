import XCTest
import Tensor
import NN
import TestSupport

/// `BatchNorm1d`, `BatchNorm2d` and `LayerNorm` with PyTorch's semantics: running statistics
/// (golden `batchnorm_running_stats`), training vs evaluation mode, options, parameters, printing.
final class NormalizationLayerTests: XCTestCase {
    var gen = SeededGenerator(seed: 3)
    func r(_ s: [Int], _ lo: Float = -1, _ hi: Float = 1) -> Tensor { Tensor.uniform(s, low: lo, high: hi, generator: &gen) }

    func assertClose(_ a: Tensor?, _ b: Tensor, atol: Float = 1e-5, _ label: String = "",
                     file: StaticString = #filePath, line: UInt = #line) {
        guard let a else { return XCTFail("\(label): nil", file: file, line: line) }
        let c = compare(a, b, atol: atol, label: label)
        XCTAssertTrue(c.ok, c.description, file: file, line: line)
    }

    func testGoldenRunningStats() throws {
        let c = try Golden.case("norm", "batchnorm_running_stats")
        let bn = BatchNorm1d(numFeatures: 3, momentum: Float(c.attrs["momentum"] as? Double ?? 0.1))
        _ = bn(c.input("x"))
        let out = try XCTUnwrap(c.rawOutput as? [String: Any])
        assertClose(bn.runningMean, Golden.tensor(out["running_mean"]!)!, atol: 1e-6, "running_mean")
        assertClose(bn.runningVar, Golden.tensor(out["running_var"]!)!, atol: 1e-6, "running_var")
        XCTAssertEqual(bn.numBatchesTracked, 1)
    }

    func testGoldenTrainForwardAndGradients() throws {
        for (name, layer) in [("batchnorm_2d_train", BatchNorm1d(numFeatures: 4) as BatchNormLayer),
                              ("batchnorm_4d_train", BatchNorm2d(numFeatures: 2))] {
            checkGolden(try Golden.case("norm", name), layer, weight: layer.weight!, bias: layer.bias!)
        }
    }

    /// Sets the layer's γ and β from the case, then checks its output and the gradients of
    /// `sum(output * cotangent)` for x, γ and β.
    func checkGolden(_ c: GoldenCase, _ layer: Layer, weight: Parameter, bias: Parameter,
                     file: StaticString = #filePath, line: UInt = #line) {
        weight.value = c.input("gamma")
        bias.value = c.input("beta")
        var x = c.input("x"); x.requiresGrad = true
        let y = layer(x)
        assertClose(y, c.output, "\(c.name) output", file: file, line: line)
        (y * c.cotangent!).sum().backward()
        assertClose(x.grad, c.grad("x"), "\(c.name) dx", file: file, line: line)
        assertClose(weight.grad, c.grad("gamma"), "\(c.name) dgamma", file: file, line: line)
        assertClose(bias.grad, c.grad("beta"), "\(c.name) dbeta", file: file, line: line)
    }

    func testGoldenLayerNorm() throws {
        let ln = LayerNorm(normalizedShape: 6)
        checkGolden(try Golden.case("norm", "layernorm_lastdim"), ln, weight: ln.weight!, bias: ln.bias!)
    }

    func testRunningStatsOverSeveralBatchesAndEvalMode() {
        let bn = BatchNorm2d(numFeatures: 3)
        var mean = Tensor.zeros([3]), variance = Tensor.ones([3])
        for _ in 0..<3 {
            let x = r([4, 3, 2, 5], -2, 3)
            _ = bn(x)
            let m = x.mean(alongAxes: [0, 2, 3])
            let unbiased = (x - m.reshaped(to: [1, 3, 1, 1])).square().sum(alongAxes: [0, 2, 3]) / 39
            mean = mean * 0.9 + m * 0.1
            variance = variance * 0.9 + unbiased * 0.1
        }
        assertClose(bn.runningMean, mean, "running mean")
        assertClose(bn.runningVar, variance, "running var")
        XCTAssertEqual(bn.numBatchesTracked, 3)

        // Eval: normalises with the running statistics, leaves them alone.
        bn.eval()
        let x = r([2, 3, 2, 2])
        let y = bn(x)
        let expected = (x - mean.reshaped(to: [1, 3, 1, 1])) / (variance.reshaped(to: [1, 3, 1, 1]) + 1e-5).sqrt()
        assertClose(y, expected, "eval output")
        assertClose(bn.runningMean, mean, "running mean unchanged in eval")
        XCTAssertEqual(bn.numBatchesTracked, 3)
    }

    func testCumulativeAverageWithoutMomentum() {
        let bn = BatchNorm1d(numFeatures: 2, momentum: nil)
        let a = r([5, 2]), b = r([5, 2])
        _ = bn(a); _ = bn(b)
        // f = 1/1 then 1/2: the plain average of the two batch means.
        assertClose(bn.runningMean, (a.mean(alongAxes: [0]) + b.mean(alongAxes: [0])) / 2, "cumulative mean")
    }

    func testWithoutRunningStatsUsesBatchStatisticsInEval() {
        let bn = BatchNorm1d(numFeatures: 4, affine: false, trackRunningStats: false)
        XCTAssertTrue(bn.parameters().isEmpty)
        XCTAssertTrue(bn.ownBuffers.isEmpty)
        bn.eval()
        let x = r([6, 4], 2, 5)
        let y = bn(x)
        assertClose(y.mean(alongAxes: [0]), Tensor.zeros([4]), atol: 1e-5, "batch-normalised mean")
        XCTAssertNil(bn.runningMean)
    }

    func testParametersBuffersAndPrinting() {
        let bn = BatchNorm2d(numFeatures: 6)
        XCTAssertEqual(bn.namedParameters().map { $0.name }, ["weight", "bias"])
        XCTAssertEqual(bn.weight!.value.scalars, [Float](repeating: 1, count: 6))
        XCTAssertEqual(bn.bias!.value.scalars, [Float](repeating: 0, count: 6))
        XCTAssertEqual(bn.ownBuffers.map { $0.name }, ["running_mean", "running_var", "num_batches_tracked"])
        XCTAssertEqual(bn.description, "BatchNorm2d(numFeatures: 6, eps: 1e-05, momentum: 0.1, affine: true, trackRunningStats: true)")
        let ln = LayerNorm(normalizedShape: [2, 3])
        XCTAssertEqual(ln.namedParameters().map { $0.name }, ["weight", "bias"])
        XCTAssertEqual(ln.weight!.shape, [2, 3])
        XCTAssertEqual(ln.description, "LayerNorm(normalizedShape: (2, 3), eps: 1e-05, elementwiseAffine: true)")
        XCTAssertEqual(LayerNorm(normalizedShape: 4, bias: false).namedParameters().map { $0.name }, ["weight"])
    }

    func testInSequentialTrainsAndSwitchesMode() {
        let net = Sequential(Linear(inputSize: 5, outputSize: 4), BatchNorm1d(numFeatures: 4), ReLU(),
                             Linear(inputSize: 4, outputSize: 2))
        let x = r([8, 5])
        net(x).sum().backward()
        let bn = net[1] as! BatchNorm1d
        XCTAssertNotNil(bn.weight!.grad)
        XCTAssertEqual(bn.numBatchesTracked, 1)
        net.eval()
        XCTAssertFalse(bn.isTraining)
        _ = net(x)
        XCTAssertEqual(bn.numBatchesTracked, 1)
    }
}
