import Tensor

/// A minibatch of language-model data: X (batchSize, numSteps) token indices and Y = X shifted
/// by one token (the next-token targets), both as Float.
public typealias SeqBatch = (X: Tensor, Y: Tensor)

/// Stops with the op and both values unless `batchSize` and `numSteps` are positive.
func checkSeqSizes(_ op: String, batchSize: Int, numSteps: Int, file: StaticString, line: UInt) {
    shapeCheck(batchSize > 0 && numSteps > 0,
               "\(op): batchSize and numSteps must be positive, got batchSize \(batchSize), numSteps \(numSteps)",
               file: file, line: line)
}

func seqBatch(_ corpus: [Int], starts: [Int], numSteps: Int) -> SeqBatch {
    let b = starts.count
    let x = TensorStorage(uninitializedCount: b * numSteps), y = TensorStorage(uninitializedCount: b * numSteps)
    for (r, s) in starts.enumerated() {
        for t in 0..<numSteps {
            x.pointer[r * numSteps + t] = Float(corpus[s + t])
            y.pointer[r * numSteps + t] = Float(corpus[s + t + 1])
        }
    }
    return (Tensor(shape: [b, numSteps], storage: x), Tensor(shape: [b, numSteps], storage: y))
}

/// Book §8.3 `seq_data_iter_random`: random sampling. Drop a random offset in 0…numSteps−1,
/// cut the rest into ⌊(len − 1)/numSteps⌋ subsequences, shuffle their starts, and serve
/// ⌊subsequences / batchSize⌋ batches. Neighbouring batches are not adjacent in the text.
public func seqDataIterRandom(_ corpus: [Int], batchSize: Int, numSteps: Int,
                              generator: inout SeededGenerator,
                              file: StaticString = #fileID, line: UInt = #line) -> [SeqBatch] {
    checkSeqSizes("seqDataIterRandom", batchSize: batchSize, numSteps: numSteps, file: file, line: line)
    let offset = Int.random(in: 0..<numSteps, using: &generator)
    let available = corpus.count - offset
    let numSubseqs = max(0, (available - 1) / numSteps)
    var starts = (0..<numSubseqs).map { offset + $0 * numSteps }
    starts.shuffle(using: &generator)
    let numBatches = numSubseqs / batchSize
    return (0..<numBatches).map { i in
        seqBatch(corpus, starts: Array(starts[(i * batchSize)..<((i + 1) * batchSize)]), numSteps: numSteps)
    }
}

/// Book §8.3 `seq_data_iter_sequential`: sequential partitioning. Drop a random offset in
/// 0…numSteps, lay the rest out as batchSize rows of ⌊(len − offset − 1)/batchSize⌋ tokens,
/// and slide a window of numSteps columns: row r of batch i continues row r of batch i−1, so
/// a hidden state can be carried across batches.
public func seqDataIterSequential(_ corpus: [Int], batchSize: Int, numSteps: Int,
                                  generator: inout SeededGenerator,
                                  file: StaticString = #fileID, line: UInt = #line) -> [SeqBatch] {
    checkSeqSizes("seqDataIterSequential", batchSize: batchSize, numSteps: numSteps, file: file, line: line)
    let offset = Int.random(in: 0...numSteps, using: &generator)
    let numTokens = max(0, (corpus.count - offset - 1) / batchSize * batchSize)
    let rowLength = numTokens / batchSize
    let numBatches = rowLength / numSteps
    return (0..<numBatches).map { i in
        seqBatch(corpus, starts: (0..<batchSize).map { r in offset + r * rowLength + i * numSteps }, numSteps: numSteps)
    }
}

/// Book §8.3 `SeqDataLoader`: the Time Machine character corpus served by one of the two
/// partition schemes; every `for … in` (epoch) draws a fresh random offset/order.
public struct SeqDataLoader: Sequence {
    public let corpus: [Int]
    public let vocab: Vocab
    public let batchSize: Int
    public let numSteps: Int
    public let useRandomIter: Bool
    private let rng: BatchIterator<Int>.GeneratorBox

    public init(corpus: [Int], vocab: Vocab, batchSize: Int, numSteps: Int, useRandomIter: Bool, seed: UInt64? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        checkSeqSizes("SeqDataLoader", batchSize: batchSize, numSteps: numSteps, file: file, line: line)
        self.corpus = corpus; self.vocab = vocab; self.batchSize = batchSize
        self.numSteps = numSteps; self.useRandomIter = useRandomIter
        rng = .init(SeededGenerator(seed: seed ?? GlobalRandom.generator.next()))
    }

    public func makeIterator() -> IndexingIterator<[SeqBatch]> {
        (useRandomIter
            ? seqDataIterRandom(corpus, batchSize: batchSize, numSteps: numSteps, generator: &rng.generator)
            : seqDataIterSequential(corpus, batchSize: batchSize, numSteps: numSteps, generator: &rng.generator))
            .makeIterator()
    }
}

/// Book §8.3 `load_data_time_machine(batch_size, num_steps, use_random_iter=False,
/// max_tokens=10000)`: the iterator and the character vocabulary.
public func loadDataTimeMachine(batchSize: Int, numSteps: Int, useRandomIter: Bool = false,
                                maxTokens: Int = 10000, hub: DataHub = .shared,
                                seed: UInt64? = nil, file: StaticString = #fileID,
                                line: UInt = #line) throws -> (iterator: SeqDataLoader, vocab: Vocab) {
    checkSeqSizes("loadDataTimeMachine", batchSize: batchSize, numSteps: numSteps, file: file, line: line)
    let (corpus, vocab) = try loadCorpusTimeMachine(maxTokens: maxTokens, hub: hub)
    return (SeqDataLoader(corpus: corpus, vocab: vocab, batchSize: batchSize, numSteps: numSteps,
                          useRandomIter: useRandomIter, seed: seed), vocab)
}
