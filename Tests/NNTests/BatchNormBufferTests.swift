import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// `BatchNorm1d`/`BatchNorm2d` keep their running statistics as module buffers under PyTorch's
/// names, so they appear in `namedBuffers()`, the state dict and safetensors files (issue 8 §4).
final class BatchNormBufferTests: XCTestCase {
    private func tempURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("bn-buffers-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    private func model() -> Sequential {
        Sequential(Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3), BatchNorm2d(numFeatures: 3), ReLU())
    }

    func testBuffersAreNamedAsInPyTorch() {
        let net = model()
        XCTAssertEqual(net.namedBuffers().map(\.name), ["1.running_mean", "1.running_var", "1.num_batches_tracked"])
        let state = net.stateDict()
        XCTAssertEqual(state["1.num_batches_tracked"]?.dtype, .int64)
        XCTAssertEqual(state["1.running_var"]?.tensor.scalars, [1, 1, 1])
        XCTAssertEqual(net.parameters().count, 4, "conv weight and bias, γ and β; buffers are not parameters")
        XCTAssertTrue(BatchNorm1d(numFeatures: 2, trackRunningStats: false).namedBuffers().isEmpty)
    }

    /// Training moves the buffers the state dict sees (not a copy).
    func testStateDictSeesTrainingUpdates() {
        Tensor.manualSeed(7)
        let net = model()
        _ = net(Tensor.randn([4, 2, 5, 5]) + 3)
        let bn = net[1] as! BatchNorm2d
        let state = net.stateDict()
        XCTAssertEqual(bn.numBatchesTracked, 1)
        XCTAssertEqual(state["1.num_batches_tracked"]?.tensor.scalars, [1])
        XCTAssertEqual(state["1.running_mean"]?.tensor.scalars, bn.runningMean!.scalars)
        XCTAssertNotEqual(bn.runningMean!.scalars, [0, 0, 0])
    }

    func testBatchNorm2dBuffersRoundTripThroughSafetensors() throws {
        Tensor.manualSeed(8)
        let net = model()
        for _ in 0..<3 { _ = net(Tensor.randn([4, 2, 5, 5]) * 2 + 1) }
        let url = tempURL("bn2d.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try net.saveParameters(to: url)

        let raw = try loadStateTensors(from: url)
        XCTAssertEqual(Set(raw.keys), ["0.weight", "0.bias", "1.weight", "1.bias",
                                       "1.running_mean", "1.running_var", "1.num_batches_tracked"])
        guard case .int64(let shape, let counts)? = raw["1.num_batches_tracked"] else {
            return XCTFail("num_batches_tracked is not an I64 entry")
        }
        XCTAssertEqual(shape, [])
        XCTAssertEqual(counts, [3])

        let clone = model()
        let (bn, cloneBN) = (net[1] as! BatchNorm2d, clone[1] as! BatchNorm2d)
        XCTAssertNotEqual(cloneBN.runningMean!.scalars, bn.runningMean!.scalars)
        try clone.loadParameters(from: url)
        XCTAssertEqual(cloneBN.runningMean!.scalars, bn.runningMean!.scalars)
        XCTAssertEqual(cloneBN.runningVar!.scalars, bn.runningVar!.scalars)
        XCTAssertEqual(cloneBN.numBatchesTracked, 3)
        net.eval(); clone.eval()
        let x = Tensor.randn([2, 2, 5, 5])
        XCTAssertEqual(clone(x).scalars, net(x).scalars, "evaluation uses the loaded running statistics")
    }
}
