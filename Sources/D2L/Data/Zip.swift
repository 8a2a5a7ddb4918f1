/// A small zip archive reader (PKWARE APPNOTE): enough to extract d2l's `fra-eng.zip`.
///
/// It reads the End Of Central Directory record (signature 50 4b 05 06, searched backwards
/// over the last 64 KiB + 22 bytes), walks the central directory (50 4b 01 02) for names,
/// methods, sizes, CRCs and local header offsets, then for each wanted entry skips its local
/// header (50 4b 03 04) and either copies it (method 0, stored) or inflates it (method 8).
/// CRC-32 and size are checked. No zip64, encryption or multi-disk archives.
public struct ZipArchive {
    public struct Entry {
        public let name: String
        public let method: Int
        public let compressedSize: Int
        public let uncompressedSize: Int
        public let crc32: UInt32
        let localHeaderOffset: Int
    }

    public let bytes: [UInt8]
    public private(set) var entries: [Entry] = []

    public init(bytes: [UInt8]) throws {
        self.bytes = bytes
        let n = bytes.count
        func u16(_ i: Int) throws -> Int {
            guard i >= 0, i + 2 <= n else { throw DataError.truncated("zip structure at offset \(i)") }
            return Int(bytes[i]) | Int(bytes[i + 1]) << 8
        }
        func u32(_ i: Int) throws -> Int { try u16(i) | (try u16(i + 2)) << 16 }
        var eocd = -1
        var i = n - 22
        while i >= max(0, n - 22 - 65_535) {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4b, bytes[i + 2] == 5, bytes[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw DataError.corrupt("not a zip archive (no end of central directory record)") }
        let count = try u16(eocd + 10)
        var p = try u32(eocd + 16)
        for _ in 0..<count {
            guard try u32(p) == 0x0201_4b50 else { throw DataError.corrupt("bad zip central directory entry at offset \(p)") }
            let method = try u16(p + 10)
            let crc = UInt32(try u32(p + 16))
            let csize = try u32(p + 20), usize = try u32(p + 24)
            let nameLen = try u16(p + 28), extraLen = try u16(p + 30), commentLen = try u16(p + 32)
            let local = try u32(p + 42)
            guard p + 46 + nameLen <= n else { throw DataError.truncated("zip entry name") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            entries.append(Entry(name: name, method: method, compressedSize: csize, uncompressedSize: usize,
                                 crc32: crc, localHeaderOffset: local))
            p += 46 + nameLen + extraLen + commentLen
        }
    }

    /// The uncompressed bytes of `entry`, CRC- and size-checked.
    public func extract(_ entry: Entry) throws -> [UInt8] {
        let p = entry.localHeaderOffset
        guard p >= 0, p + 30 <= bytes.count,
              bytes[p] == 0x50, bytes[p + 1] == 0x4b, bytes[p + 2] == 3, bytes[p + 3] == 4 else {
            throw DataError.corrupt("bad zip local header for \(entry.name)")
        }
        let nameLen = Int(bytes[p + 26]) | Int(bytes[p + 27]) << 8
        let extraLen = Int(bytes[p + 28]) | Int(bytes[p + 29]) << 8
        let start = p + 30 + nameLen + extraLen
        guard start + entry.compressedSize <= bytes.count else { throw DataError.truncated("zip entry \(entry.name)") }
        let out: [UInt8]
        switch entry.method {
        case 0: out = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            out = try bytes.withUnsafeBytes {
                try Inflate.decompress(UnsafeRawBufferPointer(rebasing: $0[start..<(start + entry.compressedSize)]),
                                       sizeHint: entry.uncompressedSize,
                                       maxOutput: entry.uncompressedSize).output
            }
        default: throw DataError.corrupt("zip entry \(entry.name) uses compression method \(entry.method) (only 0 and 8 are supported)")
        }
        if out.count != entry.uncompressedSize {
            throw DataError.lengthMismatch(what: "zip entry \(entry.name)", expected: entry.uncompressedSize, found: out.count)
        }
        let crc = CRC32.checksum(out)
        if crc != entry.crc32 { throw DataError.crcMismatch(what: "zip entry \(entry.name)", expected: entry.crc32, found: crc) }
        return out
    }

    /// The entry called `name`, if any.
    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}
