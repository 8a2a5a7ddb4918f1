import Foundation

/// Vectorised transcendental functions on `SIMD16<Float>`: exp, log, tanh, sigmoid.
///
/// Each one is range reduction plus a short polynomial, written with lane-wise operations
/// only (no per-lane libm calls), so a 16-wide loop stays in vector registers. The scalar
/// forms (used for loop tails and by the naive reference kernels) call Foundation, and
/// the tests compare the two over wide ranges (about 1–2 ulp).
///
/// - exp: `eˣ = 2ⁿ · eʳ` with `n = round(x·log₂e)` and `r = x − n·ln2` (ln2 split into a
///   high and a low part so `r` is exact), `eʳ` by a degree-6 polynomial on |r| ≤ ln2/2;
///   `2ⁿ` is built from exponent bits in two halves so results down to the subnormal
///   range are right. Above 88.72 the result is `+inf`, below −103.9 it is `0`.
/// - log: `x = m · 2ᵉ` with `m ∈ [√½, √2)`, `log x = e·ln2 + log(1 + f)`, `f = m − 1`,
///   `log(1 + f) = f − f²/2 + f³·P(f)`.
/// - tanh: `x + x³·P(x²)` for |x| < 0.625, else `sign(x)·(1 − 2/(e^{2|x|} + 1))`.
/// - sigmoid: `1 / (1 + e^{−x})` (saturates cleanly to 0 and 1 since exp saturates).
public enum VectorMath {
    public typealias V = SIMD16<Float>

    @inline(__always) static func bits(_ v: V) -> SIMD16<UInt32> { unsafeBitCast(v, to: SIMD16<UInt32>.self) }
    @inline(__always) static func float(_ b: SIMD16<UInt32>) -> V { unsafeBitCast(b, to: V.self) }

    /// `2ⁿ` for integral-valued `n` in [−126, 127] (built from the exponent field).
    @inline(__always) static func pow2(_ n: V) -> V {
        // n + 127 + 1.5·2²³ puts the biased exponent in the low mantissa bits.
        float(bits(n + 12_583_039) &<< 23)
    }

    /// The two factors of `eˣ = 2ⁿ · eʳ` for a finite `x`: `n = round(x·log₂e)` (integral-valued)
    /// and `eʳ` by the polynomial (also the recurrent gates' exponential, `Kernels.gateExp`).
    @inline(__always)
    static func expParts(_ xc: V) -> (n: V, er: V) {
        // n = round(x·log₂e) with the 1.5·2²³ trick (round to nearest even).
        let magic = V(repeating: 12_582_912)
        // Fused multiply-adds throughout (Swift does not contract `a * b + c` on its own).
        let n = magic.addingProduct(xc, V(repeating: 1.442695040888963)) - magic
        let r = xc.addingProduct(n, V(repeating: -0.693359375)).addingProduct(n, V(repeating: 2.12194440e-4))
        var p = V(repeating: 1.3981999507e-3).addingProduct(V(repeating: 1.9875691500e-4), r)
        p = V(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = V(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = V(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = V(repeating: 5.0000001201e-1).addingProduct(p, r)
        return (n, (r + 1).addingProduct(p, r * r))
    }

    @inline(__always)
    public static func exp(_ x: V) -> V {
        let hi = V(repeating: 88.72283), lo = V(repeating: -103.97208)
        // Clamp by lane masks (the same lanes as pointwiseMin(pointwiseMax(x, lo), hi), NaN kept): the
        // generic pointwiseMin/Max were not inlined and cost as much as the rest of exp (softmax, GELU).
        let xc = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
        let (n, er) = expParts(xc)
        let magic = V(repeating: 12_582_912)
        // 2ⁿ = 2^(n/2) · 2^(n − n/2), both halves normal for n ∈ [−150, 128].
        let n1 = ((n * 0.5) + magic) - magic
        var y = er * pow2(n1) * pow2(n - n1)
        y.replace(with: .infinity, where: x .> hi)
        y.replace(with: 0, where: x .< lo)
        y.replace(with: x, where: x .!= x)  // NaN stays NaN
        return y
    }

    @inline(__always)
    public static func log(_ x: V) -> V {
        // Scale subnormals into the normal range first.
        let tiny = x .< Float.leastNormalMagnitude
        let xs = x.replacing(with: x * 8_388_608, where: tiny)  // ·2²³
        let b = bits(xs)
        // The exponent field as a float: OR it into the mantissa of 2²³ and subtract 2²³.
        var e = float(((b &>> 23) & 0xFF) | 0x4B00_0000) - 8_388_608 - 127
        e.replace(with: e - 23, where: tiny)
        var m = float((b & 0x007F_FFFF) | 0x3F80_0000)  // [1, 2)
        let big = m .> 1.41421356
        m.replace(with: m * 0.5, where: big)
        e.replace(with: e + 1, where: big)
        let f = m - 1
        let z = f * f
        var p = V(repeating: 7.0376836292e-2)
        p = p * f - 1.1514610310e-1
        p = p * f + 1.1676998740e-1
        p = p * f - 1.2420140846e-1
        p = p * f + 1.4249322787e-1
        p = p * f - 1.6668057665e-1
        p = p * f + 2.0000714765e-1
        p = p * f - 2.4999993993e-1
        p = p * f + 3.3333331174e-1
        var y = p * f * z
        y += e * -2.12194440e-4
        y += z * -0.5
        var r = f + y + e * 0.693359375
        r.replace(with: -.infinity, where: x .== 0)
        r.replace(with: .infinity, where: x .== .infinity)
        r.replace(with: .nan, where: x .< 0)
        r.replace(with: x, where: x .!= x)
        return r
    }

    @inline(__always)
    public static func tanh(_ x: V) -> V {
        let ax = x.replacing(with: -x, where: x .< 0)
        let z = x * x
        var p = V(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        var large = 1 - 2 / (exp(ax + ax) + 1)
        large.replace(with: -large, where: x .< 0)
        var y = large.replacing(with: small, where: ax .< 0.625)
        y.replace(with: x, where: x .!= x)
        return y
    }

    @inline(__always)
    public static func sigmoid(_ x: V) -> V {
        1 / (1 + exp(-x))
    }
}

public enum ExpFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.exp(x) }
}
public enum LogFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.log(x) }
}
public enum TanhFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.tanh(x) }
}
public enum SigmoidFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { 1 / (1 + Foundation.exp(-x)) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.sigmoid(x) }
}
public enum SqrtFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { x.squareRoot() }
}
public enum AbsFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { Swift.abs(x) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> {
        VectorMath.float(VectorMath.bits(x) & 0x7FFF_FFFF)
    }
}
/// `x < 0 ? 0 : x`, exactly PyTorch's relu: NaN propagates (a diverged activation must stay
/// visible) and `relu(-0) = -0`.
public enum ReluFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { x < 0 ? 0 : x }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { x.replacing(with: 0, where: x .< 0) }
}
public enum SquareFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { x * x }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { x * x }
}

