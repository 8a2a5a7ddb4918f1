import D2L
import NN
import Tensor
import XCTest

/// A language model whose logits are `scale · onehot(Xᵀ) + b` (it predicts the token it reads)
/// and whose state counts the batches it has seen: enough to check what `trainEpochCh8` does with
/// the state, the label order and the updater.
final class EchoLM: ModuleBase, RecurrentLanguageModel {
    let vocabSize: Int
    let b: Parameter
    let scale: Float
    var statesSeen: [Float] = []

    init(vocabSize: Int, scale: Float = 20) {
        self.vocabSize = vocabSize
        self.scale = scale
        b = Parameter(Tensor.zeros([vocabSize]), name: "b")
    }

    var ownParameters: [(name: String, parameter: Parameter)] { [("b", b)] }

    func beginState(batchSize: Int) -> [Tensor] { [Tensor.zeros([batchSize, 1])] }

    func callAsFunction(_ X: Tensor, _ state: [Tensor]) -> (output: Tensor, state: [Tensor]) {
        statesSeen.append(state[0].scalars[0])
        let oneHot = Tensor.oneHot(X.transposed(), depth: vocabSize).reshaped(to: [-1, vocabSize])
        return (oneHot * scale + b.value, [state[0] + 1])
    }
}

final class TrainCh8Tests: XCTestCase {
    /// Batches whose targets equal their inputs (B = 2, T = 3, rows differ so the order matters).
    func echoBatches(_ n: Int) -> [SeqBatch] {
        (0..<n).map { i in
            let X = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 0].map { Float((Int($0) + i) % 5) })
            return (X, X)
        }
    }

    func testSequentialCarriesTheStateRandomResetsIt() throws {
        for (random, expected) in [(false, [Float(0), 1, 2]), (true, [0, 0, 0])] {
            let net = EchoLM(vocabSize: 5)
            _ = try trainEpochCh8(net: net, trainIter: echoBatches(3), updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.1)),
                                  useRandomIter: random)
            XCTAssertEqual(net.statesSeen, expected, "useRandomIter \(random)")
        }
    }

    /// The labels are `Yᵀ` flattened, in the time-major order of the outputs: the echo model is
    /// then right everywhere (a batch-major order would make it wrong on most rows).
    func testLabelsAreTimeMajorAndTheCustomUpdaterGetsBatchSizeOne() throws {
        let net = EchoLM(vocabSize: 5)
        var sizes: [Int] = []
        let epoch = try trainEpochCh8(net: net, trainIter: echoBatches(2),
                                      updater: .custom { sizes.append($0); sgd(net.parameters(), lr: 0.1, batchSize: $0) },
                                      useRandomIter: false)
        XCTAssertEqual(sizes, [1, 1])
        XCTAssertEqual(epoch.examples, 12)
        XCTAssertLessThan(epoch.perplexity, 1.001)
        XCTAssertGreaterThanOrEqual(epoch.perplexity, 1)
    }

    func testDivergenceStopsWithTheBatch() {
        let net = EchoLM(vocabSize: 5, scale: .nan)
        XCTAssertThrowsError(try trainEpochCh8(net: net, trainIter: echoBatches(2),
                                               updater: .optimizer(SGD(parameters: net.parameters(), lr: 0.1)),
                                               useRandomIter: false, epoch: 4)) { error in
            guard case .nonFiniteLoss(_, let epoch, let batch)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual([epoch, batch], [4, 1])
        }
    }

    func testTrainCh8PrintsTheBookLinesAndLogsEveryTenEpochs() throws {
        let tokens = tokenize([String(repeating: "time traveller ", count: 30)], token: .char)
        let vocab = Vocab(tokens: tokens)
        let loader = SeqDataLoader(corpus: vocab[tokens[0]], vocab: vocab, batchSize: 2, numSteps: 5,
                                   useRandomIter: false, seed: 0)
        var text = ""
        let report = Reporting(output: TextOutput(isTerminal: false) { text += $0 }, progress: nil, figure: nil)
        let net = EchoLM(vocabSize: vocab.count, scale: 1)
        let history = try trainCh8(net: net, trainIter: loader, vocab: vocab, lr: 0.5, numEpochs: 20, printEvery: 10,
                                   report: report)
        XCTAssertEqual(history.epochs.count, 20)
        XCTAssertEqual(history.logged.map(\.x), [10, 20])
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, text)
        XCTAssertTrue(lines[0].hasPrefix("epoch 10, perplexity "), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("perplexity "), lines[1])
        XCTAssertTrue(lines[1].hasSuffix(" tokens/sec on cpu"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("time traveller") && lines[2].count == 14 + 50, lines[2])
        XCTAssertTrue(lines[3].hasPrefix("traveller") && lines[3].count == 9 + 50, lines[3])
    }
}
