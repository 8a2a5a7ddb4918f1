import Foundation

/// A tiny PNG writer (no compression library needed): 8-bit grayscale or RGB pixels, one
/// IHDR, one IDAT holding a zlib stream of *stored* (uncompressed) deflate blocks, IEND.
///
/// Images embedded in figures are small (28 × 28 Fashion-MNIST, attention maps), so
/// compression would save little; stored blocks keep the encoder ~60 lines and obviously
/// correct. Layout (PNG spec §5, RFC 1950/1951):
///   chunk  = length (u32 BE) · type (4 ASCII) · data · CRC-32 of type+data (u32 BE)
///   IDAT   = 0x78 0x01 · blocks · Adler-32 of the raw bytes (u32 BE)
///   block  = BFINAL (1 byte: 1 on the last, else 0) · LEN (u16 LE) · ~LEN (u16 LE) · ≤ 65535 bytes
///   raw    = for each row: filter type 0 (none) · the row's bytes
enum PNGEncoder {
    enum ColorType: UInt8 { case gray = 0, rgb = 2 }

    /// Encodes `pixels` (row-major, `channels` bytes per pixel: 1 gray, 3 RGB).
    static func encode(width: Int, height: Int, pixels: [UInt8], color: ColorType) -> [UInt8] {
        let channels = color == .gray ? 1 : 3
        if !(width > 0 && height > 0 && pixels.count == width * height * channels) {
            fatalError("PNGEncoder: \(pixels.count) bytes for a \(width)×\(height)×\(channels) image")
        }
        var raw: [UInt8] = []
        raw.reserveCapacity((width * channels + 1) * height)
        for row in 0..<height {
            raw.append(0)
            raw += pixels[row * width * channels ..< (row + 1) * width * channels]
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, color.rawValue, 0, 0, 0]
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", zlibStored(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// A data URI (`data:image/png;base64,…`) for embedding in SVG.
    static func dataURI(width: Int, height: Int, pixels: [UInt8], color: ColorType) -> String {
        "data:image/png;base64," + Data(encode(width: width, height: height, pixels: pixels, color: color))
            .base64EncodedString()
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65535, data.count - offset)
            let last = offset + length == data.count
            out.append(last ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[offset ..< offset + length]
            offset += length
        } while offset < data.count
        out += bigEndian(adler32(data))
        return out
    }

    /// Adler-32 (RFC 1950): a = 1 + Σ bytes, b = Σ a after each byte, both mod 65521; (b << 16) | a.
    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return (b << 16) | a
    }

    /// CRC-32 (ISO-HDLC, polynomial 0xEDB88320 reflected), as PNG chunks use it.
    static func crc32<S: Sequence>(_ bytes: S) -> UInt32 where S.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png += bigEndian(UInt32(data.count))
        png += typeBytes
        png += data
        png += bigEndian(crc32(typeBytes + data))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
