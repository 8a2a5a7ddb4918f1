/// CRC-32 (ISO-HDLC, the one gzip and zip use): reflected polynomial 0xEDB88320, initial value
/// and final xor 0xFFFFFFFF.
///
/// `update` uses slicing-by-8 (eight 256-entry tables; one table lookup per input byte but eight
/// independent lookups per 64-bit word), `updateBytewise` is the one-table reference it is
/// tested against.
public struct CRC32 {
    public private(set) var value: UInt32 = 0

    public init() {}

    /// The CRC of `bytes` in one call.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = CRC32(); c.update(bytes); return c.value
    }
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// tables[k][b]: the CRC register contribution of byte `b` followed by `k` zero bytes.
    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for b in 0..<256 {
            var c = UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (0xEDB8_8320 ^ (c >> 1)) : (c >> 1) }
            t[0][b] = c
        }
        for b in 0..<256 {
            for k in 1..<8 { t[k][b] = (t[k - 1][b] >> 8) ^ t[0][Int(t[k - 1][b] & 0xFF)] }
        }
        return t
    }()
    static let flatTable: [UInt32] = tables.flatMap { $0 }

    /// Feeds more bytes (slicing-by-8).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = ~value
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return }
        CRC32.flatTable.withUnsafeBufferPointer { tp in
            let t = tp.baseAddress!
            var i = 0
            while i &+ 8 <= n {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let lo = UInt32(truncatingIfNeeded: w) ^ c
                let hi = UInt32(truncatingIfNeeded: w >> 32)
                c = t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                  ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
                  ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                  ^ t[1 &* 256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i &+= 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(base.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                i &+= 1
            }
        }
        value = ~c
    }

    /// Reference: one table lookup per byte.
    public mutating func updateBytewise(_ bytes: UnsafeRawBufferPointer) {
        var c = ~value
        let t = CRC32.tables[0]
        for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        value = ~c
    }
}
