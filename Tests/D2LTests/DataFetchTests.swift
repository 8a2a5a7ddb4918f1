import Foundation
import TestSupport
import XCTest
@testable import D2L

/// `swift run Datasets fetch` (runDatasetsCommand) with an injected fetcher: no network.
final class DataFetchTests: XCTestCase {
    /// A fetcher that serves synthetic MNIST-layout IDX files (3 training, 2 test images).
    private func mnistServer(asked: @escaping (String) -> Void = { _ in }) throws -> (URL) throws -> [UInt8] {
        let source = Fixtures.temporaryDirectory()
        try Fixtures.writeImageSplit("train", count: 3, dataset: "mnist", into: source)
        try Fixtures.writeImageSplit("t10k", count: 2, dataset: "mnist", into: source)
        return { url in
            asked(url.lastPathComponent)
            guard let data = FileManager.default.contents(atPath: source + "/mnist/" + url.lastPathComponent) else {
                throw DataError.io(file: url.absoluteString, reason: "HTTP status 404")
            }
            return [UInt8](data)
        }
    }

    func testFetchDownloadsVerifiesAndThenFindsTheFiles() throws {
        let checkout = Fixtures.temporaryDirectory()
        var asked: [String] = []
        let hub = DataHub(dataDirectory: nil, checkoutDatasets: checkout, fetch: try mnistServer { asked.append($0) })
        var log: [String] = []
        XCTAssertEqual(runDatasetsCommand(["fetch", "mnist"], hub: hub) { log.append($0) }, 0, log.joined(separator: "\n"))
        XCTAssertEqual(Set(asked), ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])
        XCTAssert(log[0].hasPrefix("ok      mnist: 3 + 2 images of 28×28"), log[0])
        XCTAssert(FileManager.default.fileExists(atPath: checkout + "/mnist/t10k-labels-idx1-ubyte.gz"))
        // verify: no download, the files are found where fetch put them.
        let offline = DataHub(dataDirectory: nil, checkoutDatasets: checkout) { _ in XCTFail("no download"); return [] }
        log = []
        XCTAssertEqual(runDatasetsCommand(["verify", "mnist"], hub: offline) { log.append($0) }, 0, log.joined(separator: "\n"))
        XCTAssertEqual(log.last, "all 1 data sets verified")
    }

    func testFetchReportsABadDownloadAndExitsNonZero() throws {
        let checkout = Fixtures.temporaryDirectory()
        let hub = DataHub(dataDirectory: nil, checkoutDatasets: checkout) { _ in Array("junk".utf8) }
        var log: [String] = []
        XCTAssertEqual(runDatasetsCommand(["fetch", "timemachine", "airfoil"], hub: hub) { log.append($0) }, 1)
        XCTAssert(log[0].hasPrefix("FAILED  timemachine: SHA-1 mismatch"), log[0])
        XCTAssert(log[1].hasPrefix("FAILED  airfoil: SHA-1 mismatch"), log[1])
        XCTAssertEqual(log.last, "2 of 2 data sets failed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkout + "/timemachine.txt"), "a bad download is not kept")
        // verify without the files: the not-found message with how to get them.
        log = []
        let empty = DataHub(dataDirectory: nil, checkoutDatasets: checkout, allowDownload: false)
        XCTAssertEqual(runDatasetsCommand(["verify", "fra-eng"], hub: empty) { log.append($0) }, 1)
        XCTAssert(log[0].contains("could not find fra-eng/fra.txt") && log[0].contains("fra-eng.zip"), log[0])
    }

    func testUsageAndTheListOfDataSets() {
        var log: [String] = []
        XCTAssertEqual(runDatasetsCommand(["--help"]) { log.append($0) }, 0)
        XCTAssert(log[0].contains("fetch") && log[0].contains("fashion-mnist, kaggle-house, timemachine, fra-eng, airfoil"), log[0])
        XCTAssertEqual(runDatasetsCommand(["fetch", "cifar"]) { log.append($0) }, 2)
        log = []
        XCTAssertEqual(runDatasetsCommand(["list", "kaggle-house"], hub: DataHub(dataDirectory: "/d", checkoutDatasets: nil)) { log.append($0) }, 0)
        XCTAssert(log.contains("    looked for at /d/kaggle_house_pred_test.csv"), log.joined(separator: "\n"))
        // Every file a loader reads belongs to a data set with a download URL.
        let files = (DataSet.all + DataSet.optional).flatMap(\.files)
        for f in [DataFile.timeMachine, .fraEng, .airfoil, .kaggleHouseTrain, .kaggleHouseTest]
            + DataSet.imageFiles(.fashionMNIST) + DataSet.imageFiles(.mnist) {
            XCTAssert(files.contains { $0.path == f.path }, f.path)
        }
        for f in files { XCTAssertNotNil(f.url ?? f.archive?.url, f.path) }
    }
}
