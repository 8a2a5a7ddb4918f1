import TestSupport
import Tensor
import XCTest
@testable import D2L

final class DataTabularTests: XCTestCase {
    func testCSVQuotingAndMissingValues() throws {
        let t = try CSVTable(parsing: "a,b,c\r\n1,\"x, \"\"y\"\"\",NA\n2,\"multi\nline\",\n")
        XCTAssertEqual(t.header, ["a", "b", "c"])
        XCTAssertEqual(t.rows, [["1", "x, \"y\"", "NA"], ["2", "multi\nline", ""]])
        XCTAssert(CSVTable.isMissing(t.rows[0][2]) && CSVTable.isMissing(t.rows[1][2]))
        XCTAssertThrowsError(try CSVTable(parsing: "a,b\n1,2,3\n")) { e in XCTAssert("\(e)".contains("3 fields"), "\(e)") }
        XCTAssertThrowsError(try CSVTable(parsing: "a\n\"open\n"))
    }

    func testKaggleHousePreprocessingOfSection4_10() throws {
        let (train, test) = try readKaggleHouseData(hub: TestData.require(.kaggleHouse))
        XCTAssertEqual(train.rows.count, 1460); XCTAssertEqual(test.rows.count, 1459)
        XCTAssertEqual(train.header.count, 81)
        let data = try preprocessKaggleHouseData(train: train, test: test)
        XCTAssertEqual(data.trainFeatures.shape, [1460, 331], "the book's all_features has 331 columns")
        XCTAssertEqual(data.testFeatures.shape, [1459, 331])
        XCTAssertEqual(data.trainLabels.shape, [1460, 1])
        XCTAssertEqual(data.trainLabels[0, 0], 208_500)
        let lot = data.featureNames.firstIndex(of: "LotFrontage")!
        XCTAssertEqual(data.trainFeatures[0, lot], -0.18444262, accuracy: 1e-5)  // numpy, ddof = 1
        XCTAssert(data.featureNames.contains("MSZoning_nan"))
        XCTAssertEqual(data.testIDs.first, "1461")
    }

    func testAirfoilGetDataCh11() throws {
        let (iter, dim) = try getDataCh11(batchSize: 10, n: 1500, hub: TestData.require(.airfoil), seed: 0)
        XCTAssertEqual(dim, 5)
        XCTAssertEqual(iter.numExamples, 1500); XCTAssertEqual(iter.count, 150)
        var ySum: Double = 0
        var sawFirst = false
        for (X, y) in iter {
            XCTAssertEqual(X.shape[1], 5); XCTAssertEqual(y.shape, [X.shape[0]])
            ySum += y.scalars.reduce(0) { $0 + Double($1) }
            // Row 0 of the file, standardised (numpy float64 reference values).
            let row0: [Float] = [-0.662022703398098, -1.1464029336161865, 1.7992992570062716, 1.3129352584212675, -0.6448046088616127]
            for r in 0..<X.shape[0] where (0..<5).allSatisfy({ abs(X[r, $0] - row0[$0]) < 1e-5 }) {
                XCTAssertEqual(y[r], 0.1979387627721156, accuracy: 1e-5)
                sawFirst = true
            }
        }
        XCTAssertEqual(ySum, 8.334225, accuracy: 1e-4)  // numpy float64 reference
        XCTAssert(sawFirst, "row 0 standardised as numpy does")
    }

    func testSyntheticDataOfSection3_2() {
        var g = SeededGenerator(seed: 42)
        let (X, y) = syntheticData(w: Tensor([2, -3.4]), b: 4.2, numExamples: 1000, generator: &g)
        XCTAssertEqual(X.shape, [1000, 2]); XCTAssertEqual(y.shape, [1000, 1])
        var maxResidual: Float = 0, sumResidual: Float = 0
        for i in 0..<1000 {
            let r = y[i, 0] - (2 * X[i, 0] - 3.4 * X[i, 1] + 4.2)
            maxResidual = max(maxResidual, abs(r)); sumResidual += r * r
        }
        XCTAssertLessThan(maxResidual, 0.06)
        XCTAssertEqual((sumResidual / 1000).squareRoot(), 0.01, accuracy: 0.002, "noise std 0.01")
        let xs = X.scalars
        XCTAssertEqual(xs.reduce(0, +) / 2000, 0, accuracy: 0.1)
    }
}

final class DataIteratorTests: XCTestCase {
    func testBatchingShufflingAndLastPartialBatch() {
        let features = Tensor(shape: [10, 2], scalars: (0..<20).map(Float.init))
        let labels = Tensor((0..<10).map(Float.init))
        let iter = loadArray(features: features, labels: labels, batchSize: 4, shuffle: true, seed: 5)
        XCTAssertEqual(iter.count, 3); XCTAssertEqual(iter.numExamples, 10)
        let epoch1 = Array(iter), epoch2 = Array(iter)
        XCTAssertEqual(epoch1.map { $0.X.shape[0] }, [4, 4, 2])
        let order1 = epoch1.flatMap { $0.y.labelIndices }, order2 = epoch2.flatMap { $0.y.labelIndices }
        XCTAssertEqual(order1.sorted(), Array(0..<10)); XCTAssertEqual(order2.sorted(), Array(0..<10))
        XCTAssertNotEqual(order1, order2, "a new permutation each epoch")
        for b in epoch1 {  // rows stay paired with their labels
            for r in 0..<b.X.shape[0] { XCTAssertEqual(b.X[r, 0], 2 * b.y[r]); XCTAssertEqual(b.X[r, 1], 2 * b.y[r] + 1) }
        }
        // Same seed → same epochs; no shuffle → file order.
        let again = loadArray(features: features, labels: labels, batchSize: 4, shuffle: true, seed: 5)
        XCTAssertEqual(Array(again).flatMap { $0.y.labelIndices }, order1)
        let plain = loadArray(features: features, labels: labels, batchSize: 4, shuffle: false)
        XCTAssertEqual(Array(plain).flatMap { $0.y.labelIndices }, Array(0..<10))
    }
}
