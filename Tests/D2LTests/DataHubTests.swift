import TestSupport
import Foundation
import XCTest
@testable import D2L

/// A fresh empty temporary directory.
func makeTempDir() -> String { Fixtures.temporaryDirectory() }

final class DataHubTests: XCTestCase {
    func testSHA1KnownVectors() {
        XCTAssertEqual(SHA1.hexDigest([]), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(SHA1.hexDigest(Array("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(SHA1.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // Incremental updates across block boundaries give the same digest.
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        var s = SHA1()
        var i = 0
        while i < million.count { let j = min(million.count, i + 1000 + i % 77); million[i..<j].withUnsafeBytes { s.update($0) }; i = j }
        XCTAssertEqual(s.finalizeHex(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    func testFindsTheCheckoutAndTheSharedFiles() throws {
        XCTAssertNotNil(DataHub.findPackageRoot(), "tests run inside the checkout")
        let url = try TestData.timeMachineURL()  // not inside XCTAssert: it would turn a skip into a failure
        XCTAssert(url.path.hasSuffix("timemachine.txt"))
    }

    /// A missing data set skips a test with the loader's message (every place looked and how to
    /// get it), or fails it under `D2L_REQUIRE_DATA=1` (CI).
    func testMissingDataSetSkipsOrUnderRequireDataFails() {
        let hub = DataHub(dataDirectory: makeTempDir(), checkoutDatasets: nil, allowDownload: false)
        XCTAssertThrowsError(try TestData.require(.kaggleHouse, hub: hub)) { e in
            if TestData.isRequired {
                XCTAssert(e is TestDataMissing, "\(e)")
            } else {
                XCTAssert(e is XCTSkip, "\(e)")
            }
            let msg = (e as? XCTSkip)?.message ?? "\(e)"
            XCTAssert(msg.contains("kaggle-house") && msg.contains("To get it:") && msg.contains("kaggle_house_pred_train.csv"), msg)
        }
    }

    func testMissingFileMessageListsEveryPlace() {
        let a = makeTempDir(), b = makeTempDir()
        let hub = DataHub(dataDirectory: a, checkoutDatasets: b, allowDownload: false)
        XCTAssertThrowsError(try hub.read(.timeMachine)) { e in
            let msg = "\(e)"
            XCTAssert(msg.contains("Time Machine"), msg)
            XCTAssert(msg.contains(a + "/timemachine.txt"), msg)
            XCTAssert(msg.contains(b + "/timemachine.txt"), msg)
            XCTAssert(msg.contains("http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt"), msg)
            XCTAssert(msg.contains("D2L_DATA_DIR"), msg)
            XCTAssert(msg.contains("swift run Datasets fetch"), msg)
        }
        // Fashion-MNIST's message also names the Debian directory and package.
        let fm = DataFile.imageClassification(.fashionMNIST, "train-images-idx3-ubyte.gz")
        let message = "\(DataError.notFound(dataset: fm.dataset, file: fm.path, searched: hub.candidates(for: fm), howToGet: fm.howToGet))"
        XCTAssert(message.contains("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), message)
        XCTAssert(message.contains("apt-get install dataset-fashion-mnist"), message)
    }

    func testCorruptFileStopsWithExpectedAndFoundDigests() throws {
        let dir = makeTempDir()
        try Data("not the time machine".utf8).write(to: URL(fileURLWithPath: dir + "/timemachine.txt"))
        let hub = DataHub(dataDirectory: dir, checkoutDatasets: nil, allowDownload: false)
        XCTAssertThrowsError(try readTimeMachine(hub: hub)) { e in
            let msg = "\(e)"
            XCTAssert(msg.contains(dir + "/timemachine.txt"), msg)
            XCTAssert(msg.contains("expected 090b5e7e70c295757f55df93cb0a180b9691891a"), msg)
            XCTAssert(msg.contains("found "), msg)
        }
    }

    func testCorruptGzipAndIDXNameTheFile() throws {
        let dir = makeTempDir()
        try FileManager.default.createDirectory(atPath: dir + "/fashion-mnist", withIntermediateDirectories: true)
        // A valid gzip whose content has the wrong IDX magic, and a labels file cut short.
        let wrongMagic = try gzipTool([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5], ["-9"])
        try Data(wrongMagic).write(to: URL(fileURLWithPath: dir + "/fashion-mnist/train-images-idx3-ubyte.gz"))
        let labels = try gzipTool([0, 0, 8, 1, 0, 0, 0, 1, 3], ["-9"])
        try Data(labels.dropLast(3)).write(to: URL(fileURLWithPath: dir + "/fashion-mnist/train-labels-idx1-ubyte.gz"))
        let hub = DataHub(dataDirectory: dir, checkoutDatasets: nil, allowDownload: false)
        XCTAssertThrowsError(try readIDXImageSet(.fashionMNIST, split: "train", hub: hub)) { e in
            let msg = "\(e)"
            XCTAssert(msg.contains("train-images-idx3-ubyte.gz") || msg.contains("train-labels-idx1-ubyte.gz"), msg)
            XCTAssert(msg.contains("magic") || msg.contains("truncated"), msg)
        }
    }

    func testZipExtractionOfFraEngArchive() throws {
        // Build fra-eng.zip with the system zip (deflate) from a small fra.txt; no SHA-1 for it.
        let dir = makeTempDir()
        try FileManager.default.createDirectory(atPath: dir + "/fra-eng", withIntermediateDirectories: true)
        let text = String(repeating: "Go.\tVa !\nHi.\tSalut !\n", count: 200)
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/fra-eng/fra.txt"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.arguments = ["-q", "-r", "fra-eng.zip", "fra-eng"]
        try p.run(); p.waitUntilExit()
        let zip = try ZipArchive(bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/fra-eng.zip"))))
        let entry = try XCTUnwrap(zip.entry(named: "fra-eng/fra.txt"))
        XCTAssertEqual(entry.method, 8)
        XCTAssertEqual(String(decoding: try zip.extract(entry), as: UTF8.self), text)
        // The locator extracts a found archive (here without SHA-1 checks).
        try FileManager.default.removeItem(atPath: dir + "/fra-eng")
        let file = DataFile(dataset: "fra-eng", path: "fra-eng/fra.txt", sha1: nil, url: nil,
                            archive: .init(name: "fra-eng.zip", sha1: nil, url: "http://unused", member: "fra-eng/fra.txt"))
        let hub = DataHub(dataDirectory: dir, checkoutDatasets: nil, allowDownload: false)
        XCTAssertEqual(try hub.readText(file), text)
    }
}
