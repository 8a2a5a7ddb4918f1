import Foundation
import D2L

/// Small committed data files in `Tests/Fixtures/` (sources and licenses in its README), so
/// parsing tests run on a fresh clone without any data set; and writers of synthetic IDX and
/// gzip files for loader tests.
public enum Fixtures {
    /// `Tests/Fixtures/` of this checkout (found from this source file's path).
    public static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    /// The bytes of one fixture file (fails the test with the path if it is missing).
    public static func bytes(_ name: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.io(file: url.path, reason: "test fixture missing (Tests/Fixtures/ is part of the checkout)")
        }
        return [UInt8](data)
    }

    /// One fixture file as UTF-8 text.
    public static func text(_ name: String) throws -> String { String(decoding: try bytes(name), as: UTF8.self) }

    /// A fresh empty temporary directory.
    public static func temporaryDirectory() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("d2l-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    // MARK: synthetic IDX and gzip

    /// An IDX file: magic `0x0000_08NN` (NN = number of dimensions), big-endian sizes, data.
    public static func idx(_ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 8, UInt8(shape.count)]
        for d in shape { out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: d >> $0) } }
        return out + data
    }

    /// A gzip member around `data` in stored (uncompressed) DEFLATE blocks, with the correct
    /// CRC-32 and ISIZE unless `isize` overrides the trailer.
    public static func gzip(_ data: [UInt8], isize: UInt32? = nil) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
        var start = 0
        repeat {
            let n = min(65_535, data.count - start)
            let final: UInt8 = start + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            out += data[start..<(start + n)]
            start += n
        } while start < data.count
        return out + le32(CRC32.checksum(data)) + le32(isize ?? UInt32(truncatingIfNeeded: data.count))
    }

    /// A gzip member whose DEFLATE stream (fixed Huffman codes) expands to `megabytes` MiB of
    /// zero bytes from 13 bits per 258 bytes: ~50 KiB of input per 8 MiB of output. The CRC
    /// is not computed (the decoder must stop at its output limit before it matters); the
    /// trailer's ISIZE says `isize` (default: the true size mod 2^32).
    public static func gzipBomb(megabytes: Int, isize: UInt32? = nil) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, 1); bits.write(1, 2)          // final block, fixed Huffman
        bits.writeCode(0b0011_0000, 8)              // literal 0
        let total = megabytes << 20
        var produced = 1
        while produced + 258 <= total {
            bits.writeCode(0b1100_0101, 8)           // length symbol 285: 258 bytes
            bits.writeCode(0, 5)                     // distance code 0: distance 1
            produced += 258
        }
        while produced < total { bits.writeCode(0b0011_0000, 8); produced += 1 }  // literal 0s
        bits.writeCode(0, 7)                         // end of block (256)
        let header: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]
        return header + bits.finished + le32(0) + le32(isize ?? UInt32(truncatingIfNeeded: total))
    }

    /// Writes an IDX image data set (`<split>-images-idx3-ubyte.gz` and labels) of `count`
    /// images of `rows`×`cols` into `<dir>/fashion-mnist/` (or `mnist/`); returns `dir`.
    @discardableResult
    public static func writeImageSplit(_ split: String, count: Int, rows: Int = 28, cols: Int = 28,
                                       labelCount: Int? = nil, dataset: String = "fashion-mnist",
                                       into dir: String) throws -> String {
        let folder = dir + "/" + dataset
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let pixels = (0..<(count * rows * cols)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let labels = (0..<(labelCount ?? count)).map { UInt8($0 % 10) }
        try Data(gzip(idx([count, rows, cols], pixels))).write(to: URL(fileURLWithPath: "\(folder)/\(split)-images-idx3-ubyte.gz"))
        try Data(gzip(idx([labels.count], labels))).write(to: URL(fileURLWithPath: "\(folder)/\(split)-labels-idx1-ubyte.gz"))
        return dir
    }

    static func le32(_ v: UInt32) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }
}

/// DEFLATE bit order: values least-significant bit first, Huffman codes most-significant first.
struct BitWriter {
    var bytes: [UInt8] = []
    var buffer: UInt64 = 0
    var count = 0

    mutating func write(_ value: Int, _ n: Int) {
        buffer |= UInt64(value) << UInt64(count); count += n
        while count >= 8 { bytes.append(UInt8(truncatingIfNeeded: buffer)); buffer >>= 8; count -= 8 }
    }

    mutating func writeCode(_ code: Int, _ n: Int) {
        var reversed = 0
        for k in 0..<n where code & (1 << k) != 0 { reversed |= 1 << (n - 1 - k) }
        write(reversed, n)
    }

    /// The bytes written, the last one padded with zero bits.
    var finished: [UInt8] { count > 0 ? bytes + [UInt8(truncatingIfNeeded: buffer)] : bytes }
}
