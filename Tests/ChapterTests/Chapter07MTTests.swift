import D2L
import NN
import Tensor
import TestSupport
import XCTest
@testable import Chapter07_RNN

/// Chapter07-RNN, machine translation (book §9.5–9.8): the `mt-data` lines on the real corpus,
/// the command line, and a short `seq2seq` run on a tiny corpus printing the book's lines.
final class Chapter07MTTests: XCTestCase {
    func testHelpListsTheTranslationSectionsAndBeam() throws {
        let usage = chapterCommand().usage()
        for piece in ["mt-data", "seq2seq", "--beam <int>", "300 for seq2seq", "0.005 (Adam) for seq2seq", "64 for seq2seq"] {
            XCTAssertTrue(usage.contains(piece), "--help lacks \(piece)")
        }
        XCTAssertEqual(try chapterCommand().parse([]).parsed.int("beam"), 3, "greedy and k = 3 by default")
    }

    func testMachineTranslationDataPrintsTheBookFacts() throws {
        let o = try chapterCommand().parse(["mt-data"])
        let captured = CapturedReport()
        try runMachineTranslationData(o, hub: TestData.require(.fraEng), report: captured.report, saveFigure: false)
        let text = captured.text
        for piece in ["Go.\tVa !\nHi.\tSalut !", "go .\tva !\nhi .\tsalut !", "source[:6]: [['go', '.'], ['hi', '.'],",
                      "target[:6]: [['va', '!'], ['salut', '!'],", "len(src_vocab): 10012",
                      "truncate_pad(src_vocab[source[0]], 10, pad): [47, 4, 1, 1, 1, 1, 1, 1, 1, 1]",
                      "\nX: [[", "\nvalid lengths for Y: [", "book:  len(src_vocab) 10012"] {
            XCTAssertTrue(text.contains(piece), "missing \(piece) in\n\(text)")
        }
    }

    /// Six pairs of the book's sentences as one unshuffled batch.
    func tinyData() -> (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab) {
        tinyNMTData(bookNMTPairs + bookNMTPairs.prefix(2))
    }

    func testShortSeq2seqRunPrintsTheBookLines() throws {
        let o = try chapterCommand().parse(["seq2seq", "--epochs", "60", "--lr", "0.01", "--no-progress"])
        o.reseed()
        let captured = CapturedReport()
        let history = try runSeq2seq(o, data: tinyData(), report: captured.report)
        XCTAssertEqual(history.epochs.count, 60)
        XCTAssertLessThan(history.final.trainLoss, history.epochs[0].trainLoss * 0.5)
        let text = captured.text
        for piece in ["embeddings 32, 32 hidden, 2 layers, dropout 0.1", "10 steps, Adam lr 0.01, 60 epochs",
                      " tokens/sec on cpu", "book:  loss 0.019, 12745.1 tokens/sec on cuda:0 (loss 0.019–0.021 over 20 builds)",
                      "greedy search", "\ngo . => ", ", bleu ", "beam search, k = 3", "book:  go . => va !, bleu 1.000"] {
            XCTAssertTrue(text.contains(piece), "missing \(piece) in\n\(text)")
        }
        XCTAssertEqual(text.components(separatedBy: "i'm home . => ").count, 6, "greedy, beam (book's decoder and with the encoder's context) and the book's line")
        XCTAssertTrue(text.contains("with the encoder's context"), text)
    }
}
