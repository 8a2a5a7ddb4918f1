import Foundation
import Tensor
import TestSupport
import XCTest
@testable import D2L

/// The parsing logic of every loader on the small committed fixtures (`Tests/Fixtures/`), so
/// it is tested on a fresh clone without any data set. Expected values were computed with
/// Python from the same fixture files (`re.sub`, `collections.Counter`, float64 statistics).
final class DataFixturesTests: XCTestCase {
    /// Five made-up rows in the layout of the airfoil file (6 tab-separated numbers), written
    /// here rather than committed as a data file.
    static let airfoilSample = [
        "800\t0\t0.3048\t71.3\t0.00266337\t126.201", "1000\t0\t0.3048\t71.3\t0.00266337\t125.201",
        "2000\t1.5\t0.2286\t39.6\t0.00310138\t121.5", "4000\t4\t0.1524\t55.5\t0.00283081\t118.25",
        "6300\t9.9\t0.0254\t31.7\t0.00529514\t110.0",
    ].joined(separator: "\n") + "\n"

    func testTimeMachineHeadParsesLikeReadTimeMachine() throws {
        let lines = timeMachineLines(try Fixtures.text("timemachine-head.txt"))
        XCTAssertEqual(lines.count, 40)
        XCTAssertEqual(lines[0], "the time machine by h g wells")
        XCTAssertEqual(lines[1], "", "empty lines are kept")
        XCTAssertEqual(lines[8], "the time traveller for so it will be convenient to speak of him")
        let words = tokenize(lines).flatMap { $0 }
        XCTAssertEqual(words.count, 284)
        let top = countCorpus(words).mostCommon(2)
        XCTAssertEqual(top.map(\.token), ["the", "and"], "ties keep first-seen order")
        XCTAssertEqual(top.map(\.freq), [11, 11])
        let vocab = Vocab(tokens: tokenize(lines))
        XCTAssertEqual(vocab.count, 176, "175 words + <unk>")
        let chars = tokenize(lines, token: .char).flatMap { $0 }
        XCTAssertEqual(chars.count, 1517)
        XCTAssertEqual(Vocab(tokens: [chars]).count, 27, "25 letters (no q yet), space, <unk>")
        // Windows and old-Mac line ends split as Python's text mode does.
        XCTAssertEqual(timeMachineLines("A-b\r\nc!\rd\n"), ["a b", "c", "d"])
    }

    func testFraEngExcerptPreprocessesAndTokenizes() throws {
        let raw = try Fixtures.text("fra-eng-head.txt")
        XCTAssert(raw.hasPrefix("Go.\tVa !\nHi.\tSalut !\nRun!\tCours\u{202F}!"))
        let text = preprocessNMT(raw)
        XCTAssertFalse(text.contains("\u{202F}"), "narrow no-break spaces become spaces")
        let (source, target) = tokenizeNMT(text)
        XCTAssertEqual(source.count, 40); XCTAssertEqual(target.count, 40)
        XCTAssertEqual(source[2], ["run", "!"]); XCTAssertEqual(target[2], ["cours", "!"])
        XCTAssertEqual(source.last, ["got", "it", "?"]); XCTAssertEqual(target.last, ["t'as", "capté", "?"])
        XCTAssertEqual(tokenizeNMT(text, numExamples: 5).source.count, 6, "the book reads lines 0…numExamples")
        let vocab = Vocab(tokens: source, minFreq: 2, reservedTokens: ["<pad>", "<bos>", "<eos>"])
        let (array, valid) = buildArrayNMT(Array(source.prefix(2)), vocab: vocab, numSteps: 4)
        XCTAssertEqual(array.shape, [2, 4])
        XCTAssertEqual(valid.scalars, [3, 3], "word, '.', <eos>, then padding")
    }

    /// Made-up houses in the layout of the Kaggle files (Id first, SalePrice last in train;
    /// `NA`, empty and quoted fields), written here rather than committed as data files.
    func testKaggleSampleCSVPreprocessing() throws {
        let trainText = """
            Id,MSSubClass,MSZoning,LotFrontage,Street,SalePrice
            1,60,RL,65,Pave,208500
            2,20,RL,80,Pave,181500
            3,60,RM,NA,"Grvl",223500
            4,70,RL,60,Pave,140000

            """
        let testText = """
            Id,MSSubClass,MSZoning,LotFrontage,Street
            5,20,NA,74,Pave
            6,60,RH,,Pave
            7,120,"FV",43,Grvl

            """
        let train = try CSVTable(parsing: trainText, file: "train")
        let test = try CSVTable(parsing: testText, file: "test")
        XCTAssertEqual(train.rows.count, 4); XCTAssertEqual(test.rows.count, 3)
        let data = try preprocessKaggleHouseData(train: train, test: test)
        XCTAssertEqual(data.featureNames, ["MSSubClass", "LotFrontage", "MSZoning_FV", "MSZoning_RH", "MSZoning_RL",
                                           "MSZoning_RM", "MSZoning_nan", "Street_Grvl", "Street_Pave", "Street_nan"])
        XCTAssertEqual(data.trainFeatures.shape, [4, 10]); XCTAssertEqual(data.testFeatures.shape, [3, 10])
        // Standardised with the sample std (ddof 1) over train and test; missing → 0.
        XCTAssertEqual(data.trainFeatures[0, 0], 0.04216995, accuracy: 1e-6)
        XCTAssertEqual(data.testFeatures[2, 0], 1.81330785, accuracy: 1e-6)
        XCTAssertEqual(data.trainFeatures[1, 1], 1.09409721, accuracy: 1e-6)
        XCTAssertEqual(data.trainFeatures[2, 1], 0, "NA → the mean")
        XCTAssertEqual(data.testFeatures[1, 1], 0, "empty → the mean")
        XCTAssertEqual(data.testFeatures[0, 6], 1, "MSZoning NA → the _nan column")
        XCTAssertEqual(data.testFeatures[2, 2], 1, "quoted \"FV\"")
        XCTAssertEqual(data.trainLabels.scalars, [208_500, 181_500, 223_500, 140_000])
        XCTAssertEqual(data.testIDs, ["5", "6", "7"])
    }

