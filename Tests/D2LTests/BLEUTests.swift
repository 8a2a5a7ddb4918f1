import Foundation
import D2L
import TestSupport
import XCTest

final class BLEUTests: XCTestCase {
    func testGoldenCases() throws {
        let cases = try Golden.cases("bleu")
        XCTAssertEqual(cases.count, 7)
        for c in cases {
            let score = bleu(predSeq: c.attrs["pred"] as! String, labelSeq: c.attrs["label"] as! String,
                             k: (c.attrs["k"] as! NSNumber).intValue)
            XCTAssertEqual(score, (c.rawOutput as! NSNumber).doubleValue, accuracy: 1e-9, c.name)
        }
    }

    /// Clipped counts: "the the the" against "the cat" matches "the" once, p₁ = 1/3, no bigram.
    func testClippingAndShortPredictions() {
        XCTAssertEqual(bleu(predSeq: "the the the", labelSeq: "the cat", k: 1), Foundation.pow(1.0 / 3, 0.5), accuracy: 1e-12)
        XCTAssertEqual(bleu(predSeq: "the the the", labelSeq: "the cat", k: 2), 0)
        // A one-token prediction has no bigrams; brevity penalty exp(1 − 3) for k = 1.
        XCTAssertEqual(bleu(predSeq: "va", labelSeq: "va ! !", k: 1), Foundation.exp(-2.0), accuracy: 1e-12)
        XCTAssertEqual(bleu(predSeq: "va", labelSeq: "va !", k: 2), 0)
    }
}
