import Tensor

/// Bilinear image resizing with the semantics of PIL's `Image.resize(size, BILINEAR)`, which is
/// what torchvision's `Resize` applies to Fashion-MNIST before `ToTensor` (book §3.5, §7).
///
/// PIL resamples separably, horizontal pass then vertical, each rounded back to 8 bits. For
/// output pixel i, with scale = in/out, the source centre is c = (i + ½)·scale; the filter is
/// the triangle max(0, 1 − |t|), stretched by s = max(scale, 1) (so downsampling averages
/// over the footprint, i.e. anti-aliases) and sampled at the source pixels j in
/// [⌊c − s + ½⌋, ⌊c + s + ½⌋): w_j = tri((j − c + ½)/s), normalised to sum 1. For upsampling
/// (28→96, 28→224) this is ordinary bilinear interpolation with half-pixel centres and edge
/// clamping. Weights are rounded to 22-bit fixed point and the sums rounded half up and
/// clipped to 0…255, as PIL does for 8-bit images.
public struct ImageResizer {
    public let inSize: Int
    public let outSize: Int
    let bounds: [(start: Int, count: Int)]
    let kernelSize: Int
    let weights: [Int32]  // outSize × kernelSize, fixed point with `precisionBits`

    static let precisionBits = 22

    public init(inSize: Int, outSize: Int, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(inSize > 0 && outSize > 0, "ImageResizer: sizes must be positive, got \(inSize) → \(outSize)", file: file, line: line)
        self.inSize = inSize; self.outSize = outSize
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale
        let ksize = Int(support.rounded(.up)) * 2 + 1
        var bounds: [(Int, Int)] = []
        var weights = [Int32](repeating: 0, count: outSize * ksize)
        for i in 0..<outSize {
            let center = (Double(i) + 0.5) * scale
            let lo = max(0, Int(center - support + 0.5))   // Int() truncates toward zero, like C
            let hi = min(inSize, Int(center + support + 0.5))
            var w = [Double](repeating: 0, count: max(0, hi - lo))
            var total = 0.0
            for j in lo..<max(lo, hi) {
                let t = abs((Double(j) - center + 0.5) / filterScale)
                w[j - lo] = t < 1 ? 1 - t : 0
                total += w[j - lo]
            }
            for k in 0..<w.count {
                let v = total != 0 ? w[k] / total : 0
                let fixed = v * Double(1 << ImageResizer.precisionBits)
                weights[i * ksize + k] = Int32(v < 0 ? (fixed - 0.5) : (fixed + 0.5))
            }
            bounds.append((lo, w.count))
        }
        self.bounds = bounds; self.kernelSize = ksize; self.weights = weights
    }

    @inline(__always) static func clip8(_ v: Int) -> UInt8 {
        let r = v >> precisionBits
        return r < 0 ? 0 : (r > 255 ? 255 : UInt8(r))
    }

    /// Resizes a square `inSize`² 8-bit image into `out` (`outSize`², row-major), using
    /// `scratch` (inSize × outSize bytes) for the horizontal pass.
    public func resize(_ image: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>,
                       scratch tmp: UnsafeMutablePointer<UInt8>) {
        let half = 1 << (ImageResizer.precisionBits - 1)
        weights.withUnsafeBufferPointer { w in
            for y in 0..<inSize {
                for x in 0..<outSize {
                    let (lo, n) = bounds[x]
                    var acc = half
                    for k in 0..<n { acc &+= Int(image[y &* inSize &+ lo &+ k]) &* Int(w[x &* kernelSize &+ k]) }
                    tmp[y &* outSize &+ x] = ImageResizer.clip8(acc)
                }
            }
            for y in 0..<outSize {
                let (lo, n) = bounds[y]
                for x in 0..<outSize {
                    var acc = half
                    for k in 0..<n { acc &+= Int(tmp[(lo &+ k) &* outSize &+ x]) &* Int(w[y &* kernelSize &+ k]) }
                    out[y &* outSize &+ x] = ImageResizer.clip8(acc)
                }
            }
        }
    }

    /// Scratch bytes `resize(_:into:scratch:)` needs.
    public var scratchCount: Int { inSize * outSize }

    public func resize(_ image: [UInt8], file: StaticString = #fileID, line: UInt = #line) -> [UInt8] {
        shapeCheck(image.count == inSize * inSize, "ImageResizer: expected \(inSize)×\(inSize) pixels, got \(image.count)", file: file, line: line)
        var out = [UInt8](repeating: 0, count: outSize * outSize)
        var scratch = [UInt8](repeating: 0, count: scratchCount)
        image.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { resize(i.baseAddress!, into: o.baseAddress!, scratch: $0.baseAddress!) }
            }
        }
        return out
    }
}
