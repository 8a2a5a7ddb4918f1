/// Fetching and verifying whole data sets (`swift run Datasets fetch`, see Datasets/README.md).
extension DataHub {
    /// The outcome for one data set: a summary of its content, or the error.
    public struct FetchResult {
        public let dataSet: DataSet
        /// Where each file was found (or downloaded to), in `dataSet.files` order.
        public let paths: [String]
        public let result: Result<String, Error>
        public var ok: Bool { if case .success = result { return true } else { return false } }
    }

    /// For each data set: locates every file (found locally, or downloaded into `Datasets/`
    /// when `allowDownload`), checks each published SHA-1, then decodes the content
    /// (`DataSet.verify`). Never stops at the first failure; `log` gets one line per data set.
    public func fetch(_ sets: [DataSet] = DataSet.all, log: (String) -> Void = { print($0) }) -> [FetchResult] {
        sets.map { set in
            var paths: [String] = []
            let result = Result<String, Error> {
                for file in set.files {
                    paths.append(try locate(file))
                    if file.sha1 != nil { _ = try read(file) }  // SHA-1 checked on read
                }
                return try set.verify(self)
            }
            switch result {
            case .success(let summary):
                let sha = set.files.allSatisfy { $0.sha1 != nil } ? "SHA-1 ok" : "content decoded (no published SHA-1)"
                log("ok      \(set.name): \(summary), \(sha); \(paths.joined(separator: ", "))")
            case .failure(let error):
                log("FAILED  \(set.name): \(error)")
            }
            return FetchResult(dataSet: set, paths: paths, result: result)
        }
    }
}