// MARK: Fused backward helpers: (saved value, incoming gradient) → input gradient.

/// relu backward: 0 where `x ≤ 0`, else `g` (so a NaN input passes `g` on, as PyTorch's
/// `threshold_backward` on relu's NaN output does).
public enum ReluGradFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ x: Float, _ g: Float) -> Float { x <= 0 ? 0 : g }
    @inline(__always) public static func vector(_ x: SIMD16<Float>, _ g: SIMD16<Float>) -> SIMD16<Float> {
        g.replacing(with: 0, where: x .<= 0)
    }
}
/// sigmoid backward from the output `y`: `g·y·(1 − y)`.
public enum SigmoidGradFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ y: Float, _ g: Float) -> Float { g * y * (1 - y) }
    @inline(__always) public static func vector(_ y: SIMD16<Float>, _ g: SIMD16<Float>) -> SIMD16<Float> { g * y * (1 - y) }
}
/// tanh backward from the output `y`: `g·(1 − y²)`.
public enum TanhGradFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ y: Float, _ g: Float) -> Float { g * (1 - y * y) }
    @inline(__always) public static func vector(_ y: SIMD16<Float>, _ g: SIMD16<Float>) -> SIMD16<Float> { g * (1 - y * y) }
}
/// abs backward: `g·sign(x)` (0 at 0, like PyTorch).
public enum AbsGradFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ x: Float, _ g: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>, _ g: SIMD16<Float>) -> SIMD16<Float> {
        var r = g.replacing(with: -g, where: x .< 0)
        r.replace(with: 0, where: x .== 0)
        return r
    }
}

extension Kernels {
    /// `out[i] = vector/scalar(x[i])` for a function given as two closures (for ops with a
    /// parameter, such as `pow(p)`). Same loop as `unary`.
    @inline(__always)
    public static func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
                           vector: (SIMD16<Float>) -> SIMD16<Float>, scalar: (Float) -> Float) {
        Parallel.forRanges(n, align: 16) { r in
            let xr = UnsafeRawPointer(x), orw = UnsafeMutableRawPointer(out)
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let v = xr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                orw.storeBytes(of: vector(v), toByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < r.upperBound { out[i] = scalar(x[i]); i &+= 1 }
        }
    }

    /// `out = cond ≠ 0 ? a : b` over `n` contiguous elements (operands already broadcast).
    public static func select(_ cond: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                              _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRanges(n, align: 16) { r in
            let cr = UnsafeRawPointer(cond), ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b)
            let orw = UnsafeMutableRawPointer(out)
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let c = cr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                let va = ar.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                let vb = br.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                orw.storeBytes(of: vb.replacing(with: va, where: c .!= 0), toByteOffset: i &* 4, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < r.upperBound { out[i] = cond[i] != 0 ? a[i] : b[i]; i &+= 1 }
        }
    }
}