    func testAirfoilSampleStandardisation() throws {
        let (iter, dim) = try getDataCh11(text: Self.airfoilSample, batchSize: 5, n: 3, seed: 0)
        XCTAssertEqual(dim, 5); XCTAssertEqual(iter.numExamples, 3)
        let (X, y) = Array(iter)[0]
        let row0: [Float] = [-0.97259366, -0.83014345, 0.96448564, 1.07810241, -0.64421915]
        let r = try XCTUnwrap((0..<3).first { abs(X[$0, 0] - row0[0]) < 1e-5 })
        for j in 0..<5 { XCTAssertEqual(X[r, j], row0[j], accuracy: 1e-5) }
        XCTAssertEqual(y[r], 1.02229743, accuracy: 1e-5)
        XCTAssertThrowsError(try getDataCh11(text: "1\t2\nx\ty\n")) { e in XCTAssert("\(e)".contains("line 2"), "\(e)") }
        // A constant column standardises to 0, not NaN.
        let (flat, _) = try getDataCh11(text: "1\t5\n2\t5\n3\t5\n", batchSize: 3, n: 3, seed: 0)
        XCTAssertEqual(Array(flat)[0].y.scalars, [0, 0, 0])
    }

    /// The download path with an injected fetcher and a fixture as the served file: no data
    /// set and no network needed.
    func testDownloadPathWithInjectedFetchOfAFixture() throws {
        let content = Array(Self.airfoilSample.utf8)
        let file = DataFile(dataset: "airfoil sample", path: "airfoil_self_noise.dat", sha1: SHA1.hexDigest(content),
                            url: "http://example.invalid/airfoil_self_noise.dat")
        let checkout = Fixtures.temporaryDirectory()
        var asked: [String] = []
        let hub = DataHub(dataDirectory: nil, checkoutDatasets: checkout) { url in asked.append(url.absoluteString); return content }
        XCTAssertEqual(try hub.locate(file), checkout + "/airfoil_self_noise.dat")
        XCTAssertEqual(asked, ["http://example.invalid/airfoil_self_noise.dat"])
        XCTAssertEqual(try hub.read(file), content)
        XCTAssertEqual(asked.count, 1, "a downloaded file is found the next time")
        // Wrong content is refused with both digests and not written.
        let other = Fixtures.temporaryDirectory()
        let bad = DataHub(dataDirectory: nil, checkoutDatasets: other) { _ in Array("junk".utf8) }
        XCTAssertThrowsError(try bad.locate(.timeMachine)) { e in
            XCTAssert("\(e)".contains("SHA-1 mismatch for http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt"), "\(e)")
            XCTAssert("\(e)".contains("expected 090b5e7e70c295757f55df93cb0a180b9691891a"), "\(e)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: other + "/timemachine.txt"))
        // A failed download ends in the not-found message that includes the failure.
        let offline = DataHub(dataDirectory: nil, checkoutDatasets: Fixtures.temporaryDirectory()) { url in
            throw DataError.io(file: url.absoluteString, reason: "no network")
        }
        XCTAssertThrowsError(try offline.locate(.timeMachine)) { e in XCTAssert("\(e)".contains("no network"), "\(e)") }
    }

    /// `Tests/Golden/` holds the golden files (a fresh clone has no `../shared`), and where
    /// `../shared/golden` exists every file of it has a byte-identical copy here.
    func testGoldenFilesAreCommittedCopiesOfTheSharedOnes() throws {
        let golden = Golden.directory
        let ours = try FileManager.default.contentsOfDirectory(atPath: golden.path).filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThanOrEqual(ours.count, 19, golden.path)
        XCTAssertGreaterThan(try Golden.cases("optim").count, 0)
        XCTAssertThrowsError(try Golden.cases("no-such-group")) { e in
            XCTAssert("\(e)".contains("golden file not found") && "\(e)".contains("Tests/Golden"), "\(e)")
        }
        let shared = golden.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/golden")
        guard let theirs = try? FileManager.default.contentsOfDirectory(atPath: shared.path) else { return }
        for name in theirs where name.hasSuffix(".json") {
            let a = FileManager.default.contents(atPath: shared.appendingPathComponent(name).path)
            let b = FileManager.default.contents(atPath: golden.appendingPathComponent(name).path)
            XCTAssertNotNil(b, "\(name) is in \(shared.path) but not in Tests/Golden/: copy it in")
            if let b { XCTAssertEqual(a, b, "Tests/Golden/\(name) differs from \(shared.path)/\(name)") }
        }
    }
}
