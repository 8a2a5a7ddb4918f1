/// The IDX format of (Fashion-)MNIST (LeCun et al.): a 4-byte big-endian magic number
/// `0x0000_08NN` (0x08 = unsigned bytes, NN = number of dimensions), NN big-endian UInt32 sizes,
/// then the data, row-major, one byte per value. Labels are `0x00000801` (N), images are
/// `0x00000803` (N, rows, cols).
public struct IDXArray {
    /// Dimensions, e.g. [60000, 28, 28].
    public let shape: [Int]
    /// Values, row-major.
    public let data: [UInt8]

    /// Parses IDX bytes, checking the magic number (`expectedDims` = 1 for labels, 3 for
    /// images), that the sizes do not overflow, and that the data length is exactly their product.
    public init(bytes: consuming [UInt8], expectedDims: Int, file: String) throws {
        func fail(_ reason: String) -> DataError { .badIDX(file: file, reason: reason) }
        guard bytes.count >= 4 else { throw fail("\(bytes.count) bytes, too short for the magic number") }
        let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let expected = UInt32(0x0800) | UInt32(expectedDims)
        guard magic == expected else {
            throw fail("magic number \(hex32(magic)), expected \(hex32(expected)) (\(expectedDims == 1 ? "labels" : "images"))")
        }
        let headerSize = 4 + 4 * expectedDims
        guard bytes.count >= headerSize else { throw fail("\(bytes.count) bytes, too short for a \(expectedDims)-D header") }
        var shape: [Int] = []
        var total = 1
        for k in 0..<expectedDims {
            let o = 4 + 4 * k
            let d = Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int(Int32.max) else { throw fail("dimensions \(shape + [d]) overflow") }
            total = product
            shape.append(d)
        }
        guard bytes.count - headerSize == total else {
            throw fail("dimensions \(shape) need \(total) data bytes, found \(bytes.count - headerSize)")
        }
        self.shape = shape
        bytes.removeFirst(headerSize)  // in place when the caller hands over its array
        self.data = bytes
    }
}
