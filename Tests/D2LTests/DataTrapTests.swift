import Testing
import Tensor
@testable import D2L

/// Programming errors in the data utilities stop with a message naming the op and the value,
/// also under -O (where `precondition` prints nothing). Exit tests: each body runs in a child
/// process that must fail, and its stderr is checked.
@Suite struct DataTrapTests {
    private func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    // Issue 9, item 9.
    @Test func truncatePadWithNegativeLengthNamesTheOpAndTheValue() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = truncatePad([1, 2], -3, 0)
        }
        #expect(stderr(result).contains("truncatePad: numSteps must not be negative, got -3"))
    }

    @Test func batchIteratorWithZeroBatchSize() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = loadArray(features: Tensor.zeros([4, 2]), labels: Tensor.zeros([4]), batchSize: 0)
        }
        #expect(stderr(result).contains("BatchIterator: batchSize must be positive, got 0"))
    }

    @Test func loadArrayWithMismatchedRows() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = loadArray(features: Tensor.zeros([4, 2]), labels: Tensor.zeros([3]), batchSize: 2)
        }
        #expect(stderr(result).contains("loadArray: features (4, 2) and labels (3) have different numbers of rows"))
    }

    @Test func imageResizerWithWrongPixelCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ImageResizer(inSize: 4, outSize: 2).resize([1, 2, 3])
        }
        #expect(stderr(result).contains("ImageResizer: expected 4×4 pixels, got 3"))
    }

    @Test func sequenceIteratorsWithZeroSteps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var g = SeededGenerator(seed: 0)
            _ = seqDataIterRandom(Array(0..<10), batchSize: 2, numSteps: 0, generator: &g)
        }
        #expect(stderr(result).contains("seqDataIterRandom: batchSize and numSteps must be positive, got batchSize 2, numSteps 0"))
    }

    @Test func fashionMNISTLabelOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = getFashionMNISTLabels([3, 10])
        }
        #expect(stderr(result).contains("getFashionMNISTLabels: label 10 outside 0…9"))
    }

    @Test func vocabIndexOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Vocab(tokens: ["a", "b"]).toTokens([1, 5])
        }
        #expect(stderr(result).contains("Vocab.toTokens: index 5 outside 0..<3"))
    }

    // Issue 9, item 1: the batch builder itself refuses a set whose shape does not match
    // (rows ≠ cols) instead of reading past the images.
    @Test func imageBatchNeverReadsOutOfBounds() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let set = IDXImageSet(images: [UInt8](repeating: 1, count: 2 * 2048), labels: [0, 1], count: 2, rows: 2048, cols: 1)
            _ = imageBatch(set, [0, 1], resizer: nil, outSide: 2048)
        }
        #expect(stderr(result).contains("imageBatch: 2 images of 2048×1"))
        let outside = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let set = IDXImageSet(images: [UInt8](repeating: 1, count: 2 * 4), labels: [0, 1], count: 2, rows: 2, cols: 2)
            _ = imageBatch(set, [0, 2], resizer: nil, outSide: 2)
        }
        #expect(stderr(outside).contains("imageBatch: index 2 outside 0..<2"))
    }
}
