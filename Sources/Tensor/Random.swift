import Foundation

/// Seedable random numbers: the same seed gives the same numbers on every machine.
///
/// The generator is SplitMix64 (Steele, Lea & Flood 2014): a 64-bit state advanced by a
/// constant and mixed; it passes BigCrush and needs no platform randomness.
public struct SeededGenerator: RandomNumberGenerator {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform `Float` in [0, 1) with 24 random bits.
    @inline(__always)
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// A standard normal `Float` (Box–Muller, computed in `Double`).
    public mutating func nextNormal() -> Float {
        if let spare = spare { self.spare = nil; return spare }
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * log(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        spare = Float(r * sin(theta))
        return Float(r * cos(theta))
    }

    private var spare: Float? = nil
}

/// The library-wide generator used by `Tensor.randn`, `rand`, `Dropout`, data shuffling…
/// Seed it with `Tensor.manualSeed(_:)` (PyTorch's `torch.manual_seed`). Default seed: 0.
public enum GlobalRandom {
    public static var generator = SeededGenerator(seed: 0)
}

