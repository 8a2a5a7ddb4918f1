import TestSupport
import Foundation
import Tensor
import XCTest
@testable import D2L

final class NMTTests: XCTestCase {
    func testPreprocessAndTokenize() {
        XCTAssertEqual(preprocessNMT("Go.\tVa !\nHi.\tSalut\u{202F}!\nWait,\u{00A0}what?"), "go .\tva !\nhi .\tsalut !\nwait , what ?")
        let (src, tgt) = tokenizeNMT("a b\tc\nd\te  f\nno tab\ng\th", numExamples: 1)
        XCTAssertEqual(src, [["a", "b"], ["d"]], "numExamples 1 reads lines 0…1 like the book")
        XCTAssertEqual(tgt, [["c"], ["e", "", "f"]], "split(' ') keeps empty tokens")
        XCTAssertEqual(truncatePad([5, 6], 4, 1), [5, 6, 1, 1])
        XCTAssertEqual(truncatePad([5, 6, 7, 8, 9], 4, 1), [5, 6, 7, 8])
    }

    func testBookFactsOfSection9_5() throws {
        let start = Date()
        let raw = try readDataNMT(hub: TestData.require(.fraEng))
        XCTAssert(raw.hasPrefix("Go.\tVa !\nHi.\tSalut !\nRun!\tCours\u{202F}!"))
        let t1 = Date()
        let text = preprocessNMT(raw)
        let t2 = Date()
        let (source, target) = tokenizeNMT(text)
        print(String(format: "fra-eng: read %.3f s, preprocess %.3f s, tokenize %.3f s",
                     t1.timeIntervalSince(start), t2.timeIntervalSince(t1), Date().timeIntervalSince(t2)))
        XCTAssert(text.hasPrefix("go .\tva !\nhi .\tsalut !\nrun !\tcours !"))
        XCTAssertEqual(source.count, 167_130)
        let t3 = Date()
        let srcVocab = Vocab(tokens: source, minFreq: 2, reservedTokens: ["<pad>", "<bos>", "<eos>"])
        print(String(format: "fra-eng: source vocabulary %.3f s", Date().timeIntervalSince(t3)))
        XCTAssertEqual(srcVocab.count, 10012)
        XCTAssertEqual(truncatePad(srcVocab[source[0]], 10, srcVocab["<pad>"]), [47, 4, 1, 1, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(target[0], ["va", "!"])
        XCTAssertEqual(tokenizeNMT(text, numExamples: 600).source.count, 601)
    }

    func testLoadDataNMT() throws {
        let (iter, src, tgt) = try loadDataNMT(batchSize: 2, numSteps: 8, hub: TestData.require(.fraEng), seed: 0)
        XCTAssertEqual(iter.numExamples, 601)
        XCTAssertEqual(iter.count, 301)
        XCTAssertEqual([src["<unk>"], src["<pad>"], src["<bos>"], src["<eos>"]], [0, 1, 2, 3])
        XCTAssertEqual(tgt["<eos>"], 3)
        var total = 0
        for (X, XValid, Y, YValid) in iter {
            XCTAssertEqual(X.shape[1], 8); XCTAssertEqual(Y.shape[1], 8)
            for r in 0..<X.shape[0] {
                let row = (0..<8).map { Int(X[r, $0]) }
                XCTAssertEqual(Int(XValid[r]), row.filter { $0 != 1 }.count)
                XCTAssert(row.contains(3) || Int(XValid[r]) == 8, "\(row) has <eos> unless truncated")
                XCTAssertEqual(Int(YValid[r]), (0..<8).filter { Y[r, $0] != 1 }.count)
            }
            total += X.shape[0]
        }
        XCTAssertEqual(total, 601)
        let (array, valid) = buildArrayNMT([["go", "."], ["zzz"]], vocab: src, numSteps: 4)
        XCTAssertEqual(array.shape, [2, 4])
        XCTAssertEqual(Array(array.scalars[4..<8]), [0, 3, 1, 1])
        XCTAssertEqual(valid.scalars, [3, 2])
    }
}
