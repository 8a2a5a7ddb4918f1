import Foundation
import XCTest
import D2L

/// The data sets as tests see them, in one place.
///
/// Tests of the book's facts on full data (3,221 lines, 10,012 tokens, …) start with
/// `try TestData.require(.timeMachine)` (or `.fraEng`, `.airfoil`, `.kaggleHouse`,
/// `.fashionMNIST`): when the data set is found it returns the hub to read it with; when it is
/// not, the test is skipped (`XCTSkip`) with the loader's message (every place looked and how
/// to get it, e.g. `swift run Datasets fetch`). Under `D2L_REQUIRE_DATA=1` (set by `.ci/run`)
/// a missing data set fails the test instead. Tests never download.
public enum TestData {
    /// True under `D2L_REQUIRE_DATA=1`: a missing data set is a failure, not a skip.
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["D2L_REQUIRE_DATA"] == "1" }

    /// The hub tests read through: `$D2L_DATA_DIR`, else `<checkout>/../shared/datasets` when it
    /// exists; then `<checkout>/Datasets/` and the system copies (Debian's Fashion-MNIST).
    public static var hub: DataHub { testDataHub() }

    /// The hub, once every file of `dataSet` is found; otherwise skips the test (or, under
    /// `D2L_REQUIRE_DATA=1`, fails it) with the loader's "how to get it" message.
    @discardableResult
    public static func require(_ dataSet: DataSet, hub: DataHub = TestData.hub,
                               file: StaticString = #filePath, line: UInt = #line) throws -> DataHub {
        for f in dataSet.files { _ = try path(of: f, in: dataSet, hub: hub, file: file, line: line) }
        return hub
    }

    /// The located `timemachine.txt` (skips or fails as `require` does).
    public static func timeMachineURL(hub: DataHub = TestData.hub, file: StaticString = #filePath,
                                      line: UInt = #line) throws -> URL {
        URL(fileURLWithPath: try path(of: .timeMachine, in: .timeMachine, hub: hub, file: file, line: line))
    }

    /// The located path of one file of `dataSet` (skips or fails as `require` does).
    /// The skip is reported at the caller's `file`/`line`.
    public static func path(of dataFile: DataFile, in dataSet: DataSet, hub: DataHub = TestData.hub,
                            file: StaticString = #filePath, line: UInt = #line) throws -> String {
        do {
            return try hub.locate(dataFile)
        } catch let error as DataError {
            guard case .notFound = error else { throw error }
            if isRequired {
                throw TestDataMissing(message: "D2L_REQUIRE_DATA=1 and data set \(dataSet.name) is missing:\n\(error)")
            }
            throw XCTSkip("data set \(dataSet.name) not found (run `swift run Datasets fetch \(dataSet.name)`, or set D2L_DATA_DIR)\n\(error)",
                          file: file, line: line)
        }
    }
}

/// Thrown by `TestData` under `D2L_REQUIRE_DATA=1`: the test fails with this message.
public struct TestDataMissing: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The hub `TestData` uses (kept as a function for existing call sites). Never downloads.
public func testDataHub() -> DataHub {
    let root = DataHub.findPackageRoot()
    let env = ProcessInfo.processInfo.environment["D2L_DATA_DIR"].flatMap { $0.isEmpty ? nil : DataHub.absolutePath($0) }
    let shared = root.map { (($0 + "/../shared/datasets") as NSString).standardizingPath }
        .flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    return DataHub(dataDirectory: env ?? shared, checkoutDatasets: root.map { $0 + "/Datasets" }, allowDownload: false)
}
