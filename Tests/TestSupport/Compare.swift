import Tensor

/// The result of comparing two tensors with `|a − b| ≤ atol + rtol·|b|` per element,
/// written as a report line like llm.c's `TENSOR OK, maxdiff = …`.
public struct Comparison: CustomStringConvertible {
    public let ok: Bool
    public let maxDiff: Float
    public let firstMismatch: (index: Int, got: Float, expected: Float)?
    public let label: String

    public var description: String {
        if ok { return "\(label): OK, maxdiff = \(maxDiff)" }
        if let m = firstMismatch {
            return "\(label): MISMATCH, maxdiff = \(maxDiff), first at flat index \(m.index): got \(m.got), expected \(m.expected)"
        }
        return "\(label): MISMATCH (\(maxDiff))"
    }
}

/// Compares `got` with `expected` (shapes must match). NaN never matches.
public func compare(_ got: Tensor, _ expected: Tensor, atol: Float = 1e-5, rtol: Float = 1e-4,
                    label: String = "tensor") -> Comparison {
    guard got.shape == expected.shape else {
        return Comparison(ok: false, maxDiff: .infinity, firstMismatch: nil,
                          label: "\(label) shape \(describeShape(got.shape)) vs expected \(describeShape(expected.shape))")
    }
    let g = got.scalars, e = expected.scalars
    var maxDiff: Float = 0
    var first: (Int, Float, Float)? = nil
    for i in 0..<g.count {
        let d = abs(g[i] - e[i])
        if !(d <= atol + rtol * abs(e[i])) {
            if first == nil { first = (i, g[i], e[i]) }
        }
        if d.isNaN { maxDiff = .nan } else if !maxDiff.isNaN { maxDiff = max(maxDiff, d) }
    }
    return Comparison(ok: first == nil, maxDiff: maxDiff,
                      firstMismatch: first.map { (index: $0.0, got: $0.1, expected: $0.2) }, label: label)
}

/// Central finite differences of a scalar function of several tensors, in `Double`:
/// `∂f/∂x_i ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h`. `f` is evaluated without the graph.
public func numericalGradients(_ inputs: [Tensor], h: Float = 1e-2,
                               _ f: ([Tensor]) -> Tensor) -> [Tensor] {
    var result: [Tensor] = []
    for k in inputs.indices {
        var grad = [Float](repeating: 0, count: inputs[k].count)
        for i in 0..<inputs[k].count {
            var plus = inputs, minus = inputs
            var p = plus[k].detached(), m = minus[k].detached()
            p.withUnsafeMutableBufferPointer { $0[i] += h }
            m.withUnsafeMutableBufferPointer { $0[i] -= h }
            plus[k] = p; minus[k] = m
            let fp = withNoGrad { f(plus).scalars.reduce(0.0) { $0 + Double($1) } }
            let fm = withNoGrad { f(minus).scalars.reduce(0.0) { $0 + Double($1) } }
            grad[i] = Float((fp - fm) / (2 * Double(h)))
        }
        result.append(Tensor(shape: inputs[k].shape, scalars: grad))
    }
    return result
}

/// Autograd gradients of `sum(f(inputs) * cotangent)` with respect to each input.
public func autogradGradients(_ inputs: [Tensor], cotangent: Tensor? = nil,
                              _ f: ([Tensor]) -> Tensor) -> [Tensor] {
    let leaves = inputs.map { t -> Tensor in var l = t.detached(); l.requiresGrad = true; return l }
    let y = f(leaves)
    let loss = cotangent.map { (y * $0).sum() } ?? (y.count == 1 ? y.reshaped(to: []) : y.sum())
    loss.backward()
    return leaves.map { $0.grad ?? Tensor.zeros($0.shape) }
}

/// Checks autograd against finite differences for `f` at `inputs` (random cotangent for
/// non-scalar outputs). Returns one comparison per input.
public func gradCheck(_ inputs: [Tensor], h: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2,
                      label: String, _ f: @escaping ([Tensor]) -> Tensor) -> [Comparison] {
    let y = withNoGrad { f(inputs) }
    var gen = SeededGenerator(seed: 42)
    let cot = y.count == 1 ? nil : Tensor.uniform(y.shape, low: -1, high: 1, generator: &gen)
    let auto = autogradGradients(inputs, cotangent: cot, f)
    let numeric = numericalGradients(inputs, h: h) { xs in cot.map { (f(xs) * $0).sum() } ?? f(xs) }
    return zip(auto, numeric).enumerated().map { i, pair in
        compare(pair.0, pair.1, atol: atol, rtol: rtol, label: "\(label) d/dinput\(i)")
    }
}
