import Foundation
import NN
import Tensor
import XCTest

/// Stands in for batch normalization (book §8.5) to test the buffer API: per-feature scale and
/// shift parameters, running statistics updated in place in training mode and used in
/// evaluation mode, and an int64 batch counter, all under PyTorch's names.
final class RunningNorm: ModuleBase, Layer {
    let weight: Parameter
    let bias: Parameter
    let runningMean: Buffer
    let runningVar: Buffer
    let numBatchesTracked = Buffer(int64: 0)
    let momentum: Float = 0.1

    init(features: Int) {
        weight = Parameter(Tensor.ones([features]), name: "weight")
        bias = Parameter(Tensor.zeros([features]), name: "bias")
        runningMean = Buffer(Tensor.zeros([features]))
        runningVar = Buffer(Tensor.ones([features]))
    }

    var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }
    var ownBuffers: [(name: String, buffer: Buffer)] {
        [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", numBatchesTracked)]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        var mean = runningMean.value, variance = runningVar.value
        if isTraining {
            mean = x.mean(alongAxes: [0])
            variance = ((x - mean) * (x - mean)).mean(alongAxes: [0])
            runningMean.value.addScaled(mean.detached(), alpha: momentum, beta: 1 - momentum)
            runningVar.value.addScaled(variance.detached(), alpha: momentum, beta: 1 - momentum)
            numBatchesTracked.int64Value += 1
        }
        return (x - mean) / (variance + 1e-5).sqrt() * weight.value + bias.value
    }
}

