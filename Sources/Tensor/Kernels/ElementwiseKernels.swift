import Foundation

/// Elementwise kernels: explicit `SIMD16<Float>` loops over raw pointers, a scalar tail,
/// wrapping index math, and a naive reference next to each fast path (tests compare them).

/// A binary elementwise function in scalar and 16-lane form.
public protocol BinaryFunction {
    static func scalar(_ a: Float, _ b: Float) -> Float
    static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float>
}

/// A unary elementwise function in scalar and 16-lane form.
public protocol UnaryFunction {
    static func scalar(_ x: Float) -> Float
    static func vector(_ x: SIMD16<Float>) -> SIMD16<Float>
}

public enum AddFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a + b }
}
public enum SubFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a - b }
}
public enum MulFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a * b }
}
public enum DivFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a / b }
}

public enum Kernels {
    /// `dst[i] += src[i]` for `i < n`.
    @inline(__always)
    public static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
        let raw = UnsafeMutableRawPointer(dst), sraw = UnsafeRawPointer(src)
        var i = 0
        while i &+ 16 <= n {
            let a = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let b = sraw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            raw.storeBytes(of: a + b, toByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= 16
        }
        while i < n { dst[i] += src[i]; i &+= 1 }
    }

    /// `y[i] = beta·y[i] + alpha·x[i]` for `i < n` (BLAS axpby; `beta == 1` is axpy, computed as
    /// `y + alpha·x`, rounded like the unfused expression). The in-place parameter update of
    /// §3.2 and §12.4, `p ← p − η·g`, without a temporary. Split over cores for large `n`.
    public static func axpby(_ n: Int, alpha: Float, _ x: UnsafePointer<Float>, beta: Float,
                             _ y: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        Parallel.forRanges(n, minChunk: Parallel.elementwiseChunk, align: 16) { r in
            let yr = UnsafeMutableRawPointer(y), xr = UnsafeRawPointer(x)
            let va = V(repeating: alpha), vb = V(repeating: beta)
            var i = r.lowerBound
            if beta == 1 {
                while i &+ 16 <= r.upperBound {
                    let o = i &* 4
                    yr.storeBytes(of: yr.loadUnaligned(fromByteOffset: o, as: V.self) + va * xr.loadUnaligned(fromByteOffset: o, as: V.self),
                                  toByteOffset: o, as: V.self)
                    i &+= 16
                }
                while i < r.upperBound { y[i] = y[i] + alpha * x[i]; i &+= 1 }
            } else {
                while i &+ 16 <= r.upperBound {
                    let o = i &* 4
                    yr.storeBytes(of: vb * yr.loadUnaligned(fromByteOffset: o, as: V.self) + va * xr.loadUnaligned(fromByteOffset: o, as: V.self),
                                  toByteOffset: o, as: V.self)
                    i &+= 16
                }
                while i < r.upperBound { y[i] = beta * y[i] + alpha * x[i]; i &+= 1 }
            }
        }
    }

    /// Reference `axpby`: one element at a time.
    public static func axpbyNaive(_ n: Int, alpha: Float, _ x: UnsafePointer<Float>, beta: Float,
                                  _ y: UnsafeMutablePointer<Float>) {
        for i in 0..<n { y[i] = beta == 1 ? y[i] + alpha * x[i] : beta * y[i] + alpha * x[i] }
    }

    /// `out[i] = F(x[i])`, vectorised, split over cores for large `n`.
    @inline(__always)
    public static func unary<F: UnaryFunction>(_ f: F.Type, _ x: UnsafePointer<Float>,
                                               _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRanges(n, align: 16) { r in
            let xr = UnsafeRawPointer(x), orw = UnsafeMutableRawPointer(out)
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let v = xr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                orw.storeBytes(of: F.vector(v), toByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < r.upperBound { out[i] = F.scalar(x[i]); i &+= 1 }
        }
    }

    /// Reference for `unary`: one scalar call per element.
    public static func unaryNaive<F: UnaryFunction>(_ f: F.Type, _ x: UnsafePointer<Float>,
                                                    _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = F.scalar(x[i]) }
    }

