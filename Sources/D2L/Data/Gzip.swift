import Foundation

/// The gzip container (RFC 1952) around a DEFLATE stream.
///
/// A member is: magic 1f 8b, method 8 (deflate), flags, mtime (4), extra flags, OS; then
/// optional fields by flag — FEXTRA (2-byte length + data), FNAME and FCOMMENT (zero-terminated),
/// FHCRC (low 16 bits of the CRC-32 of the header so far); then the DEFLATE data; then the CRC-32
/// and the length mod 2^32 (ISIZE) of the uncompressed data, little-endian. Several members may
/// follow each other (`cat a.gz b.gz`); their outputs are concatenated. Trailing zero bytes
/// (tape padding) are ignored; any other trailing data is an error.
public enum Gzip {
    /// Decompresses gzip data, checking every member's header, CRC-32 and ISIZE.
    /// - Parameter maxOutput: limit on the total output (bogus lengths cannot exhaust memory).
    public static func decompress(_ data: UnsafeRawBufferPointer, maxOutput: Int = 1 << 32) throws -> [UInt8] {
        var result: [UInt8] = []
        var p = 0
        let n = data.count
        var member = 0
        repeat {
            member += 1
            let what = member == 1 ? "gzip data" : "gzip member \(member)"
            func byte(_ i: Int) throws -> UInt8 {
                guard i < n else { throw DataError.truncated("\(what) header") }
                return data[i]
            }
            guard try byte(p) == 0x1f, try byte(p + 1) == 0x8b else {
                throw DataError.corrupt("not gzip data (magic bytes \(String(format: "%02x %02x", data[p], p + 1 < n ? data[p + 1] : 0)), expected 1f 8b)")
            }
            let method = try byte(p + 2)
            if method != 8 { throw DataError.corrupt("\(what): compression method \(method), only 8 (deflate) is defined") }
            let flags = try byte(p + 3)
            if flags & 0xE0 != 0 { throw DataError.corrupt("\(what): reserved header flag bits set (\(flags))") }
            let start = p
            var q = p + 10
            if flags & 0x04 != 0 {  // FEXTRA
                let xlen = Int(try byte(q)) | Int(try byte(q + 1)) << 8
                q += 2 + xlen
            }
            if flags & 0x08 != 0 {  // FNAME
                while try byte(q) != 0 { q += 1 }
                q += 1
            }
            if flags & 0x10 != 0 {  // FCOMMENT
                while try byte(q) != 0 { q += 1 }
                q += 1
            }
            if flags & 0x02 != 0 {  // FHCRC
                let stored = UInt32(try byte(q)) | UInt32(try byte(q + 1)) << 8
                let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: data[start..<q])) & 0xFFFF
                if stored != computed { throw DataError.crcMismatch(what: "\(what) header", expected: stored, found: computed) }
                q += 2
            }
            guard q <= n else { throw DataError.truncated("\(what) header") }
            // ISIZE sits in the last 4 bytes of a single-member file: use it as a size hint.
            var hint = 0
            if member == 1, n >= 4 {
                hint = Int(data[n - 4]) | Int(data[n - 3]) << 8 | Int(data[n - 2]) << 16 | Int(data[n - 1]) << 24
            }
            let (out, used) = try Inflate.decompress(UnsafeRawBufferPointer(rebasing: data[q..<n]),
                                                     sizeHint: hint, maxOutput: maxOutput - result.count)
            q += used
            guard q + 8 <= n else { throw DataError.truncated("\(what) trailer (CRC-32 and length)") }
            let storedCRC = UInt32(data[q]) | UInt32(data[q + 1]) << 8 | UInt32(data[q + 2]) << 16 | UInt32(data[q + 3]) << 24
            let storedSize = Int(data[q + 4]) | Int(data[q + 5]) << 8 | Int(data[q + 6]) << 16 | Int(data[q + 7]) << 24
            let crc = out.withUnsafeBytes { CRC32.checksum($0) }
            if crc != storedCRC { throw DataError.crcMismatch(what: what, expected: storedCRC, found: crc) }
            if out.count & 0xFFFF_FFFF != storedSize {
                throw DataError.lengthMismatch(what: "\(what) (ISIZE, length mod 2^32)", expected: storedSize, found: out.count)
            }
            if result.isEmpty { result = out } else { result += out }
            p = q + 8
            // Skip zero padding; anything else must be another member.
            var z = p
            while z < n && data[z] == 0 { z += 1 }
            if z == n { break }
        } while true
        return result
    }

    /// Reads and decompresses a `.gz` file whose output can be at most `maxOutput` bytes
    /// (each loader passes a bound near its data set's real size). Before reading the file it
    /// checks, from the first and last bytes only: the magic bytes, that the file is not larger
    /// than `maxOutput` bytes could compress to, and that the declared size (ISIZE trailer) fits
    /// the bound. So junk or a gzip bomb is rejected at once, and a bomb that lies in its
    /// trailer stops at the bound (the output buffer never grows past it). Errors name the file.
    public static func decompressFile(atPath path: String, maxOutput: Int) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw DataError.io(file: path, reason: "not readable") }
        defer { try? handle.close() }
        let size: Int
        let head: [UInt8], tail: [UInt8]
        do {
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            head = [UInt8](try handle.read(upToCount: 2) ?? Data())
            try handle.seek(toOffset: UInt64(max(0, size - 4)))
            tail = [UInt8](try handle.read(upToCount: 4) ?? Data())
        } catch {
            throw DataError.io(file: path, reason: error.localizedDescription)
        }
        guard head.count == 2, head[0] == 0x1f, head[1] == 0x8b else {
            let found = head.map { String(format: "%02x", $0) }.joined(separator: " ")
            throw DataError.inFile(path, .corrupt("not gzip data (magic bytes \(found.isEmpty ? "none, empty file" : found), expected 1f 8b)"))
        }
        // Stored blocks cost 5 bytes per 65,535 bytes; a member's header and trailer ~20 bytes.
        let maxCompressed = maxOutput + maxOutput / 8192 + 4096
        if size > maxCompressed {
            throw DataError.tooLarge(file: path, what: "the compressed file has", size: size, limit: maxCompressed)
        }
        if tail.count == 4 {
            let declared = Int(tail[0]) | Int(tail[1]) << 8 | Int(tail[2]) << 16 | Int(tail[3]) << 24
            if declared > maxOutput {
                throw DataError.tooLarge(file: path, what: "the gzip trailer (ISIZE) declares", size: declared, limit: maxOutput)
            }
        }
        let data: Data
        do {
            try handle.seek(toOffset: 0)
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw DataError.io(file: path, reason: error.localizedDescription)
        }
        do { return try decompress(data, maxOutput: maxOutput) } catch let e as DataError { throw DataError.inFile(path, e) }
    }

    public static func decompress(_ data: [UInt8], maxOutput: Int = 1 << 32) throws -> [UInt8] {
        try data.withUnsafeBytes { try decompress($0, maxOutput: maxOutput) }
    }

    public static func decompress(_ data: Data, maxOutput: Int = 1 << 32) throws -> [UInt8] {
        try data.withUnsafeBytes { try decompress($0, maxOutput: maxOutput) }
    }
}