final class BufferTests: XCTestCase {
    private func tempURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("nn-buffers-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    private func model() -> Sequential { Sequential(Linear(inputSize: 2, outputSize: 3), RunningNorm(features: 3)) }

    func testNamedBuffersAndStateDict() {
        let net = model()
        XCTAssertEqual(net.namedBuffers().map { $0.name }, ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        XCTAssertEqual(net.namedParameters().map { $0.name }, ["0.weight", "0.bias", "1.weight", "1.bias"])
        let state = net.stateDict()
        XCTAssertEqual(Set(state.keys), ["0.weight", "0.bias", "1.weight", "1.bias",
                                         "1.running_mean", "1.running_var", "1.num_batches_tracked"])
        XCTAssertEqual(state["1.num_batches_tracked"]!.dtype, .int64)
        XCTAssertEqual(state["1.num_batches_tracked"]!.shape, [])
        XCTAssertEqual(state["1.running_var"]!.tensor.scalars, [1, 1, 1])
        XCTAssertEqual(net.parameters().count, 4, "buffers are not parameters (the optimizer never sees them)")
    }

    /// Training updates the buffers in place (same storage, no graph); evaluation mode uses them.
    func testTrainingUpdatesBuffersInPlace() {
        Tensor.manualSeed(3)
        let net = model()
        let norm = net[1] as! RunningNorm
        let before = norm.runningMean.value
        let x = Tensor.randn([8, 2])
        _ = net(x)
        _ = net(x)
        XCTAssertEqual(norm.numBatchesTracked.int64Value, 2)
        XCTAssertFalse(norm.runningMean.value.requiresGrad)
        XCTAssertNotEqual(norm.runningMean.value.scalars, [0, 0, 0])
        XCTAssertEqual(before.scalars, [0, 0, 0], "the old value is not written through (copy-on-write)")
        let mean = norm.runningMean.value
        net.eval()
        XCTAssertFalse(norm.isTraining)
        _ = net(x)
        XCTAssertEqual(norm.numBatchesTracked.int64Value, 2, "evaluation mode leaves the buffers alone")
        XCTAssertEqual(norm.runningMean.value.scalars, mean.scalars)
        net.train()
        XCTAssert(net.modules().allSatisfy { $0.isTraining })
    }

    func testBuffersRoundTripThroughSafetensors() throws {
        Tensor.manualSeed(4)
        let net = model()
        let norm = net[1] as! RunningNorm
        for _ in 0..<3 { _ = net(Tensor.randn([16, 2])) }
        norm.numBatchesTracked.int64Value = (1 << 40) + 3   // beyond Float's exact integers
        let url = tempURL("norm.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.saveParameters(to: url)

        let raw = try loadStateTensors(from: url)
        guard case .int64(let shape, let counts)? = raw["1.num_batches_tracked"] else {
            return XCTFail("num_batches_tracked is not saved as I64: \(String(describing: raw["1.num_batches_tracked"]))")
        }
        XCTAssertEqual(shape, [])
        XCTAssertEqual(counts, [(1 << 40) + 3])

        let clone = model()
        let cloneNorm = clone[1] as! RunningNorm
        XCTAssertNotEqual(cloneNorm.runningMean.value.scalars, norm.runningMean.value.scalars)
        try clone.loadParameters(from: url)
        XCTAssertEqual(cloneNorm.runningMean.value.scalars, norm.runningMean.value.scalars)
        XCTAssertEqual(cloneNorm.runningVar.value.scalars, norm.runningVar.value.scalars)
        XCTAssertEqual(cloneNorm.numBatchesTracked.int64Value, (1 << 40) + 3)
        net.eval(); clone.eval()
        let x = Tensor.randn([5, 2])
        XCTAssertEqual(clone(x).scalars, net(x).scalars)
    }

    /// Written by Python (json + struct) the way PyTorch's `safetensors.torch.save_file(state_dict)`
    /// lays out `Sequential(Linear(2, 3), BatchNorm1d(3))`: metadata first, the int64 entry before
    /// the float32 ones, `num_batches_tracked` = 2⁴⁰ + 7 as an I64 scalar.
    private let pytorchFile = """
        6AEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCJ9LCIxLm51bV9iYXRjaGVzX3RyYWNrZWQiOnsiZHR5cGUiOiJJNjQiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzAsOF19LCIwLmJpYXMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls4LDIwXX0sIjAud2VpZ2h0Ijp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOlszLDJdLCJkYXRhX29mZnNldHMiOlsyMCw0NF19LCIxLmJpYXMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls0NCw1Nl19LCIxLnJ1bm5pbmdfbWVhbiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzU2LDY4XX0sIjEucnVubmluZ192YXIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOls2OCw4MF19LCIxLndlaWdodCI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzgwLDkyXX19ICAgIAcAAAAAAQAAAACAPgAAgL4AAEA/AAAAPwAAgL8AAMA/AAAAwAAAIEAAAEDAAAAAAAAAgL8AAIA/AAAAPgAAAL8AAABAAADAPwAAIEAAAGBAAACAPwAAAEAAAAA/
        """

    func testLoadsPyTorchStyleBatchNormFile() throws {
        let url = tempURL("pytorch-bn.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(base64Encoded: pytorchFile)!.write(to: url)
        let net = model()
        try net.loadParameters(from: url)
        let norm = net[1] as! RunningNorm
        XCTAssertEqual((net[0] as! Linear).weight.value.scalars, [0.5, -1, 1.5, -2, 2.5, -3])
        XCTAssertEqual(norm.weight.value.scalars, [1, 2, 0.5])
        XCTAssertEqual(norm.runningMean.value.scalars, [0.125, -0.5, 2])
        XCTAssertEqual(norm.runningVar.value.scalars, [1.5, 2.5, 3.5])
        XCTAssertEqual(norm.numBatchesTracked.int64Value, (1 << 40) + 7)
        // The float-only reader says how to read the integer entry.
        XCTAssertThrowsError(try loadSafetensors(from: url)) { e in
            XCTAssert("\(e)".contains("'1.num_batches_tracked' has dtype I64"), "\(e)")
        }
    }

    func testLoadRejectsMissingBufferAndWrongDType() throws {
        let net = model()
        var state = net.stateDict()
        state["1.running_var"] = nil
        XCTAssertThrowsError(try net.loadStateDict(state)) { e in
            XCTAssert("\(e)".contains("missing keys [\"1.running_var\"]"), "\(e)")
        }
        state = net.stateDict()
        state["1.num_batches_tracked"] = .float32(Tensor(3))
        XCTAssertThrowsError(try net.loadStateDict(state)) { e in
            XCTAssert("\(e)".contains("'1.num_batches_tracked' has dtype F32 in the file but I64 in the model"), "\(e)")
        }
    }
}
