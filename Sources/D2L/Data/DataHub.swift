import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Finds data files (the book's `d2l.download`, §4.10), checking them on the way.
///
/// Lookup order for a `DataFile` with relative path `p`:
/// 1. `$D2L_DATA_DIR/p` (`dataDirectory`),
/// 2. `<checkout>/Datasets/p` (`checkoutDatasets`; the checkout is found by walking up from the
///    current directory, then from the executable, to a directory with `Package.swift` and
///    `Chapters/`),
/// 3. the file's system directories (Fashion-MNIST: `/usr/share/datasets/fashion-mnist/`),
/// 4. its zip archive (fra-eng: `fra-eng.zip`) in 1 or 2, extracted next to it,
/// 5. a download from the book's URL into `Datasets/` (or `$D2L_DATA_DIR` without a checkout).
///
/// Files with a published SHA-1 are checked every time they are read; a mismatch stops with
/// the file name, the expected and the found digest. If nothing works the error lists every
/// place looked and how to get the file.
///
/// Tests build their own hub (`DataHub(dataDirectory:checkoutDatasets:allowDownload:fetch:)`)
/// so they need neither the environment nor the network. `swift run Datasets fetch` locates
/// (downloading what is missing) and verifies every data set (`DataHub.fetch`, `DataSet.all`).
public struct DataHub {
    public var dataDirectory: String?
    public var checkoutDatasets: String?
    public var allowDownload: Bool
    /// Downloads a URL (default: `URLSession`). Injectable for tests.
    public var fetch: (URL) throws -> [UInt8]

    public init(dataDirectory: String?, checkoutDatasets: String?, allowDownload: Bool = true,
                fetch: @escaping (URL) throws -> [UInt8] = DataHub.download) {
        self.dataDirectory = dataDirectory; self.checkoutDatasets = checkoutDatasets
        self.allowDownload = allowDownload; self.fetch = fetch
    }

    /// The hub from the environment: `$D2L_DATA_DIR` and `<checkout>/Datasets`.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> DataHub {
        let dir = env["D2L_DATA_DIR"].flatMap { $0.isEmpty ? nil : absolutePath($0) }
        let root = findPackageRoot()
        return DataHub(dataDirectory: dir, checkoutDatasets: root.map { $0 + "/Datasets" })
    }

    /// The hub every loader uses unless given another one.
    nonisolated(unsafe) public static var shared: DataHub = .fromEnvironment()

    /// The package checkout: the first directory, walking up from the current directory and
    /// then from the executable's directory, that has `Package.swift` and a `Chapters/` folder.
    public static func findPackageRoot() -> String? {
        var starts = [FileManager.default.currentDirectoryPath]
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append((exe as NSString).deletingLastPathComponent)
        }
        if let arg0 = CommandLine.arguments.first {
            starts.append((absolutePath(arg0) as NSString).deletingLastPathComponent)
        }
        let fm = FileManager.default
        for start in starts {
            var dir = start
            while true {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: dir + "/Package.swift"),
                   fm.fileExists(atPath: dir + "/Chapters", isDirectory: &isDir), isDir.boolValue {
                    return dir
                }
                let parent = (dir as NSString).deletingLastPathComponent
                if parent == dir || parent.isEmpty { break }
                dir = parent
            }
        }
        return nil
    }

    public static func absolutePath(_ p: String) -> String {
        if p.hasPrefix("/") { return (p as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath + "/" + p) as NSString).standardizingPath
    }

    var searchDirectories: [String] { [dataDirectory, checkoutDatasets].compactMap { $0 } }

    /// The places `locate` tries for `file`, in order (for messages and documentation).
    public func candidates(for file: DataFile) -> [String] {
        searchDirectories.map { $0 + "/" + file.path } + file.systemDirectories.map { $0 + "/" + file.fileName }
    }

    /// The path of `file`, found, extracted or downloaded as described above.
    public func locate(_ file: DataFile) throws -> String {
        let fm = FileManager.default
        for c in candidates(for: file) where fm.fileExists(atPath: c) { return c }
        var searched = candidates(for: file)
        var hints = file.howToGet
        if dataDirectory == nil { searched.append("$D2L_DATA_DIR (not set)") }
        if checkoutDatasets == nil { searched.append("Datasets/ (no checkout with Package.swift and Chapters/ found above the current directory or the executable)") }
        let writable = checkoutDatasets ?? dataDirectory
        if let archive = file.archive {
            for dir in searchDirectories {
                let zipPath = dir + "/" + archive.name
                searched.append(zipPath)
                if fm.fileExists(atPath: zipPath) {
                    let bytes = try readChecked(zipPath, sha1: archive.sha1, maxSize: DataHub.maxArchiveSize)
                    return try extract(archive, from: bytes, zipPath: zipPath, into: dir, size: file.size)
                }
            }
        }
        let url = file.url ?? file.archive?.url
        if let url {
            if hints.isEmpty {
                hints = ["set D2L_DATA_DIR to a directory containing \(file.path)",
                         "or put it in Datasets/\(file.path) in the checkout",
                         "or download \(url)" + (file.archive != nil ? " and unzip it into Datasets/" : " into Datasets/\(file.path)")]
            }
            if allowDownload, let writable {
                do {
                    let bytes = try fetch(URL(string: url)!)
                    if let archive = file.archive {
                        try checkSHA1(bytes, sha1: archive.sha1, name: url)
                        let zipPath = writable + "/" + archive.name
                        try write(bytes, to: zipPath)
                        return try extract(archive, from: bytes, zipPath: zipPath, into: writable, size: file.size)
                    }
                    try checkSHA1(bytes, sha1: file.sha1, name: url)
                    let dest = writable + "/" + file.path
                    try write(bytes, to: dest)
                    return dest
                } catch DataError.sha1Mismatch(let name, let expected, let found) {
                    throw DataError.sha1Mismatch(file: name, expected: expected, found: found)
                } catch {
                    searched.append("download \(url) failed: \(error)")
                }
            } else {
                searched.append(allowDownload ? "download \(url): no writable data directory" : "download \(url): disabled")
            }
        }
        hints.append("or run `swift run Datasets fetch` in the checkout (downloads and verifies every data set the chapters use)")
        throw DataError.notFound(dataset: file.dataset, file: file.path, searched: searched, howToGet: hints)
    }

    /// Locates `file` and returns its bytes, SHA-1-checked where a SHA-1 is published.
    public func read(_ file: DataFile) throws -> [UInt8] {
        try readChecked(try locate(file), sha1: file.sha1, size: file.size)
    }

    /// Locates a UTF-8 text file and returns it as a String.
    public func readText(_ file: DataFile) throws -> String {
        let bytes = try read(file)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Largest zip archive read into memory (d2l's `fra-eng.zip` is ~3.4 MB).
    static let maxArchiveSize = 64 << 20

    /// The file's bytes, after checking before reading it that it is not larger than its known
    /// `size` (or `maxSize`), and its SHA-1 after (a smaller wrong file gets the SHA-1 message).
    func readChecked(_ path: String, sha1: String?, size: Int? = nil, maxSize: Int? = nil) throws -> [UInt8] {
        if let limit = size ?? maxSize, let found = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
           found > limit {
            throw DataError.tooLarge(file: path, what: "the file has", size: found, limit: limit)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.io(file: path, reason: "not readable")
        }
        let bytes = [UInt8](data)
        try checkSHA1(bytes, sha1: sha1, name: path)
        return bytes
    }

    func checkSHA1(_ bytes: [UInt8], sha1: String?, name: String) throws {
        guard let sha1 else { return }
        let found = SHA1.hexDigest(bytes)
        if found != sha1 { throw DataError.sha1Mismatch(file: name, expected: sha1, found: found) }
    }

    /// Extracts `archive.member`; with a known `size`, an entry that declares another size is
    /// rejected before it is inflated.
    func extract(_ archive: DataFile.Archive, from bytes: [UInt8], zipPath: String, into dir: String,
                 size: Int? = nil) throws -> String {
        do {
            let zip = try ZipArchive(bytes: bytes)
            guard let entry = zip.entry(named: archive.member) else {
                throw DataError.badFormat(file: zipPath, reason: "no entry \(archive.member) (entries: \(zip.entries.prefix(10).map(\.name)))")
            }
            if let size, entry.uncompressedSize != size {
                throw DataError.lengthMismatch(what: "zip entry \(entry.name) (declared size)", expected: size, found: entry.uncompressedSize)
            }
            let dest = dir + "/" + archive.member
            try write(try zip.extract(entry), to: dest)
            return dest
        } catch let e as DataError {
            if case .badFormat = e { throw e }
            throw DataError.inFile(zipPath, e)
        }
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError.io(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Downloads with `URLSession` (FoundationNetworking on Linux), waiting up to 10 minutes.
    public static func download(_ url: URL) throws -> [UInt8] {
        final class Box: @unchecked Sendable { var data: Data?; var error: Error?; var status = 0 }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            box.data = data; box.error = error
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            done.signal()
        }
        FileHandle.standardError.write("Downloading \(url.absoluteString) …\n".data(using: .utf8)!)
        task.resume()
        if done.wait(timeout: .now() + 600) == .timedOut {
            task.cancel()
            throw DataError.io(file: url.absoluteString, reason: "download timed out")
        }
        if let error = box.error { throw DataError.io(file: url.absoluteString, reason: error.localizedDescription) }
        guard box.status == 200 || box.status == 0, let data = box.data else {
            throw DataError.io(file: url.absoluteString, reason: "HTTP status \(box.status)")
        }
        return [UInt8](data)
    }
}
