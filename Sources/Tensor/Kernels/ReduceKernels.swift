/// Reduction kernels. Every reduction over a block of adjacent axes is written as
/// `(outer, r, inner)`: `out[o, i] = Σ_k x[o, k, i]`. Two layouts get their own loops:
/// `inner == 1` (over the last axis: a SIMD16 dot-style accumulation per row) and
/// `inner > 1` (over leading/middle axes: whole rows of `inner` added with SIMD16, i.e.
/// column sums). `sumNaive` is the reference.
extension Kernels {
    /// `out[o·inner + i] = Σ_{k<r} x[(o·r + k)·inner + i]`.
    public static func sum(_ x: UnsafePointer<Float>, outer: Int, r: Int, inner: Int, _ out: UnsafeMutablePointer<Float>) {
        if outer == 0 || inner == 0 { return }
        if r == 0 { out.initialize(repeating: 0, count: outer &* inner); return }
        if inner == 1 {
            Parallel.forRanges(outer, minChunk: max(1, Parallel.elementwiseChunk / r)) { rows in
                for o in rows { out[o] = sumRow(x + o &* r, r) }
            }
        } else if outer >= Parallel.threads || outer &* r &* inner < 2 &* Parallel.elementwiseChunk {
            Parallel.forRanges(outer, minChunk: max(1, Parallel.elementwiseChunk / (r &* inner))) { rows in
                for o in rows { sumColumns(x + o &* r &* inner, r: r, inner: inner, rowStride: inner, out + o &* inner, count: inner) }
            }
        } else {
            // Few outer blocks: split the columns instead.
            for o in 0..<outer {
                let base = x + o &* r &* inner, dst = out + o &* inner
                Parallel.forRanges(inner, minChunk: max(64, Parallel.elementwiseChunk / r)) { cols in
                    sumColumns(base + cols.lowerBound, r: r, inner: inner, rowStride: inner,
                               dst + cols.lowerBound, count: cols.count)
                }
            }
        }
    }

