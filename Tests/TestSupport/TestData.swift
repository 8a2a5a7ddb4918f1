import Foundation
import D2L

/// The data sets as tests see them: `$D2L_DATA_DIR` (CI sets it to `../shared/datasets`),
/// else `<checkout>/../shared/datasets`; then `Datasets/` and the Debian path as usual.
/// Never downloads.
public func testDataHub() -> DataHub {
    let root = DataHub.findPackageRoot()
    let env = ProcessInfo.processInfo.environment["D2L_DATA_DIR"].flatMap { $0.isEmpty ? nil : DataHub.absolutePath($0) }
    let dir = env ?? root.map { (($0 + "/../shared/datasets") as NSString).standardizingPath }
    return DataHub(dataDirectory: dir, checkoutDatasets: root.map { $0 + "/Datasets" }, allowDownload: false)
}
