import Tensor

/// Book §3.2 `synthetic_data(w, b, num_examples)`: X ~ N(0, 1) of shape (numExamples, len(w)),
/// y = Xw + b + ε with ε ~ N(0, 0.01²), returned as (numExamples, 1).
/// Draws from `GlobalRandom.generator` (seed it with `Tensor.manualSeed`).
public func syntheticData(w: Tensor, b: Float, numExamples: Int) -> (X: Tensor, y: Tensor) {
    syntheticData(w: w, b: b, numExamples: numExamples, generator: &GlobalRandom.generator)
}

public func syntheticData(w: Tensor, b: Float, numExamples: Int,
                          generator: inout SeededGenerator) -> (X: Tensor, y: Tensor) {
    let d = w.count
    let X = Tensor.normal([numExamples, d], mean: 0, std: 1, generator: &generator)
    let noise = Tensor.normal([numExamples, 1], mean: 0, std: 0.01, generator: &generator)
    let ws = w.scalars
    let y = TensorStorage(uninitializedCount: numExamples)
    X.withUnsafeBufferPointer { x in
        noise.withUnsafeBufferPointer { e in
            for i in 0..<numExamples {
                var s = b
                for j in 0..<d { s += x[i * d + j] * ws[j] }
                y.pointer[i] = s + e[i]
            }
        }
    }
    return (X, Tensor(shape: [numExamples, 1], storage: y))
}
