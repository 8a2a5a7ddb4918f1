import Tensor

/// Minibatches over an in-memory data set (the book's `DataLoader` / `load_array`, §3.3).
///
/// Iterating visits every example once, in batches of `batchSize`; the last batch keeps the
/// remainder (60000 examples at 256 → 235 batches, the last with 96). With `shuffle`, each
/// `makeIterator()` (each `for … in`) draws a new permutation from a `SeededGenerator`, so
/// every epoch has its own order and a fixed seed reproduces them all. Batches are assembled
/// by `makeBatch(indices)`, one allocation per batch (not per example).
public struct BatchIterator<Element>: Sequence {
    public let numExamples: Int
    public let batchSize: Int
    public let shuffle: Bool
    let makeBatch: ([Int]) -> Element
    private let rng: GeneratorBox

    final class GeneratorBox { var generator: SeededGenerator; init(_ g: SeededGenerator) { generator = g } }

    /// - Parameter seed: seed of the shuffling generator; `nil` draws one from
    ///   `GlobalRandom.generator` (so `Tensor.manualSeed` fixes it).
    public init(numExamples: Int, batchSize: Int, shuffle: Bool, seed: UInt64? = nil,
                file: StaticString = #fileID, line: UInt = #line,
                makeBatch: @escaping ([Int]) -> Element) {
        shapeCheck(batchSize > 0, "BatchIterator: batchSize must be positive, got \(batchSize)", file: file, line: line)
        shapeCheck(numExamples >= 0, "BatchIterator: numExamples must not be negative, got \(numExamples)", file: file, line: line)
        self.numExamples = numExamples; self.batchSize = batchSize; self.shuffle = shuffle
        self.makeBatch = makeBatch
        rng = GeneratorBox(SeededGenerator(seed: seed ?? GlobalRandom.generator.next()))
    }

    /// Number of batches per epoch (⌈numExamples / batchSize⌉).
    public var count: Int { (numExamples + batchSize - 1) / batchSize }

    public func makeIterator() -> Iterator {
        var order = Array(0..<numExamples)
        if shuffle { order.shuffle(using: &rng.generator) }
        return Iterator(order: order, batchSize: batchSize, makeBatch: makeBatch)
    }

    public struct Iterator: IteratorProtocol {
        let order: [Int]
        let batchSize: Int
        let makeBatch: ([Int]) -> Element
        var position = 0

        public mutating func next() -> Element? {
            guard position < order.count else { return nil }
            let end = Swift.min(position + batchSize, order.count)
            defer { position = end }
            return makeBatch(Array(order[position..<end]))
        }
    }
}

/// Batches of features `X` and targets `y` (class labels as Float, or regression targets).
public typealias DataIterator = BatchIterator<(X: Tensor, y: Tensor)>

/// The book's `load_array((features, labels), batch_size, is_train)` (§3.3): minibatches of
/// rows of `features` (n, …) and `labels` (n, …), shuffled when `shuffle` is true.
public func loadArray(features: Tensor, labels: Tensor, batchSize: Int, shuffle: Bool = true,
                      seed: UInt64? = nil, file: StaticString = #fileID, line: UInt = #line) -> DataIterator {
    let n = features.shape.first ?? 0
    shapeCheck(labels.shape.first == n,
               "loadArray: features \(describeShape(features.shape)) and labels \(describeShape(labels.shape)) have different numbers of rows",
               file: file, line: line)
    let f = features.detached(), l = labels.detached()
    return DataIterator(numExamples: n, batchSize: batchSize, shuffle: shuffle, seed: seed, file: file, line: line) { idx in
        (gatherRows(f, idx), gatherRows(l, idx))
    }
}

/// Rows `indices` of `t` along its first axis, as a new tensor (B, …).
func gatherRows(_ t: Tensor, _ indices: [Int]) -> Tensor {
    let n = t.shape.first ?? 1
    let rowSize = n == 0 ? 0 : t.count / n
    let s = TensorStorage(uninitializedCount: indices.count * rowSize)
    // Rows are scattered over the data set (cache misses): copy them on all cores once a batch
    // is big enough to pay for the threads (a Fashion-MNIST batch of 256 × 784 floats is).
    let src = UnsafePointer(t.storage.pointer), dst = s.pointer
    indices.withUnsafeBufferPointer { idx in
        Parallel.forRanges(idx.count, minChunk: max(1, 32_768 / max(rowSize, 1))) { rows in
            for k in rows { (dst + k &* rowSize).update(from: src + idx[k] &* rowSize, count: rowSize) }
        }
    }
    var shape = t.shape
    if shape.isEmpty { shape = [indices.count] } else { shape[0] = indices.count }
    return Tensor(shape: shape, storage: s)
}

extension Tensor {
    /// Class labels stored as Float (as the iterators' `y`) converted to `Int`s; a value that is
    /// not a whole number (NaN, ±∞) becomes −1 instead of trapping (see `classIndices`).
    public var labelIndices: [Int] { classIndices(self) }
}
