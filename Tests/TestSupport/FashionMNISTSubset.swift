import D2L
import Tensor

/// A few batches of real Fashion-MNIST for fast chapter tests: the first
/// `batchSize · (trainBatches + testBatches)` images of the test split (file order, found
/// through `TestData.require(.fashionMNIST)`, so a test is skipped without the data set),
/// split into a training iterator (unshuffled unless `shuffle`) and a test iterator.
/// X: (B, 1, 28, 28), y: (B). Cached, since decoding takes ~0.3 s.
public func fashionMNISTSubset(batchSize: Int = 64, trainBatches: Int = 2, testBatches: Int = 2,
                               shuffle: Bool = false, file: StaticString = #filePath,
                               line: UInt = #line) throws -> (train: DataIterator, test: DataIterator) {
    let n = batchSize * (trainBatches + testBatches)
    let (X, y) = try fashionMNISTHead(n, file: file, line: line)
    let nTrain = batchSize * trainBatches
    return (loadArray(features: X.slice(axis: 0, 0..<nTrain), labels: y.slice(axis: 0, 0..<nTrain),
                      batchSize: batchSize, shuffle: shuffle, seed: 1),
            loadArray(features: X.slice(axis: 0, nTrain..<n), labels: y.slice(axis: 0, nTrain..<n),
                      batchSize: batchSize, shuffle: false))
}

nonisolated(unsafe) private var cachedHead: (X: Tensor, y: Tensor)?

private func fashionMNISTHead(_ n: Int, file: StaticString, line: UInt) throws -> (X: Tensor, y: Tensor) {
    if let c = cachedHead, c.X.shape[0] >= n {
        return (c.X.slice(axis: 0, 0..<n), c.y.slice(axis: 0, 0..<n))
    }
    let set = try readIDXImageSet(.fashionMNIST, split: "t10k", hub: TestData.require(.fashionMNIST, file: file, line: line))
    let m = max(n, 1024), pixels = set.rows * set.cols
    let X = Tensor(shape: [m, 1, set.rows, set.cols], scalars: set.images.prefix(m * pixels).map { Float($0) / 255 })
    let y = Tensor(set.labels.prefix(m).map { Float($0) })
    cachedHead = (X, y)
    return (X.slice(axis: 0, 0..<n), y.slice(axis: 0, 0..<n))
}
