import Foundation
import TestSupport
import XCTest
@testable import D2L

/// Damaged, hostile or wrong data files (issue 9, items 1, 7, 12): each is an error naming
/// the file, never an out-of-bounds read, a NaN or gigabytes resident.
final class DataBadInputTests: XCTestCase {
    private func hub(_ dir: String) -> DataHub { DataHub(dataDirectory: dir, checkoutDatasets: nil, allowDownload: false) }

    private func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    // Item 1: images whose shape is not the 28×28 the models take (rows ≠ cols as in the report).
    func testImagesOfAnotherShapeNameTheFileAndTheExpectedShape() throws {
        for (rows, cols) in [(2048, 1), (1, 2048), (32, 32), (28, 27)] {
            let dir = Fixtures.temporaryDirectory()
            try Fixtures.writeImageSplit("t10k", count: 2, rows: rows, cols: cols, into: dir)
            let msg = message { try readIDXImageSet(.fashionMNIST, split: "t10k", hub: self.hub(dir)) }
            XCTAssert(msg.contains(dir + "/fashion-mnist/t10k-images-idx3-ubyte.gz"), msg)
            XCTAssert(msg.contains("\(rows)×\(cols), expected 28×28"), msg)
        }
    }

    func testEveryImageLoaderChecksTheShapeAndTrainAndTestAgree() throws {
        // A good train split beside a 27×27 test split: loadDataFashionMNIST and MNIST both refuse.
        for (dataset, folder) in [(ImageDataset.fashionMNIST, "fashion-mnist"), (.mnist, "mnist")] {
            let dir = Fixtures.temporaryDirectory()
            try Fixtures.writeImageSplit("train", count: 3, dataset: folder, into: dir)
            try Fixtures.writeImageSplit("t10k", count: 3, rows: 27, cols: 27, dataset: folder, into: dir)
            let msg = message { try loadDataFashionMNIST(batchSize: 2, dataset: dataset, hub: self.hub(dir)) }
            XCTAssert(msg.contains("\(folder)/t10k-images-idx3-ubyte.gz"), msg)
            XCTAssert(msg.contains("27×27, expected 28×28"), msg)
        }
        // The good case still loads, and its batches have the model's shape.
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.writeImageSplit("train", count: 3, into: dir)
        try Fixtures.writeImageSplit("t10k", count: 2, into: dir)
        let (train, test) = try loadDataFashionMNIST(batchSize: 2, hub: hub(dir))
        XCTAssertEqual(Array(train).map { $0.X.shape }, [[2, 1, 28, 28], [1, 1, 28, 28]])
        XCTAssertEqual(Array(test).first?.y.scalars, [0, 1])
    }

    // Item 7: an empty split is an error naming the file, for train and for test.
    func testEmptySplitIsAnErrorNamingTheFile() throws {
        for empty in ["train", "t10k"] {
            let dir = Fixtures.temporaryDirectory()
            for split in ["train", "t10k"] { try Fixtures.writeImageSplit(split, count: split == empty ? 0 : 4, into: dir) }
            let msg = message { try loadDataFashionMNIST(batchSize: 2, hub: self.hub(dir)) }
            XCTAssert(msg.contains(dir + "/fashion-mnist/\(empty)-images-idx3-ubyte.gz"), msg)
            XCTAssert(msg.contains("0 images"), msg)
        }
    }

