/// SHA-1 (FIPS 180-4 §6.1), used only to check that a downloaded or cached data file is the
/// one the book publishes (d2l's `DATA_HUB` stores a SHA-1 per file). Not for security.
///
/// Message padded with 1, zeros, and the 64-bit big-endian bit length to a multiple of 64
/// bytes; each 64-byte block expands to 80 words w[t] = rotl1(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16])
/// and runs 80 rounds of a,b,c,d,e updates with f = Ch / Parity / Maj / Parity.
public struct SHA1 {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    public init() {}

    /// Hex digest of `bytes`.
    public static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        var s = SHA1(); s.update(bytes); return s.finalizeHex()
    }
    public static func hexDigest(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hexDigest($0) } }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        if !buffer.isEmpty {
            while i < bytes.count && buffer.count < 64 { buffer.append(bytes[i]); i += 1 }
            if buffer.count == 64 { buffer.withUnsafeBytes { compress($0.baseAddress!) }; buffer.removeAll() }
        }
        while i + 64 <= bytes.count { compress(bytes.baseAddress! + i); i += 64 }
        while i < bytes.count { buffer.append(bytes[i]); i += 1 }
    }

    public mutating func finalizeHex() -> String {
        let bitLength = length &* 8
        var pad: [UInt8] = [0x80]
        while (buffer.count + pad.count) % 64 != 56 { pad.append(0) }
        for k in stride(from: 56, through: 0, by: -8) { pad.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(k))) }
        pad.withUnsafeBytes { update($0) }
        return [h.0, h.1, h.2, h.3, h.4].map { v in
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 8 - s.count) + s
        }.joined()
    }

    private mutating func compress(_ block: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for t in 0..<16 { w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 &* t, as: UInt32.self)) }
            for t in 16..<80 { w[t] = rotl(w[t &- 3] ^ w[t &- 8] ^ w[t &- 14] ^ w[t &- 16], 1) }
            var (a, b, c, d, e) = h
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                if t < 20 { f = (b & c) | (~b & d); k = 0x5A82_7999 }
                else if t < 40 { f = b ^ c ^ d; k = 0x6ED9_EBA1 }
                else if t < 60 { f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC }
                else { f = b ^ c ^ d; k = 0xCA62_C1D6 }
                let temp = rotl(a, 5) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = rotl(b, 30); b = a; a = temp
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
    }

    @inline(__always) private func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
}
