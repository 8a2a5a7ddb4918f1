import Foundation

/// The Gaussian error linear unit (Hendrycks & Gimpel 2016; the ViT MLP's activation, book
/// "Transformers for vision"), PyTorch's exact (erf) form:
///
///     GELU(x)  = x·Φ(x),            Φ(x) = ½·erfc(−x/√2)   (the standard normal CDF)
///     GELU'(x) = Φ(x) + x·φ(x),     φ(x) = e^{−x²/2}/√(2π) (its density)
///
/// `erfc` is evaluated with a relative error below ~2·10⁻⁷ everywhere (Chebyshev fit
/// `erfc(z) = t·exp(−z² + P(t))`, `t = 1/(1 + z/2)`, for z ≥ 0, and `erfc(−z) = 2 − erfc(z)`),
/// so the small negative tail `Φ(x) ≈ 0` keeps its relative accuracy (`1 + erf` would cancel).
/// Each SIMD16 lane needs two `exp`s (one for `Φ`, one for `φ` in the backward) and one
/// division; no per-lane libm calls.
public enum GELUMath {
    public typealias V = SIMD16<Float>

    /// `erfc(z)` for z ≥ 0 (lane-wise).
    @inline(__always)
    static func erfcNonNegative(_ z: V) -> V {
        let t = 1 / (z * 0.5 + 1)
        // P(t), Horner from the highest coefficient down.
        var p = V(repeating: 0.17087277)
        p = V(repeating: -0.82215223).addingProduct(p, t)
        p = V(repeating: 1.48851587).addingProduct(p, t)
        p = V(repeating: -1.13520398).addingProduct(p, t)
        p = V(repeating: 0.27886807).addingProduct(p, t)
        p = V(repeating: -0.18628806).addingProduct(p, t)
        p = V(repeating: 0.09678418).addingProduct(p, t)
        p = V(repeating: 0.37409196).addingProduct(p, t)
        p = V(repeating: 1.00002368).addingProduct(p, t)
        p = V(repeating: -1.26551223).addingProduct(p, t)
        return t * VectorMath.exp(p - z * z)
    }

    /// `Φ(x) = ½·erfc(−x/√2)` (lane-wise).
    @inline(__always)
    public static func normalCDF(_ x: V) -> V {
        let z = x * -0.70710678118654752       // −x/√2
        let az = z.replacing(with: -z, where: z .< 0)
        let e = erfcNonNegative(az)
        // erfc(z) = e for z ≥ 0, 2 − e for z < 0.
        return (e.replacing(with: 2 - e, where: z .< 0)) * 0.5
    }

    /// `x·Φ(x)` (lane-wise); NaN stays NaN.
    @inline(__always)
    public static func gelu(_ x: V) -> V {
        var y = x * normalCDF(x)
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// `g·(Φ(x) + x·φ(x))` (lane-wise).
    @inline(__always)
    public static func geluBackward(_ x: V, _ g: V) -> V {
        let pdf = VectorMath.exp(x * x * -0.5) * 0.39894228040143268   // 1/√(2π)
        return g * normalCDF(x).addingProduct(x, pdf)
    }

    /// Scalar `GELU(x)` in double precision with Foundation's `erfc` (the reference).
    public static func geluReference(_ x: Float) -> Float {
        let d = Double(x)
        return Float(d * 0.5 * Foundation.erfc(-d / 2.0.squareRoot()))
    }

    /// Scalar `GELU'(x)·g` in double precision (the reference).
    public static func geluBackwardReference(_ x: Float, _ g: Float) -> Float {
        let d = Double(x)
        let cdf = 0.5 * Foundation.erfc(-d / 2.0.squareRoot())
        let pdf = Foundation.exp(-d * d / 2) / (2 * Double.pi).squareRoot()
        return Float(Double(g) * (cdf + d * pdf))
    }
}

/// GELU as a `UnaryFunction` (the forward kernel).
public enum GELUFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { GELUMath.geluReference(x) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { GELUMath.gelu(x) }
}

/// GELU backward as a `BinaryFunction` of (saved input `x`, incoming gradient `g`).
public enum GELUGradFunction: BinaryFunction {
    @inline(__always) public static func scalar(_ x: Float, _ g: Float) -> Float { GELUMath.geluBackwardReference(x, g) }
    @inline(__always) public static func vector(_ x: SIMD16<Float>, _ g: SIMD16<Float>) -> SIMD16<Float> {
        GELUMath.geluBackward(x, g)
    }
}

extension Kernels {
    /// `out[i] = GELU(x[i])`, 16 lanes at a time, split over the cores.
    public static func gelu(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        unary(GELUFunction.self, x, out, n)
    }

    /// `dx[i] = g[i]·GELU'(x[i])`, 16 lanes at a time, split over the cores.
    public static func geluBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                    _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        Parallel.forRanges(n, align: 16) { r in
            let xr = UnsafeRawPointer(x), gr = UnsafeRawPointer(g), dr = UnsafeMutableRawPointer(dx)
            var i = r.lowerBound
            while i &+ 16 <= r.upperBound {
                let o = i &* 4
                dr.storeBytes(of: GELUMath.geluBackward(xr.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self),
                                                        gr.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self)),
                              toByteOffset: o, as: SIMD16<Float>.self)
                i &+= 16
            }
            while i < r.upperBound { dx[i] = GELUMath.geluBackwardReference(x[i], g[i]); i &+= 1 }
        }
    }

    /// Reference for `gelu`: one double-precision `erfc` per element.
    public static func geluNaive(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { out[i] = GELUMath.geluReference(x[i]) }
    }

    /// Reference for `geluBackward`: one double-precision `erfc` and `exp` per element.
    public static func geluBackwardNaive(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>,
                                         _ dx: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { dx[i] = GELUMath.geluBackwardReference(x[i], g[i]) }
    }
}
