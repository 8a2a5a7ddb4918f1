import Foundation
import Tensor

/// Saving and loading tensors in the safetensors format (book §5.5 "File I/O"), the format
/// PyTorch, MLX and Hugging Face use, so weights move between them and this library:
///
///     8 bytes      N, the header length (unsigned 64-bit little-endian)
///     N bytes      JSON: {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...],
///                         "data_offsets": [begin, end]}, ...}, padded with spaces to 8 bytes
///     rest         the tensors' little-endian float32 data; offsets are relative to its start
///
/// Tensors are `F32`; integer state (batch norm's `num_batches_tracked`) is `I64`. A file is
/// accepted only if it follows the format exactly: one JSON object without duplicate keys, a
/// `__metadata__` object of strings, integer shapes and offsets, and tensors that tile the data
/// section without overlaps or gaps. Saving writes a temporary file beside the target and
/// renames it, so a failed save leaves the previous file intact.
public enum SafetensorsError: Error, CustomStringConvertible {
    /// Reading or writing `path` failed (missing directory, permissions, disk full, …).
    case io(path: String, problem: String)
    case corrupt(String)
    case unsupportedDType(name: String, dtype: String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .io(let path, let problem): return "safetensors: \(path): \(problem)"
        case .corrupt(let s): return "safetensors: corrupt file: \(s)"
        case .unsupportedDType(let name, let dtype):
            return "safetensors: tensor '\(name)' has dtype \(dtype); only F32 (and I64 for integer buffers) is supported "
                + "(convert it to float32 first)"
        case .mismatch(let s): return "loadParameters: \(s)"
        }
    }
}

/// Writes `tensors` to `url` as safetensors (names sorted, data in that order), atomically.
public func saveSafetensors(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
    try saveSafetensors(tensors.mapValues { StateTensor.float32($0) }, to: url, metadata: metadata)
}

/// Writes float32 and int64 entries (a `stateDict()`) to `url` as safetensors, atomically.
public func saveSafetensors(_ entries: [String: StateTensor], to url: URL, metadata: [String: String] = [:]) throws {
    try writeFileAtomically(safetensorsData(entries, metadata: metadata), to: url)
}

/// The bytes of a safetensors file holding `tensors`.
public func safetensorsData(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
    safetensorsData(tensors.mapValues { StateTensor.float32($0) }, metadata: metadata)
}

/// The bytes of a safetensors file holding float32 and int64 entries.
public func safetensorsData(_ entries: [String: StateTensor], metadata: [String: String] = [:]) -> Data {
    let names = entries.keys.sorted()
    var fields: [String] = []
    if !metadata.isEmpty {
        let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
        fields.append("\"__metadata__\":{\(m.joined(separator: ","))}")
    }
    var offset = 0
    for name in names {
        let e = entries[name]!
        let end = offset + e.dtype.size * shapeCount(e.shape)
        fields.append("\(jsonString(name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],"
                      + "\"data_offsets\":[\(offset),\(end)]}")
        offset = end
    }
    var header = Array("{\(fields.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for name in names {
        switch entries[name]! {
        case .float32(let t):
            t.withUnsafeBufferPointer { buf in
                #if _endian(little)
                data.append(UnsafeRawBufferPointer(buf).bindMemory(to: UInt8.self))
                #else
                for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                #endif
            }
        case .int64(_, let scalars):
            for v in scalars { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        }
    }
    return data
}

/// Writes `data` to `url` so that `url` holds either its old contents or all of `data`, never a
/// truncated mix: the bytes go to a temporary file in the same directory, which is flushed to
/// disk (`fsync`) and then renamed over `url` (an atomic replace on POSIX file systems).
/// Failures throw `SafetensorsError.io` with the path; the temporary file is removed.
func writeFileAtomically(_ data: Data, to url: URL) throws {
    let path = url.path
    let tmp = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    func failure(_ what: String) -> SafetensorsError {
        .io(path: path, problem: "\(what): \(String(cString: strerror(errno)))")
    }
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure("cannot create a temporary file in its directory") }
    var ok = false
    defer { if !ok { unlink(tmp) } }
    let written: Bool = data.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = write(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
    guard written else { let e = failure("cannot write"); close(fd); throw e }
    guard fsync(fd) == 0 else { let e = failure("cannot flush"); close(fd); throw e }
    guard close(fd) == 0 else { throw failure("cannot close") }
    guard rename(tmp, path) == 0 else { throw failure("cannot replace the file") }
    ok = true
    let dir = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
    if dir >= 0 { _ = fsync(dir); close(dir) }
}

/// Reads every tensor of a float32 safetensors file.
public func loadSafetensors(from url: URL) throws -> [String: Tensor] {
    try floatTensors(loadStateTensors(from: url))
}

/// Reads every tensor of a float32 safetensors file held in memory; validates the header, the
/// dtypes and every offset (a corrupt file throws, it never crashes).
public func loadSafetensors(data: Data) throws -> [String: Tensor] {
    try floatTensors(loadStateTensors(data: data))
}

private func floatTensors(_ entries: [String: StateTensor]) throws -> [String: Tensor] {
    try entries.mapValues { e in
        guard case .float32(let t) = e else {
            let name = entries.first { $0.value.dtype == .int64 }!.key
            throw SafetensorsError.unsupportedDType(name: name, dtype: "I64 (read integer entries with loadStateTensors)")
        }
        return t
    }
}

/// Reads every entry (float32 and int64) of a safetensors file, e.g. a PyTorch state dict
/// with batch norm buffers.
public func loadStateTensors(from url: URL) throws -> [String: StateTensor] {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        throw SafetensorsError.io(path: url.path, problem: !exists ? "no such file" : isDir.boolValue ? "is a directory"
                                  : "cannot read (\(error.localizedDescription))")
    }
    return try loadStateTensors(data: data)
}

