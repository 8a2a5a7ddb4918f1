import TestSupport
import Foundation
import Tensor
import XCTest
@testable import D2L

final class DataFashionMNISTTests: XCTestCase {
    func testLoadsBothSplitsWithKnownSums() throws {
        let hub = try TestData.require(.fashionMNIST)
        let start = Date()
        let train = try readIDXImageSet(.fashionMNIST, split: "train", hub: hub)
        let trainTime = Date().timeIntervalSince(start)
        let test = try readIDXImageSet(.fashionMNIST, split: "t10k", hub: hub)
        print(String(format: "Fashion-MNIST: 60000 training images decoded in %.3f s (%.0f MB/s of output)",
                     trainTime, Double(train.images.count) / trainTime / 1e6))
        XCTAssertLessThan(trainTime, 1.0)
        // Reference values computed once with python3 gzip + numpy.
        XCTAssertEqual(train.count, 60000); XCTAssertEqual(test.count, 10000)
        XCTAssertEqual(train.rows, 28); XCTAssertEqual(train.cols, 28)
        XCTAssertEqual(train.images.reduce(0) { $0 + Int($1) }, 3_431_114_169)
        XCTAssertEqual(test.images.reduce(0) { $0 + Int($1) }, 573_469_082)
        XCTAssertEqual(train.labels.reduce(0) { $0 + Int($1) }, 270_000)
        XCTAssertEqual(Array(train.labels.prefix(10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        XCTAssertEqual(Array(test.labels.prefix(10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7])
        XCTAssertEqual(train.images[0..<784].reduce(0) { $0 + Int($1) }, 76247)
        XCTAssertEqual(test.images[(9999 * 784)...].reduce(0) { $0 + Int($1) }, 24390)
    }

    func testIteratorsBatchesShapesAndValues() throws {
        let start = Date()
        let (train, test) = try loadDataFashionMNIST(batchSize: 256, hub: TestData.require(.fashionMNIST), seed: 1)
        print(String(format: "loadDataFashionMNIST(batchSize: 256): %.3f s", Date().timeIntervalSince(start)))
        XCTAssertEqual(train.count, 235); XCTAssertEqual(train.numExamples, 60000)
        XCTAssertEqual(test.count, 40); XCTAssertEqual(test.numExamples, 10000)
        var n = 0, batches = 0, lastSize = 0, labelSum = 0
        var pixelSum = 0.0, lo: Float = 1, hi: Float = 0
        let epochStart = Date()
        for (X, y) in train {
            XCTAssertEqual(Array(X.shape[1...]), [1, 28, 28])
            XCTAssertEqual(y.shape, [X.shape[0]])
            n += X.shape[0]; batches += 1; lastSize = X.shape[0]
            labelSum += y.labelIndices.reduce(0, +)
            X.withUnsafeBufferPointer { p in
                for v in p { pixelSum += Double(v); lo = min(lo, v); hi = max(hi, v) }
            }
        }
        print(String(format: "one training epoch of batches: %.3f s", Date().timeIntervalSince(epochStart)))
        XCTAssertEqual(n, 60000); XCTAssertEqual(batches, 235); XCTAssertEqual(lastSize, 96)
        XCTAssertEqual(labelSum, 270_000, "every example exactly once")
        XCTAssertEqual(pixelSum, 3_431_114_169.0 / 255, accuracy: 1)
        XCTAssertEqual(lo, 0); XCTAssertEqual(hi, 1)
        // Test split is not shuffled; train reshuffles each epoch.
        let first = firstBatch(test)
        XCTAssertEqual(Array(first.y.labelIndices.prefix(4)), [9, 2, 1, 1])
        var it1 = train.makeIterator(), it2 = train.makeIterator()
        XCTAssertNotEqual(it1.next()!.y.labelIndices, it2.next()!.y.labelIndices)
        XCTAssertEqual(getFashionMNISTLabels([0, 9, 5]), ["t-shirt", "ankle boot", "sandal"])
    }

    func testResizedBatches() throws {
        let hub = try TestData.require(.fashionMNIST)
        let (_, test) = try loadDataFashionMNIST(batchSize: 8, resize: 96, hub: hub)
        let (X, _) = firstBatch(test)
        XCTAssertEqual(X.shape, [8, 1, 96, 96])
        // Upsampling keeps the mean brightness roughly.
        let small = firstBatch(try loadDataFashionMNIST(batchSize: 8, hub: hub).test).X
        let m96 = X.scalars.reduce(0, +) / Float(X.count), m28 = small.scalars.reduce(0, +) / Float(small.count)
        XCTAssertEqual(m96, m28, accuracy: 0.01)
        // Cost of the AlexNet setting: one batch of 128 resized to 224×224.
        let (_, big) = try loadDataFashionMNIST(batchSize: 128, resize: 224, hub: hub)
        let start = Date()
        let (B, _) = firstBatch(big)
        print(String(format: "one batch of 128 images resized to 224: %.3f s", Date().timeIntervalSince(start)))
        XCTAssertEqual(B.shape, [128, 1, 224, 224])
    }

    func testMNISTMissingGivesAHelpfulError() {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-empty-\(UUID().uuidString)").path
        let hub = DataHub(dataDirectory: empty, checkoutDatasets: nil, allowDownload: false)
        XCTAssertThrowsError(try loadDataFashionMNIST(batchSize: 10, dataset: .mnist, hub: hub)) { e in
            let msg = "\(e)"
            XCTAssert(msg.contains("MNIST"), msg)
            XCTAssert(msg.contains(empty + "/mnist/train-images-idx3-ubyte.gz"), msg)
            XCTAssert(msg.contains("D2L_DATA_DIR"), msg)
        }
    }
}

final class DataResizeTests: XCTestCase {
    func testConstantImageStaysConstant() {
        for (a, b) in [(28, 96), (28, 224), (28, 14), (28, 28), (5, 3)] {
            let r = ImageResizer(inSize: a, outSize: b)
            XCTAssertEqual(Set(r.resize([UInt8](repeating: 137, count: a * a))), [137], "\(a)→\(b)")
        }
    }

    func testHandComputedWeights() {
        // 4→2 (scale 2, triangle stretched to support 2): output 0 has centre 1, source pixels
        // 0,1,2 with weights 0.75, 0.75, 0.25 (normalised by 1.75).
        let r = ImageResizer(inSize: 4, outSize: 2)
        var img = [UInt8](repeating: 0, count: 16)
        for y in 0..<4 { img[y * 4 + 0] = 0; img[y * 4 + 1] = 100; img[y * 4 + 2] = 200; img[y * 4 + 3] = 40 }
        let out = r.resize(img)
        XCTAssertEqual(out[0], 71)  // (0·.75 + 100·.75 + 200·.25) / 1.75 = 71.43
        // 2→4 upsampling: plain bilinear with half-pixel centres: 10, 20 → 10, 12.5, 17.5, 20.
        let up = ImageResizer(inSize: 2, outSize: 4).resize([10, 20, 10, 20])
        XCTAssertEqual(Array(up[0..<4]), [10, 13, 18, 20])  // 12.5 and 17.5 round half up
    }
}

/// The first element of a sequence (one `for` step).
func firstBatch<S: Sequence>(_ s: S) -> S.Element {
    var it = s.makeIterator()
    return it.next()!
}