    /// Σ of `n` contiguous floats with two SIMD16 accumulators and a scalar tail.
    @inline(__always)
    public static func sumRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        let raw = UnsafeRawPointer(x)
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var i = 0
        while i &+ 32 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            a1 += raw.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: SIMD16<Float>.self)
            i &+= 32
        }
        if i &+ 16 <= n {
            a0 += raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        var s = (a0 + a1).sum()
        while i < n { s += x[i]; i &+= 1 }
        return s
    }

    /// `out[j] = Σ_{k<r} x[k·rowStride + j]` for `j < count` (column sums of `count` columns).
    @inline(__always)
    static func sumColumns(_ x: UnsafePointer<Float>, r: Int, inner: Int, rowStride: Int,
                           _ out: UnsafeMutablePointer<Float>, count: Int) {
        let orw = UnsafeMutableRawPointer(out)
        var j = 0
        // 64 columns at a time in four registers, then 16, then a scalar tail.
        while j &+ 64 <= count {
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
            var p = UnsafeRawPointer(x + j)
            for _ in 0..<r {
                a0 += p.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
                a1 += p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                a2 += p.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
                a3 += p.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
                p += rowStride &* 4
            }
            orw.storeBytes(of: a0, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            orw.storeBytes(of: a1, toByteOffset: (j &+ 16) &* 4, as: SIMD16<Float>.self)
            orw.storeBytes(of: a2, toByteOffset: (j &+ 32) &* 4, as: SIMD16<Float>.self)
            orw.storeBytes(of: a3, toByteOffset: (j &+ 48) &* 4, as: SIMD16<Float>.self)
            j &+= 64
        }
        while j &+ 16 <= count {
            var a0 = SIMD16<Float>()
            var p = UnsafeRawPointer(x + j)
            for _ in 0..<r { a0 += p.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self); p += rowStride &* 4 }
            orw.storeBytes(of: a0, toByteOffset: j &* 4, as: SIMD16<Float>.self)
            j &+= 16
        }
        while j < count {
            var s: Float = 0
            var p = x + j
            for _ in 0..<r { s += p.pointee; p += rowStride }
            out[j] = s
            j &+= 1
        }
    }

    /// Reference sum: adds every input element into its output slot (`outShape` is the
    /// input shape with reduced axes set to 1; `out` must start at zero).
    public static func sumNaive(_ x: UnsafePointer<Float>, _ shape: [Int],
                                _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]) {
        let n = shapeCount(shape)
        let os = broadcastStrides(outShape, to: shape)
        let rank = shape.count
        for i in 0..<n {
            var rem = i, o = 0
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let k = rem % shape[d]; rem /= shape[d]
                o += k * os[d]
            }
            out[o] += x[i]
        }
    }

    /// Whether `v` at index `k` beats `best` at `bestIndex` in a max (or min) scan: NaN beats
    /// every number (PyTorch's `max`, `min`, `argmax` and `argmin` propagate NaN and return the
    /// first NaN's index), otherwise the larger (smaller) value, and on ties the lower index.
    @inline(__always)
    static func beats(_ v: Float, _ k: Int, _ best: Float, _ bestIndex: Int, isMax: Bool) -> Bool {
        if v.isNaN { return !best.isNaN || k < bestIndex }
        if best.isNaN { return false }
        return (isMax ? v > best : v < best) || (v == best && k < bestIndex)
    }

    /// Per row of `n` contiguous floats: the largest (or smallest) value and the index of
    /// its first occurrence; a NaN wins (the first NaN), as in PyTorch. SIMD16 lanes each track
    /// their own best and its index; the lanes are merged at the end with `beats`.
    public static func argReduceRows(_ x: UnsafePointer<Float>, rows: Int, n: Int, isMax: Bool,
                                     _ values: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int>) {
        if rows <= 0 { return }
        if n <= 0 { fatalError("argReduceRows: rows of length \(n); max/min/argmax need at least one element") }
        Parallel.forRanges(rows, minChunk: max(1, 32_768 / n)) { rs in
            for row in rs {
                let p = x + row &* n
                var best = p[0], bestIndex = 0
                var i = 0
                if n >= 32 {
                    let raw = UnsafeRawPointer(p)
                    var bv = raw.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
                    var bi = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                    var cur = bi
                    i = 16
                    while i &+ 16 <= n {
                        cur += 16
                        let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                        // Strictly better, or the lane's first NaN (a lane holding NaN keeps it).
                        let better = (isMax ? v .> bv : v .< bv) .| ((v .!= v) .& (bv .== bv))
                        bv.replace(with: v, where: better)
                        bi.replace(with: cur, where: better)
                        i &+= 16
                    }
                    best = bv[0]; bestIndex = Int(bi[0])
                    for l in 1..<16 where beats(bv[l], Int(bi[l]), best, bestIndex, isMax: isMax) {
                        best = bv[l]; bestIndex = Int(bi[l])
                    }
                } else {
                    i = 1
                }
                // The tail's indices are all larger, so only a strictly better value (or a first NaN) wins.
                if !best.isNaN {
                    while i < n {
                        let v = p[i]
                        if v.isNaN { best = v; bestIndex = i; break }
                        if isMax ? v > best : v < best { best = v; bestIndex = i }
                        i &+= 1
                    }
                }
                values[row] = best
                indices[row] = bestIndex
            }
        }
    }

    /// Reference for `argReduceRows`: a plain scan per row that stops at the first NaN.
    public static func argReduceRowsNaive(_ x: UnsafePointer<Float>, rows: Int, n: Int, isMax: Bool,
                                          _ values: UnsafeMutablePointer<Float>, _ indices: UnsafeMutablePointer<Int>) {
        for row in 0..<rows {
            var best = x[row * n], k = 0
            for i in 1..<n where !best.isNaN {
                let v = x[row * n + i]
                if v.isNaN || (isMax ? v > best : v < best) { best = v; k = i }
            }
            values[row] = best; indices[row] = k
        }
    }
}
