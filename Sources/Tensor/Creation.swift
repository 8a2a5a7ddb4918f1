/// Creating tensors (book §2.1): constants, ranges and random draws from the seedable
/// generator (`Tensor.manualSeed`).
extension Tensor {
    /// Reseeds the library-wide generator (PyTorch's `torch.manual_seed`).
    public static func manualSeed(_ seed: UInt64) { GlobalRandom.generator = SeededGenerator(seed: seed) }

    /// All elements equal to `value`. Every creation op checks its shape first (sizes
    /// non-negative, element count fits in `Int`) and names itself and the shape if not.
    public static func full(_ shape: [Int], _ value: Float, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        filled(shape, value, op: "full", file: file, line: line)
    }
    public static func zeros(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        filled(shape, 0, op: "zeros", file: file, line: line)
    }
    public static func ones(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        filled(shape, 1, op: "ones", file: file, line: line)
    }

    static func filled(_ shape: [Int], _ value: Float, op: String, file: StaticString, line: UInt) -> Tensor {
        let n = checkedShapeCount(shape, op: op, file: file, line: line)
        return Tensor(shape: shape, storage: TensorStorage(repeating: value, count: n))
    }
    public static func zeros(like t: Tensor) -> Tensor { full(t.shape, 0) }
    public static func ones(like t: Tensor) -> Tensor { full(t.shape, 1) }

    /// `[start, start + step, …]` below `end` (PyTorch `arange`), as a vector.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(step != 0, "arange: step must not be 0", file: file, line: line)
        shapeCheck(start.isFinite && end.isFinite && step.isFinite,
                   "arange: start \(start), end \(end) and step \(step) must be finite", file: file, line: line)
        let steps = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        shapeCheck(steps < Double(Int.max / 8),
                   "arange(\(start), \(end), step: \(step)): \(steps) elements is too many", file: file, line: line)
        let n = Swift.max(0, Int(steps))
        return Tensor(shape: [n], scalars: (0..<n).map { start + Float($0) * step })
    }
    /// `[0, 1, …, n-1]`.
    public static func arange(_ n: Int) -> Tensor { arange(0, Float(n)) }

    /// Uniform draws in [0, 1) (PyTorch `rand`).
    public static func rand(_ shape: [Int], generator: inout SeededGenerator,
                            file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        uniform(shape, low: 0, high: 1, generator: &generator, file: file, line: line)
    }
    public static func rand(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        rand(shape, generator: &GlobalRandom.generator, file: file, line: line)
    }

    /// Uniform draws in [low, high).
    public static func uniform(_ shape: [Int], low: Float, high: Float, generator: inout SeededGenerator,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let n = checkedShapeCount(shape, op: "uniform", file: file, line: line)
        let s = TensorStorage(uninitializedCount: n)
        let scale = high - low
        for i in 0..<n { s.pointer[i] = low + scale * generator.nextUniform() }
        return Tensor(shape: shape, storage: s)
    }
    public static func uniform(_ shape: [Int], low: Float, high: Float,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        uniform(shape, low: low, high: high, generator: &GlobalRandom.generator, file: file, line: line)
    }

    /// Normal draws with the given mean and standard deviation (PyTorch `normal`).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              generator: inout SeededGenerator, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let n = checkedShapeCount(shape, op: "normal", file: file, line: line)
        let s = TensorStorage(uninitializedCount: n)
        for i in 0..<n { s.pointer[i] = mean + std * generator.nextNormal() }
        return Tensor(shape: shape, storage: s)
    }
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        normal(shape, mean: mean, std: std, generator: &GlobalRandom.generator, file: file, line: line)
    }

    /// Standard normal draws (PyTorch `randn`).
    public static func randn(_ shape: [Int], generator: inout SeededGenerator,
                             file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        normal(shape, mean: 0, std: 1, generator: &generator, file: file, line: line)
    }
    public static func randn(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        randn(shape, generator: &GlobalRandom.generator, file: file, line: line)
    }
}
