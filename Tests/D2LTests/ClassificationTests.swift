import NN
import Tensor
import XCTest
@testable import D2L

final class ClassificationTests: XCTestCase {
    func testAccuracyCountsCorrectPredictions() {
        // Book §3.6.5: y_hat = [[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]], y = [0, 2] → 1 correct.
        let yHat = Tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
        XCTAssertEqual(accuracy(yHat, Tensor([0, 2])), 1)
        XCTAssertEqual(accuracy(yHat, Tensor([2, 2])), 2)
        XCTAssertEqual(accuracy(Tensor([1, 0, 3]), Tensor([1, 1, 3])), 2)  // labels given directly
    }

    func testEvaluateAccuracyOverBatchesAndRestoresMode() {
        // A "net" that predicts class = round(x) over 10 examples, 7 of them right.
        let X = Tensor(shape: [10, 1], scalars: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
        let y = Tensor([0, 1, 2, 0, 1, 2, 0, 2, 0, 1])
        let iter = loadArray(features: X, labels: y, batchSize: 3, shuffle: false)
        let oneHot: (Tensor) -> Tensor = { x in Tensor.oneHot(x.reshaped(to: [-1]), depth: 3) }
        XCTAssertEqual(evaluateAccuracy(oneHot, iter), 0.7, accuracy: 1e-12)

        let net = Sequential(Dropout(0.5))
        net.train()
        let identityIter = loadArray(features: Tensor.oneHot([0, 1, 2, 1], depth: 3), labels: Tensor([0, 1, 2, 1]),
                                     batchSize: 4, shuffle: false)
        XCTAssertEqual(evaluateAccuracy(net, identityIter), 1.0)  // dropout is off while evaluating
        XCTAssertTrue(net.isTraining)  // and the mode is restored
    }

    /// Issue 9 item 5: a NaN or infinite label converts to −1 (matches no class) instead of
    /// trapping in `Int(Float.nan)` (before: SIGILL in `labelIndices`).
    func testLabelIndicesOfNonFiniteLabelsDoNotTrap() {
        let y = Tensor([0, .nan, 2, .infinity, 2.5])
        XCTAssertEqual(y.labelIndices, [0, -1, 2, -1, -1])
    }
}
