import TestSupport
import Tensor
import XCTest
@testable import D2L

final class TimeMachineTests: XCTestCase {
    func testBookFactsOfSection8_2() throws {
        let hub = try TestData.require(.timeMachine)
        let lines = try readTimeMachine(hub: hub)
        XCTAssertEqual(lines.count, 3221)
        XCTAssertEqual(lines[0], "the time machine by h g wells")
        let tokens = tokenize(lines, token: .word)
        let vocab = Vocab(tokens: tokens)
        XCTAssertEqual(Array(vocab.idxToToken.prefix(10)), ["<unk>", "the", "i", "and", "of", "a", "to", "was", "in", "that"])
        XCTAssertEqual(vocab[tokens[0]], [1, 19, 50, 40, 2183, 2184, 400])
        XCTAssertEqual(vocab.toTokens([1, 19]), ["the", "time"])
        XCTAssertEqual(vocab["no-such-word"], vocab.unk)
        let (corpus, charVocab) = try loadCorpusTimeMachine(hub: hub)
        XCTAssertEqual(corpus.count, 170_580)
        XCTAssertEqual(charVocab.count, 28)
        XCTAssertEqual(try loadCorpusTimeMachine(maxTokens: 10000, hub: hub).corpus.count, 10000)
    }

    func testUnigramBigramTrigramCountsOfSection8_3() throws {
        let words = tokenize(try readTimeMachine(hub: TestData.require(.timeMachine))).flatMap { $0 }
        let top = countCorpus(words).mostCommon(3)
        XCTAssertEqual(top.map(\.token), ["the", "i", "and"])
        XCTAssertEqual(top.map(\.freq), [2261, 1267, 1245])
        let bigrams = zip(words, words.dropFirst()).map { "\($0) \($1)" }
        XCTAssertEqual(countCorpus(bigrams)["of the"], 309)
        let trigrams = zip(zip(words, words.dropFirst()), words.dropFirst(2)).map { "\($0.0) \($0.1) \($1)" }
        XCTAssertEqual(countCorpus(trigrams)["the time traveller"], 59)
    }

    func testPartitionIteratorsShiftByOne() throws {
        let corpus = Array(0..<35)
        var g = SeededGenerator(seed: 3)
        for batches in [seqDataIterRandom(corpus, batchSize: 2, numSteps: 5, generator: &g),
                        seqDataIterSequential(corpus, batchSize: 2, numSteps: 5, generator: &g)] {
            XCTAssertFalse(batches.isEmpty)
            for (X, Y) in batches {
                XCTAssertEqual(X.shape, [2, 5]); XCTAssertEqual(Y.shape, [2, 5])
                XCTAssertEqual(X.scalars.map { $0 + 1 }, Y.scalars)
            }
        }
        // Sequential: row r of batch i+1 continues row r of batch i.
        let seq = seqDataIterSequential(corpus, batchSize: 2, numSteps: 5, generator: &g)
        for i in 1..<seq.count {
            XCTAssertEqual(seq[i].X[0, 0], seq[i - 1].X[0, 4] + 1)
            XCTAssertEqual(seq[i].X[1, 0], seq[i - 1].X[1, 4] + 1)
        }
        // Random: subsequences start at offset + k·numSteps, each used at most once.
        let rnd = seqDataIterRandom(corpus, batchSize: 2, numSteps: 5, generator: &g)
        let starts = rnd.flatMap { [$0.X[0, 0], $0.X[1, 0]] }.map(Int.init)
        XCTAssertEqual(Set(starts).count, starts.count)
        XCTAssertEqual(Set(starts.map { $0 % 5 }).count, 1)
    }

    func testLoadDataTimeMachineGivesEightBatches() throws {
        let hub = try TestData.require(.timeMachine)
        let (iter, vocab) = try loadDataTimeMachine(batchSize: 32, numSteps: 35, hub: hub, seed: 0)
        XCTAssertEqual(vocab.count, 28)
        for _ in 0..<3 {  // a new random offset each epoch, always 8 batches
            let batches = Array(iter)
            XCTAssertEqual(batches.count, 8)
            XCTAssertEqual(batches[0].X.shape, [32, 35])
        }
        let random = try loadDataTimeMachine(batchSize: 32, numSteps: 35, useRandomIter: true, hub: hub)
        XCTAssertEqual(Array(random.iterator).count, 8)  // ⌊⌊9999−o)/35⌋/32⌋ = 8
    }
}

final class VocabTests: XCTestCase {
    func testOrderingReservedAndMinFreq() {
        let tokens = ["b", "a", "c", "a", "b", "d", "<pad>", "a"]
        let v = Vocab(tokens: tokens, minFreq: 2, reservedTokens: ["<pad>", "<bos>"])
        // a:3, then b:2; c, d and <pad> (already reserved) have freq 1 < 2.
        XCTAssertEqual(v.idxToToken, ["<unk>", "<pad>", "<bos>", "a", "b"])
        XCTAssertEqual(v.count, 5)
        XCTAssertEqual(v["c"], 0)
        // Ties keep first-seen order: x (2) before y (2) before z (2).
        let t = Vocab(tokens: ["x", "y", "z", "z", "y", "x"])
        XCTAssertEqual(t.idxToToken, ["<unk>", "x", "y", "z"])
        XCTAssertEqual(t.tokenFreqs.map(\.freq), [2, 2, 2])
    }
}