    /// Inner loop of a broadcast binary op over `n` elements. A stride of 0 repeats one
    /// element (a broadcast axis), 1 walks contiguous memory.
    @inline(__always)
    static func binaryRun<F: BinaryFunction>(_ f: F.Type, _ a: UnsafePointer<Float>, _ sa: Int,
                                             _ b: UnsafePointer<Float>, _ sb: Int,
                                             _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b), orw = UnsafeMutableRawPointer(out)
        var i = 0
        if sa == 1 && sb == 1 {
            while i &+ 16 <= n {
                let va = ar.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                let vb = br.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                orw.storeBytes(of: F.vector(va, vb), toByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < n { out[i] = F.scalar(a[i], b[i]); i &+= 1 }
        } else if sa == 1 {
            let vb = SIMD16<Float>(repeating: b[0])
            while i &+ 16 <= n {
                let va = ar.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                orw.storeBytes(of: F.vector(va, vb), toByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < n { out[i] = F.scalar(a[i], b[0]); i &+= 1 }
        } else if sb == 1 {
            let va = SIMD16<Float>(repeating: a[0])
            while i &+ 16 <= n {
                let vb = br.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                orw.storeBytes(of: F.vector(va, vb), toByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < n { out[i] = F.scalar(a[0], b[i]); i &+= 1 }
        } else {
            let v = F.scalar(a[0], b[0])
            while i < n { out[i] = v; i &+= 1 }
        }
    }

    /// `out = F(a, b)` with broadcasting. `aStrides`/`bStrides` come from
    /// `broadcastStrides` (0 on broadcast axes); `shape` is the output shape.
    public static func binary<F: BinaryFunction>(_ f: F.Type,
                                                 _ a: UnsafePointer<Float>, _ aStrides: [Int],
                                                 _ b: UnsafePointer<Float>, _ bStrides: [Int],
                                                 _ out: UnsafeMutablePointer<Float>, _ shape: [Int]) {
        let n = shapeCount(shape)
        if n == 0 { return }
        let (cShape, cA, cB) = collapse(shape, aStrides, bStrides)
        let rank = cShape.count
        if rank == 0 { out[0] = F.scalar(a[0], b[0]); return }
        let inner = cShape[rank - 1]
        let sa = cA[rank - 1], sb = cB[rank - 1]
        let outer = n / inner
        if sa <= 1 && sb <= 1 {
            // Rows of `inner` elements; each row is one vectorised run.
            Parallel.forRanges(outer, minChunk: max(1, Parallel.elementwiseChunk / inner)) { rows in
                var idx = [Int](repeating: 0, count: rank)
                var rem = rows.lowerBound
                for d in stride(from: rank - 2, through: 0, by: -1) { idx[d] = rem % cShape[d]; rem /= cShape[d] }
                for row in rows {
                    var oa = 0, ob = 0
                    for d in 0..<(rank - 1) { oa &+= idx[d] &* cA[d]; ob &+= idx[d] &* cB[d] }
                    binaryRun(F.self, a + oa, sa, b + ob, sb, out + row &* inner, inner)
                    var d = rank - 2
                    while d >= 0 { idx[d] &+= 1; if idx[d] < cShape[d] { break }; idx[d] = 0; d -= 1 }
                }
            }
        } else {
            binaryNaive(F.self, a, cA, b, cB, out, cShape)
        }
    }

    /// Reference for `binary`: one index computation per element.
    public static func binaryNaive<F: BinaryFunction>(_ f: F.Type,
                                                      _ a: UnsafePointer<Float>, _ aStrides: [Int],
                                                      _ b: UnsafePointer<Float>, _ bStrides: [Int],
                                                      _ out: UnsafeMutablePointer<Float>, _ shape: [Int]) {
        let n = shapeCount(shape)
        let rank = shape.count
        for i in 0..<n {
            var rem = i, oa = 0, ob = 0
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let k = rem % shape[d]; rem /= shape[d]
                oa += k * aStrides[d]; ob += k * bStrides[d]
            }
            out[i] = F.scalar(a[oa], b[ob])
        }
    }

    /// Merges adjacent axes that can be walked as one (drops size-1 axes, joins axes whose
    /// strides chain), so `(256, 10) + (10,)` becomes rows of 10 and `(B, C, H, W)` with a
    /// `(1, C, 1, 1)` bias becomes runs of H·W.
    static func collapse(_ shape: [Int], _ sa: [Int], _ sb: [Int]) -> ([Int], [Int], [Int]) {
        var s: [Int] = [], a: [Int] = [], b: [Int] = []
        for i in 0..<shape.count where shape[i] != 1 {
            if let last = s.last, a.last! == sa[i] &* shape[i], b.last! == sb[i] &* shape[i] {
                _ = last
                s[s.count - 1] &*= shape[i]
                a[a.count - 1] = sa[i]
                b[b.count - 1] = sb[i]
            } else {
                s.append(shape[i]); a.append(sa[i]); b.append(sb[i])
            }
        }
        return (s, a, b)
    }
}

// MARK: More binary functions: maximum, minimum, pow, comparisons (0/1 masks).

public enum MaximumFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a >= b ? a : (a < b ? b : .nan) }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        var r = a.replacing(with: b, where: a .< b)
        r.replace(with: .nan, where: (a .!= a) .| (b .!= b))  // NaN propagates, as in PyTorch
        return r
    }
}
public enum MinimumFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a <= b ? a : (a > b ? b : .nan) }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        var r = a.replacing(with: b, where: a .> b)
        r.replace(with: .nan, where: (a .!= a) .| (b .!= b))
        return r
    }
}
/// `aᵇ` (Foundation `pow` per lane: the general power is rare; `pow(_ p: Float)` has fast paths).
public enum PowFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Foundation.pow(a[i], b[i]) }
        return r
    }
}
/// Gradient share of `maximum(a, b)` going to `a`: 1 where `a > b`, ½ on ties (PyTorch).
public enum GreaterTieHalfFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a > b ? 1 : (a == b ? 0.5 : 0) }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        var r = SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .> b)
        r.replace(with: 0.5, where: a .== b)
        return r
    }
}
public enum EqualFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .== b)
    }
}
public enum NotEqualFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a != b ? 1 : 0 }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .!= b)
    }
}
public enum LessFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a < b ? 1 : 0 }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .< b)
    }
}
public enum LessEqualFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a <= b ? 1 : 0 }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .<= b)
    }
}
public enum GreaterFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .> b)
    }
}
public enum GreaterEqualFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
    @inline(__always) public static func vector(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: 1, where: a .>= b)
    }
}
