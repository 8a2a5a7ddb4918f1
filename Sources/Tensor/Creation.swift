/// Creating tensors (book §2.1): constants, ranges and random draws from the seedable
/// generator (`Tensor.manualSeed`).
extension Tensor {
    /// Reseeds the library-wide generator (PyTorch's `torch.manual_seed`).
    public static func manualSeed(_ seed: UInt64) { GlobalRandom.generator = SeededGenerator(seed: seed) }

    /// All elements equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(repeating: value, count: shapeCount(shape)))
    }
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
    public static func zeros(like t: Tensor) -> Tensor { full(t.shape, 0) }
    public static func ones(like t: Tensor) -> Tensor { full(t.shape, 1) }

    /// `[start, start + step, …]` below `end` (PyTorch `arange`), as a vector.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(step != 0, "arange: step must not be 0", file: file, line: line)
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n], scalars: (0..<n).map { start + Float($0) * step })
    }
    /// `[0, 1, …, n-1]`.
    public static func arange(_ n: Int) -> Tensor { arange(0, Float(n)) }

    /// Uniform draws in [0, 1) (PyTorch `rand`).
    public static func rand(_ shape: [Int], generator: inout SeededGenerator) -> Tensor {
        uniform(shape, low: 0, high: 1, generator: &generator)
    }
    public static func rand(_ shape: [Int]) -> Tensor { rand(shape, generator: &GlobalRandom.generator) }

    /// Uniform draws in [low, high).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: inout SeededGenerator) -> Tensor {
        let n = shapeCount(shape)
        let s = TensorStorage(uninitializedCount: n)
        let scale = high - low
        for i in 0..<n { s.pointer[i] = low + scale * generator.nextUniform() }
        return Tensor(shape: shape, storage: s)
    }
    public static func uniform(_ shape: [Int], low: Float, high: Float) -> Tensor {
        uniform(shape, low: low, high: high, generator: &GlobalRandom.generator)
    }

    /// Normal draws with the given mean and standard deviation (PyTorch `normal`).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: inout SeededGenerator) -> Tensor {
        let n = shapeCount(shape)
        let s = TensorStorage(uninitializedCount: n)
        for i in 0..<n { s.pointer[i] = mean + std * generator.nextNormal() }
        return Tensor(shape: shape, storage: s)
    }
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1) -> Tensor {
        normal(shape, mean: mean, std: std, generator: &GlobalRandom.generator)
    }

    /// Standard normal draws (PyTorch `randn`).
    public static func randn(_ shape: [Int], generator: inout SeededGenerator) -> Tensor {
        normal(shape, mean: 0, std: 1, generator: &generator)
    }
    public static func randn(_ shape: [Int]) -> Tensor { randn(shape, generator: &GlobalRandom.generator) }
}
