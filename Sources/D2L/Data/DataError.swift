import Foundation

/// Everything that can go wrong while finding, checking, decompressing or parsing a data set.
///
/// Loader entry points (`loadDataFashionMNIST`, `readTimeMachine`, `loadDataNMT`, …) `throw`
/// these; chapters print `error.description` and exit non-zero. Every case carries enough
/// context (file, expected and found values, every place looked) to act on the message alone.
public enum DataError: Error, CustomStringConvertible, Equatable {
    /// The compressed stream ended before the decoder was done (`context` says where).
    case truncated(String)
    /// A DEFLATE block header announced block type 3 (reserved).
    case badBlockType(Int)
    /// Any other malformed DEFLATE / gzip / zip structure.
    case corrupt(String)
    /// The output would exceed the caller's limit (guards against bogus lengths).
    case outputTooLarge(limit: Int)
    /// A file, or the size its header declares, is larger than the data set can need (a gzip
    /// bomb, a wrong or junk file): rejected before anything is decompressed.
    case tooLarge(file: String, what: String, size: Int, limit: Int)
    /// A CRC-32 check failed.
    case crcMismatch(what: String, expected: UInt32, found: UInt32)
    /// The decompressed size differs from the one recorded in the container.
    case lengthMismatch(what: String, expected: Int, found: Int)
    /// A file's SHA-1 differs from the published one.
    case sha1Mismatch(file: String, expected: String, found: String)
    /// An IDX file is malformed.
    case badIDX(file: String, reason: String)
    /// A data set could not be found anywhere nor downloaded.
    case notFound(dataset: String, file: String, searched: [String], howToGet: [String])
    /// A text or CSV file does not have the expected format.
    case badFormat(file: String, reason: String)
    /// Reading a file from disk failed.
    case io(file: String, reason: String)
    /// A decoding error (`inner`) that happened inside `file`.
    indirect case inFile(String, DataError)

    public var description: String {
        switch self {
        case .truncated(let context): return "truncated: \(context)"
        case .badBlockType(let t): return "bad block type \(t) in DEFLATE stream"
        case .corrupt(let why): return "corrupt data: \(why)"
        case .outputTooLarge(let limit): return "decompressed output exceeds the limit of \(limit) bytes"
        case let .tooLarge(file, what, size, limit):
            return "\(file): \(what) \(size) bytes, more than the \(limit) bytes this data set can need (a damaged, wrong or malicious file?)"
        case let .crcMismatch(what, expected, found):
            return "CRC mismatch in \(what): expected \(hex32(expected)) found \(hex32(found))"
        case let .lengthMismatch(what, expected, found):
            return "length mismatch in \(what): expected \(expected) found \(found)"
        case let .sha1Mismatch(file, expected, found):
            return "SHA-1 mismatch for \(file): expected \(expected) found \(found)"
        case let .badIDX(file, reason): return "bad IDX file \(file): \(reason)"
        case let .notFound(dataset, file, searched, howToGet):
            var s = "data set \(dataset): could not find \(file). Looked in:\n"
            for place in searched { s += "  - \(place)\n" }
            s += "To get it:\n"
            for hint in howToGet { s += "  - \(hint)\n" }
            return s
        case let .badFormat(file, reason): return "bad format in \(file): \(reason)"
        case let .io(file, reason): return "cannot read \(file): \(reason)"
        case let .inFile(file, inner): return "\(file): \(inner.description)"
        }
    }
}

@inline(__always) func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}