    // Item 12: a gzip bomb that declares its size is rejected before any decompression.
    func testGzipBombWithHonestTrailerIsRejectedBeforeDecompressing() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.writeImageSplit("train", count: 1, into: dir)
        let bomb = Fixtures.gzipBomb(megabytes: 256)
        XCTAssertLessThan(bomb.count, 2_000_000)
        try Data(bomb).write(to: URL(fileURLWithPath: dir + "/fashion-mnist/train-images-idx3-ubyte.gz"))
        let start = Date()
        let msg = message { try readIDXImageSet(.fashionMNIST, split: "train", hub: self.hub(dir)) }
        XCTAssert(msg.contains(dir + "/fashion-mnist/train-images-idx3-ubyte.gz"), msg)
        XCTAssert(msg.contains("ISIZE) declares 268435456 bytes, more than the 54880016 bytes"), msg)
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5, "rejected from the trailer, not by inflating")
    }

    // Item 12: a bomb whose trailer lies stops at the data set's cap (~55 MB), not 1 GiB.
    func testGzipBombWithLyingTrailerStopsAtTheDataSetCap() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.writeImageSplit("train", count: 1, into: dir)
        let bomb = Fixtures.gzipBomb(megabytes: 256, isize: 1000)
        try Data(bomb).write(to: URL(fileURLWithPath: dir + "/fashion-mnist/train-images-idx3-ubyte.gz"))
        var msg = message { try readIDXImageSet(.fashionMNIST, split: "train", hub: self.hub(dir)) }
        XCTAssert(msg.contains(dir + "/fashion-mnist/train-images-idx3-ubyte.gz"), msg)
        XCTAssert(msg.contains("exceeds the limit of 54880016 bytes"), msg)
        // The labels' cap is 70,008 bytes: the same 1.7 MB file is refused from its size alone.
        try Data(bomb).write(to: URL(fileURLWithPath: dir + "/fashion-mnist/train-labels-idx1-ubyte.gz"))
        try Fixtures.writeImageSplit("t10k", count: 1, into: dir)
        try FileManager.default.removeItem(atPath: dir + "/fashion-mnist/train-images-idx3-ubyte.gz")
        try FileManager.default.copyItem(atPath: dir + "/fashion-mnist/t10k-images-idx3-ubyte.gz",
                                         toPath: dir + "/fashion-mnist/train-images-idx3-ubyte.gz")
        msg = message { try readIDXImageSet(.fashionMNIST, split: "train", hub: self.hub(dir)) }
        XCTAssert(msg.contains("train-labels-idx1-ubyte.gz: the compressed file has \(bomb.count) bytes, more than the 74112 bytes"), msg)
        // The decoder's buffer never grows past its limit (plus slack): 1 MB cap → ~1 MB buffer.
        XCTAssertThrowsError(try Gzip.decompress(Fixtures.gzipBomb(megabytes: 64, isize: 1), maxOutput: 1 << 20)) { e in
            XCTAssertEqual(e as? DataError, .outputTooLarge(limit: 1 << 20))
        }
    }

    // Item 12: a huge junk file is rejected from its first bytes (sparse 3 GB file: reading it
    // would take seconds and 3 GB of memory).
    func testHugeJunkGzipIsRejectedWithoutReadingIt() throws {
        for magic in [[0x50, 0x4b] as [UInt8], [0x1f, 0x8b]] {
            let dir = Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try Fixtures.writeImageSplit("t10k", count: 1, into: dir)
            let path = dir + "/fashion-mnist/t10k-images-idx3-ubyte.gz"
            try Data(magic + [8, 0]).write(to: URL(fileURLWithPath: path))
            let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: 3 << 30)
            try handle.close()
            let start = Date()
            let msg = message { try readIDXImageSet(.fashionMNIST, split: "t10k", hub: self.hub(dir)) }
            XCTAssert(msg.contains(path), msg)
            XCTAssert(msg.contains(magic[0] == 0x1f ? "the compressed file has 3221225472 bytes" : "magic bytes 50 4b, expected 1f 8b"), msg)
            XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
        }
    }

    // Item 12 for the plain files: one larger than its known size is refused before reading.
    func testHugeTextFileIsRejectedFromItsSize() throws {
        let dir = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/timemachine.txt"
        _ = FileManager.default.createFile(atPath: path, contents: Data("The Time Machine".utf8))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 3 << 30)
        try handle.close()
        let start = Date()
        let msg = message { try readTimeMachine(hub: self.hub(dir)) }
        XCTAssert(msg.contains(path + ": the file has 3221225472 bytes, more than the 178979 bytes"), msg)
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
    }

    // A zip entry that declares another size than the known one is refused before inflating.
    func testZipEntryOfTheWrongDeclaredSizeIsRefused() throws {
        let dir = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/fra-eng", withIntermediateDirectories: true)
        try Data(String(repeating: "Go.\tVa !\n", count: 100).utf8).write(to: URL(fileURLWithPath: dir + "/fra-eng/fra.txt"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.arguments = ["-q", "-r", "fra-eng.zip", "fra-eng"]
        try p.run(); p.waitUntilExit()
        try FileManager.default.removeItem(atPath: dir + "/fra-eng")
        let file = DataFile(dataset: "fra-eng", path: "fra-eng/fra.txt", sha1: nil, size: 11_669_748, url: nil,
                            archive: .init(name: "fra-eng.zip", sha1: nil, url: "http://unused", member: "fra-eng/fra.txt"))
        let msg = message { try self.hub(dir).locate(file) }
        XCTAssert(msg.contains(dir + "/fra-eng.zip: length mismatch in zip entry fra-eng/fra.txt (declared size): expected 11669748 found 900"), msg)
    }

    func testEmptyAndTinyGzipFilesNameTheFile() throws {
        let dir = Fixtures.temporaryDirectory()
        try Fixtures.writeImageSplit("t10k", count: 1, into: dir)
        for bytes in [[], [0x1f], [0x1f, 0x8b, 8]] as [[UInt8]] {
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/fashion-mnist/t10k-labels-idx1-ubyte.gz"))
            let msg = message { try readIDXImageSet(.fashionMNIST, split: "t10k", hub: self.hub(dir)) }
            XCTAssert(msg.contains(dir + "/fashion-mnist/t10k-labels-idx1-ubyte.gz"), "\(bytes): \(msg)")
        }
    }
}
