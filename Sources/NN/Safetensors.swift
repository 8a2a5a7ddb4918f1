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
/// Only `F32` tensors are read and written.
public enum SafetensorsError: Error, CustomStringConvertible {
    case io(String)
    case corrupt(String)
    case unsupportedDType(name: String, dtype: String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .io(let s): return "safetensors: \(s)"
        case .corrupt(let s): return "safetensors: corrupt file: \(s)"
        case .unsupportedDType(let name, let dtype):
            return "safetensors: tensor '\(name)' has dtype \(dtype); only F32 is supported (convert it to float32 first)"
        case .mismatch(let s): return "loadParameters: \(s)"
        }
    }
}

/// Writes `tensors` to `url` as safetensors (names sorted, data in that order).
public func saveSafetensors(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
    try safetensorsData(tensors, metadata: metadata).write(to: url)
}

/// The bytes of a safetensors file holding `tensors`.
public func safetensorsData(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
    let names = tensors.keys.sorted()
    var entries: [String] = []
    if !metadata.isEmpty {
        let m = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
        entries.append("\"__metadata__\":{\(m.joined(separator: ","))}")
    }
    var offset = 0
    for name in names {
        let t = tensors[name]!
        let end = offset + 4 * t.count
        entries.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                       + "\"data_offsets\":[\(offset),\(end)]}")
        offset = end
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var data = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: header)
    for name in names {
        tensors[name]!.withUnsafeBufferPointer { buf in
            #if _endian(little)
            data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buf.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                            count: 4 * buf.count))
            #else
            for v in buf { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            #endif
        }
    }
    return data
}

/// Reads every tensor of a safetensors file.
public func loadSafetensors(from url: URL) throws -> [String: Tensor] {
    let data: Data
    do { data = try Data(contentsOf: url) } catch { throw SafetensorsError.io("cannot read \(url.path): \(error.localizedDescription)") }
    return try loadSafetensors(data: data)
}

/// Reads every tensor of a safetensors file held in memory; validates the header, the
/// dtypes and every offset (a corrupt file throws, it never crashes).
public func loadSafetensors(data: Data) throws -> [String: Tensor] {
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw SafetensorsError.corrupt("\(bytes.count) bytes, shorter than the 8-byte header length") }
    var n: UInt64 = 0
    for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    guard n <= UInt64(bytes.count - 8) else {
        throw SafetensorsError.corrupt("header length \(n) exceeds the file size \(bytes.count)")
    }
    let headerEnd = 8 + Int(n)
    let json: Any
    do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) } catch {
        throw SafetensorsError.corrupt("the header is not valid JSON")
    }
    guard let header = json as? [String: Any] else { throw SafetensorsError.corrupt("the header is not a JSON object") }
    let dataSize = bytes.count - headerEnd
    var result: [String: Tensor] = [:]
    for (name, value) in header where name != "__metadata__" {
        guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
              let shapeAny = info["shape"] as? [Any], let offsetsAny = info["data_offsets"] as? [Any] else {
            throw SafetensorsError.corrupt("entry '\(name)' lacks dtype, shape or data_offsets")
        }
        guard dtype == "F32" else { throw SafetensorsError.unsupportedDType(name: name, dtype: dtype) }
        let shape = try shapeAny.map { try nonNegativeInt($0, what: "shape of '\(name)'") }
        let offsets = try offsetsAny.map { try nonNegativeInt($0, what: "data_offsets of '\(name)'") }
        guard offsets.count == 2, offsets[0] <= offsets[1], offsets[1] <= dataSize else {
            throw SafetensorsError.corrupt("data_offsets \(offsets) of '\(name)' fall outside the \(dataSize) data bytes")
        }
        var count = 1
        for s in shape {
            let (c, overflow) = count.multipliedReportingOverflow(by: s)
            guard !overflow, c <= dataSize / 4 + 1 else { throw SafetensorsError.corrupt("shape \(shape) of '\(name)' is too large") }
            count = c
        }
        guard offsets[1] - offsets[0] == 4 * count else {
            throw SafetensorsError.corrupt("'\(name)' has shape \(describeShape(shape)) (\(4 * count) bytes) but data_offsets \(offsets)")
        }
        let storage = TensorStorage(uninitializedCount: count)
        let base = headerEnd + offsets[0]
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                let bits = raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)
                storage.pointer[i] = Float(bitPattern: UInt32(littleEndian: bits))
            }
        }
        result[name] = Tensor(shape: shape, storage: storage)
    }
    return result
}

private func nonNegativeInt(_ any: Any, what: String) throws -> Int {
    guard let num = any as? NSNumber, let i = Int(exactly: num.doubleValue), i >= 0, i < Int(Int32.max) * 64 else {
        throw SafetensorsError.corrupt("\(what) holds \(any), not a non-negative integer")
    }
    return i
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

extension Module {
    /// The parameters by dotted name (PyTorch's `state_dict()`), sharing their buffers.
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (name, p) in namedParameters() { d[name] = p.value.detached() }
        return d
    }

    /// Sets every parameter from `tensors` (PyTorch's strict `load_state_dict`): throws,
    /// changing nothing, if a name is missing, unexpected, or has another shape.
    public func loadStateDict(_ tensors: [String: Tensor]) throws {
        let named = namedParameters()
        var problems: [String] = []
        let missing = named.map { $0.name }.filter { tensors[$0] == nil }
        if !missing.isEmpty { problems.append("missing keys \(missing)") }
        let known = Set(named.map { $0.name })
        let unexpected = tensors.keys.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty { problems.append("unexpected keys \(unexpected)") }
        for (name, p) in named {
            if let t = tensors[name], t.shape != p.shape {
                problems.append("'\(name)' has shape \(describeShape(t.shape)) in the file but \(describeShape(p.shape)) in the model")
            }
        }
        guard problems.isEmpty else { throw SafetensorsError.mismatch(problems.joined(separator: "; ")) }
        for (name, p) in named { p.value = tensors[name]!.detached() }
    }

    /// Saves all parameters to a safetensors file (book §5.5 `torch.save(net.state_dict())`).
    public func saveParameters(to url: URL) throws { try saveSafetensors(stateDict(), to: url) }

    /// Loads parameters saved by `saveParameters(to:)` (or by PyTorch with the same names).
    public func loadParameters(from url: URL) throws { try loadStateDict(loadSafetensors(from: url)) }
}