/// Reads every entry of a safetensors file held in memory, validating it strictly.
public func loadStateTensors(data: Data) throws -> [String: StateTensor] {
    try data.withUnsafeBytes { raw in try parseSafetensors(raw) }
}

/// One tensor's header entry after validation.
private struct HeaderEntry {
    let name: String
    let dtype: StateDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

private func parseSafetensors(_ raw: UnsafeRawBufferPointer) throws -> [String: StateTensor] {
    guard raw.count >= 8 else { throw SafetensorsError.corrupt("\(raw.count) bytes, shorter than the 8-byte header length") }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(raw[i]) << (8 * UInt64(i)) }
    guard n <= UInt64(raw.count - 8) else {
        throw SafetensorsError.corrupt("header length \(n) exceeds the file size \(raw.count)")
    }
    let headerEnd = 8 + Int(n)
    guard case .object(let members) = try JSONParser.parse(Array(raw[8..<headerEnd])) else {
        throw SafetensorsError.corrupt("the header is not a JSON object")
    }
    let dataSize = raw.count - headerEnd
    var entries: [HeaderEntry] = []
    for (name, value) in members {
        if name == "__metadata__" {
            guard case .object(let fields) = value else {
                throw SafetensorsError.corrupt("__metadata__ is \(value.summary), not an object of strings")
            }
            for (key, v) in fields {
                guard case .string = v else {
                    throw SafetensorsError.corrupt("__metadata__ entry '\(key)' is \(v.summary), not a string")
                }
            }
            continue
        }
        entries.append(try headerEntry(name, value, dataSize: dataSize))
    }
    try checkTiling(entries, dataSize: dataSize)
    var result: [String: StateTensor] = [:]
    for e in entries {
        let base = headerEnd + e.begin
        let count = (e.end - e.begin) / e.dtype.size
        switch e.dtype {
        case .float32:
            let storage = TensorStorage(uninitializedCount: count)
            for i in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)
                storage.pointer[i] = Float(bitPattern: UInt32(littleEndian: bits))
            }
            result[e.name] = .float32(Tensor(shape: e.shape, storage: storage))
        case .int64:
            let scalars = (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * $0, as: Int64.self)) }
            result[e.name] = .int64(shape: e.shape, scalars: scalars)
        }
    }
    return result
}

/// Validates one tensor's `{"dtype", "shape", "data_offsets"}` entry.
private func headerEntry(_ name: String, _ value: JSONValue, dataSize: Int) throws -> HeaderEntry {
    guard case .object(let fields) = value else {
        throw SafetensorsError.corrupt("entry '\(name)' is \(value.summary), not an object")
    }
    let info = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    guard case .string(let dtypeName)? = info["dtype"], case .array(let shapeItems)? = info["shape"],
          case .array(let offsetItems)? = info["data_offsets"] else {
        throw SafetensorsError.corrupt("entry '\(name)' lacks dtype, shape or data_offsets")
    }
    guard let dtype = StateDType(rawValue: dtypeName) else {
        throw SafetensorsError.unsupportedDType(name: name, dtype: dtypeName)
    }
    func integers(_ items: [JSONValue], _ what: String) throws -> [Int] {
        try items.map { item in
            guard case .integer(let i) = item, i >= 0 else {
                throw SafetensorsError.corrupt("\(what) of '\(name)' holds \(item.summary), not a non-negative integer")
            }
            return i
        }
    }
    let shape = try integers(shapeItems, "shape")
    let offsets = try integers(offsetItems, "data_offsets")
    guard offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
        throw SafetensorsError.corrupt("data_offsets \(offsets) of '\(name)' fall outside the \(dataSize) data bytes")
    }
    var count = 1
    for s in shape {
        let (c, overflow) = count.multipliedReportingOverflow(by: s)
        guard !overflow, c <= dataSize / dtype.size + 1 else {
            throw SafetensorsError.corrupt("shape \(shape) of '\(name)' is too large")
        }
        count = c
    }
    guard offsets[1] - offsets[0] == dtype.size * count else {
        throw SafetensorsError.corrupt("'\(name)' has shape \(describeShape(shape)) (\(dtype.size * count) bytes of \(dtype.rawValue)) "
                                       + "but data_offsets \(offsets)")
    }
    return HeaderEntry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
}

/// The format requires the tensors to cover the data section exactly: sorted by offset, each
/// begins where the previous one ends, the first at 0 and the last at the end of the file.
private func checkTiling(_ entries: [HeaderEntry], dataSize: Int) throws {
    var expected = 0
    var previous: String? = nil
    for e in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
        if e.begin < expected {
            throw SafetensorsError.corrupt("'\(e.name)' (bytes \(e.begin)..<\(e.end)) overlaps '\(previous!)' (which ends at \(expected))")
        }
        if e.begin > expected {
            throw SafetensorsError.corrupt("\(e.begin - expected) unused bytes before '\(e.name)' (bytes \(expected)..<\(e.begin))")
        }
        expected = e.end
        previous = e.name
    }
    if expected != dataSize {
        throw SafetensorsError.corrupt("\(dataSize - expected) unused bytes after the last tensor"
                                       + (previous.map { " '\($0)'" } ?? ""))
    }
}

private func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}
