/// Axis permutation kernels (book §2.3.7 transposes): a blocked 2-D transpose for the
/// common "swap the last two axes" case, contiguous row copies when the last axis stays
/// last, and a strided general loop; `permuteNaive` is the reference.
extension Kernels {
    /// `out (cols, rows) = xᵀ` for one row-major `(rows, cols)` matrix, in 32×32 tiles so
    /// both the reads and the writes stay in cache.
    @inline(__always)
    public static func transpose(_ x: UnsafePointer<Float>, rows: Int, cols: Int, _ out: UnsafeMutablePointer<Float>) {
        let tile = 32
        var ib = 0
        while ib < rows {
            let ie = min(ib &+ tile, rows)
            var jb = 0
            while jb < cols {
                let je = min(jb &+ tile, cols)
                for i in ib..<ie {
                    let src = x + i &* cols
                    var j = jb
                    while j < je { out[j &* rows &+ i] = src[j]; j &+= 1 }
                }
                jb = je
            }
            ib = ie
        }
    }

    /// `out = x` with axes permuted: `out.shape[d] = shape[axes[d]]`.
    public static func permute(_ x: UnsafePointer<Float>, _ shape: [Int], _ axes: [Int], _ out: UnsafeMutablePointer<Float>) {
        let n = shapeCount(shape)
        if n == 0 { return }
        let rank = shape.count
        let inStrides = contiguousStrides(shape)
        let outShape = axes.map { shape[$0] }
        let strides = axes.map { inStrides[$0] }
        // Batched transpose of the last two axes.
        if rank >= 2, axes[rank - 1] == rank - 2, axes[rank - 2] == rank - 1,
           (0..<(rank - 2)).allSatisfy({ axes[$0] == $0 }) {
            let rows = shape[rank - 2], cols = shape[rank - 1], mat = rows &* cols
            let batch = n / mat
            Parallel.forEach(min(batch, Parallel.threads)) { part in
                var b = part
                while b < batch {
                    transpose(x + b &* mat, rows: rows, cols: cols, out + b &* mat)
                    b &+= Parallel.threads
                }
            }
            return
        }
        // Walk the output in order; the innermost axis is one strided (or contiguous) run.
        let inner = outShape[rank - 1], innerStride = strides[rank - 1]
        let outerCount = n / inner
        Parallel.forRanges(outerCount, minChunk: max(1, 16_384 / inner)) { rows in
            var idx = [Int](repeating: 0, count: rank)
            var rem = rows.lowerBound
            for d in stride(from: rank - 2, through: 0, by: -1) { idx[d] = rem % outShape[d]; rem /= outShape[d] }
            for row in rows {
                var src = 0
                for d in 0..<(rank - 1) { src &+= idx[d] &* strides[d] }
                let dst = out + row &* inner
                if innerStride == 1 {
                    dst.update(from: x + src, count: inner)
                } else {
                    var j = 0, s = src
                    while j < inner { dst[j] = x[s]; s &+= innerStride; j &+= 1 }
                }
                var d = rank - 2
                while d >= 0 { idx[d] &+= 1; if idx[d] < outShape[d] { break }; idx[d] = 0; d -= 1 }
            }
        }
    }

    /// Reference for `permute`: one full index computation per output element.
    public static func permuteNaive(_ x: UnsafePointer<Float>, _ shape: [Int], _ axes: [Int], _ out: UnsafeMutablePointer<Float>) {
        let inStrides = contiguousStrides(shape)
        let outShape = axes.map { shape[$0] }
        let rank = shape.count
        for i in 0..<shapeCount(shape) {
            var rem = i, src = 0
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let k = rem % outShape[d]; rem /= outShape[d]
                src += k * inStrides[axes[d]]
            }
            out[i] = x[src]
        }
    }
}
