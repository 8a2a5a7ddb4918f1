/// Elementwise arithmetic with broadcasting (book §2.1.2–2.1.3) and its gradients.
///
/// Every binary op goes through `Tensor.binaryOp`: one broadcast rule (`broadcastShape`),
/// one kernel (`Kernels.binary`), and in backward one `unbroadcast`.

extension Tensor {
    /// Applies a broadcast binary function; used by `+ - * /` and friends.
    @inline(__always)
    static func binaryForward<F: BinaryFunction>(_ f: F.Type, _ a: Tensor, _ b: Tensor, op: String,
                                                 file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let shape = broadcastShape(a.shape, b.shape, op: op, file: file, line: line)
        let out = TensorStorage(uninitializedCount: shapeCount(shape))
        if a.shape == b.shape {
            let n = out.count, pa = a.storage.pointer, pb = b.storage.pointer, po = out.pointer
            Parallel.forRanges(n, align: 16) { r in
                Kernels.binaryRun(F.self, pa + r.lowerBound, 1, pb + r.lowerBound, 1, po + r.lowerBound, r.count)
            }
        } else {
            Kernels.binary(F.self, a.storage.pointer, broadcastStrides(a.shape, to: shape),
                           b.storage.pointer, broadcastStrides(b.shape, to: shape), out.pointer, shape)
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Applies a unary function elementwise (no graph).
    @inline(__always)
    static func unaryForward<F: UnaryFunction>(_ f: F.Type, _ x: Tensor) -> Tensor {
        let out = TensorStorage(uninitializedCount: x.count)
        Kernels.unary(F.self, x.storage.pointer, out.pointer, x.count)
        return Tensor(shape: x.shape, storage: out)
    }

    // MARK: + − × ÷

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let r = binaryForward(AddFunction.self, a, b, op: "add (+)")
        let sa = a.shape, sb = b.shape
        return record("add", r, inputs: [a, b]) { g, needs in
            [needs[0] ? unbroadcast(g, to: sa) : nil, needs[1] ? unbroadcast(g, to: sb) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let r = binaryForward(SubFunction.self, a, b, op: "subtract (-)")
        let sa = a.shape, sb = b.shape
        return record("sub", r, inputs: [a, b]) { g, needs in
            [needs[0] ? unbroadcast(g, to: sa) : nil, needs[1] ? unbroadcast(-g, to: sb) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let r = binaryForward(MulFunction.self, a, b, op: "multiply (*)")
        let av = a.detached(), bv = b.detached()
        return record("mul", r, inputs: [a, b]) { g, needs in
            [needs[0] ? unbroadcast(g * bv, to: av.shape) : nil,
             needs[1] ? unbroadcast(g * av, to: bv.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let r = binaryForward(DivFunction.self, a, b, op: "divide (/)")
        let av = a.detached(), bv = b.detached()
        return record("div", r, inputs: [a, b]) { g, needs in
            // d(a/b)/da = 1/b, d(a/b)/db = -a/b²
            [needs[0] ? unbroadcast(g / bv, to: av.shape) : nil,
             needs[1] ? unbroadcast(-(g * av) / (bv * bv), to: bv.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        let r = unaryForward(NegFunction.self, x)
        return record("neg", r, inputs: [x]) { g, _ in [-g] }
    }

    // Scalars on either side broadcast as rank-0 tensors.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// `a = a + b`, keeping `a`'s shape (PyTorch's rule for in-place ops): `b` must broadcast
    /// to `a`'s shape, so `zeros([3]) += zeros([2, 3])` stops with both shapes. In place (same
    /// buffer, as the book's `X += Y` in §2.1.5) when `a` is not shared and not tracked by
    /// autograd; otherwise a recorded `a + b` of the same shape.
    public static func += (a: inout Tensor, b: Tensor) { a.inPlace(AddFunction.self, b, op: "add (+=)") { $0 + $1 } }
    public static func -= (a: inout Tensor, b: Tensor) { a.inPlace(SubFunction.self, b, op: "subtract (-=)") { $0 - $1 } }
    public static func *= (a: inout Tensor, b: Tensor) { a.inPlace(MulFunction.self, b, op: "multiply (*=)") { $0 * $1 } }
    public static func /= (a: inout Tensor, b: Tensor) { a.inPlace(DivFunction.self, b, op: "divide (/=)") { $0 / $1 } }
    public static func += (a: inout Tensor, b: Float) { a += Tensor(b) }
    public static func -= (a: inout Tensor, b: Float) { a -= Tensor(b) }
    public static func *= (a: inout Tensor, b: Float) { a *= Tensor(b) }
    public static func /= (a: inout Tensor, b: Float) { a /= Tensor(b) }

    mutating func inPlace<F: BinaryFunction>(_ f: F.Type, _ b: Tensor, op: String,
                                             _ fallback: (Tensor, Tensor) -> Tensor) {
        let result = broadcastShape(shape, b.shape, op: op)
        shapeCheck(result == shape,
                   "\(op): the right side \(describeShape(b.shape)) does not broadcast to the left side's shape "
                   + "\(describeShape(shape)) (an in-place op keeps the left shape; the result would be \(describeShape(result)))",
                   file: #fileID, line: #line)
        if GradMode.isEnabled && (node != nil || b.node != nil) {
            self = fallback(self, b)
            return
        }
        // An update under withNoGrad keeps `requiresGrad` and `.grad` (the parameter update of §3.2).
        makeUnique()
        let p = storage.pointer
        if shape == b.shape {
            let pb = b.storage.pointer
            Parallel.forRanges(count, align: 16) { r in
                Kernels.binaryRun(F.self, p + r.lowerBound, 1, pb + r.lowerBound, 1, p + r.lowerBound, r.count)
            }
        } else {
            Kernels.binary(F.self, p, contiguousStrides(shape), b.storage.pointer,
                           broadcastStrides(b.shape, to: shape), p, shape)
        }
    }
}

extension Tensor {
    /// In place `self ← beta·self + alpha·x` for `x` of the same shape (no broadcasting): the
    /// optimizer update `p ← p − η·g` of §3.2 (`p.addScaled(g, alpha: -η)`) without a temporary
    /// tensor. Under `withNoGrad` (or for tensors outside any graph) it writes the buffer and keeps
    /// `requiresGrad` and `.grad`; when autograd records, it is `beta·self + alpha·x`.
    public mutating func addScaled(_ x: Tensor, alpha: Float, beta: Float = 1,
                                   file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(shape == x.shape,
                   "addScaled: \(describeShape(shape)) and \(describeShape(x.shape)) must have the same shape",
                   file: file, line: line)
        if GradMode.isEnabled && (node != nil || x.node != nil) {
            self = beta == 1 ? self + alpha * x : beta * self + alpha * x
            return
        }
        makeUnique()
        Kernels.axpby(count, alpha: alpha, x.storage.pointer, beta: beta, storage.pointer)
    }
}

public enum NegFunction: UnaryFunction {
    @inline(__always) public static func scalar(_ x: Float) -> Float { -x }
    @inline(__always) public static func vector(_ x: SIMD16<Float>) -> SIMD16<Float> { -x }
}

// MARK: maximum, minimum, elementwise power, comparisons, where

extension Tensor {
    /// Elementwise `max(a, b)` with broadcasting (PyTorch `torch.maximum`). On ties the
    /// gradient is split in halves, as in PyTorch.
    public static func maximum(_ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let r = binaryForward(MaximumFunction.self, a, b, op: "maximum", file: file, line: line)
        let av = a.detached(), bv = b.detached()
        return record("maximum", r, inputs: [a, b]) { g, needs in
            let shareA = binaryForward(GreaterTieHalfFunction.self, av, bv, op: "maximum")
            return [needs[0] ? unbroadcast(g * shareA, to: av.shape) : nil,
                    needs[1] ? unbroadcast(g * (1 - shareA), to: bv.shape) : nil]
        }
    }

    /// Elementwise `min(a, b)` with broadcasting (PyTorch `torch.minimum`); ties split the gradient.
    public static func minimum(_ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let r = binaryForward(MinimumFunction.self, a, b, op: "minimum", file: file, line: line)
        let av = a.detached(), bv = b.detached()
        return record("minimum", r, inputs: [a, b]) { g, needs in
            let shareB = binaryForward(GreaterTieHalfFunction.self, av, bv, op: "minimum")
            return [needs[0] ? unbroadcast(g * (1 - shareB), to: av.shape) : nil,
                    needs[1] ? unbroadcast(g * shareB, to: bv.shape) : nil]
        }
    }

    /// Elementwise `aᵇ` with broadcasting (PyTorch `torch.pow(a, b)`).
    /// `∂/∂a = b·aᵇ⁻¹`, `∂/∂b = aᵇ·ln a` (taken as 0 where `a ≤ 0`).
    public static func pow(_ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let r = binaryForward(PowFunction.self, a, b, op: "pow", file: file, line: line)
        let av = a.detached(), bv = b.detached(), rv = r.detached()
        return record("pow", r, inputs: [a, b]) { g, needs in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if needs[0] { ga = unbroadcast(g * bv * Tensor.pow(av, bv - 1), to: av.shape) }
            if needs[1] {
                let positive = av .> 0
                let logA = Tensor.where(positive, av, Tensor(1)).log()
                gb = unbroadcast(g * rv * logA, to: bv.shape)
            }
            return [ga, gb]
        }
    }

    /// Selects `a` where `condition ≠ 0` and `b` elsewhere; all three broadcast together
    /// (PyTorch `torch.where`). The gradient flows to `a` or `b` through the chosen elements.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ab = broadcastShape(a.shape, b.shape, op: "where", file: file, line: line)
        let shape = broadcastShape(condition.shape, ab, op: "where", file: file, line: line)
        let c = withNoGrad { condition.broadcast(to: shape) }
        let ax = withNoGrad { a.broadcast(to: shape) }, bx = withNoGrad { b.broadcast(to: shape) }
        let out = TensorStorage(uninitializedCount: shapeCount(shape))
        // The broadcast copies' last uses are these pointer reads: keep them alive through the kernel.
        withExtendedLifetime((ax, bx)) {
            Kernels.select(c.storage.pointer, ax.storage.pointer, bx.storage.pointer, out.pointer, out.count)
        }
        let r = Tensor(shape: shape, storage: out)
        let sa = a.shape, sb = b.shape, cd = c.detached()
        return record("where", r, inputs: [a, b]) { g, needs in
            let zero = Tensor(0)
            return [needs[0] ? unbroadcast(Tensor.where(cd, g, zero), to: sa) : nil,
                    needs[1] ? unbroadcast(Tensor.where(cd, zero, g), to: sb) : nil]
        }
    }

    /// A 0/1 mask (no gradient) from a broadcast comparison.
    static func compare<F: BinaryFunction>(_ f: F.Type, _ a: Tensor, _ b: Tensor, _ op: String,
                                           file: StaticString, line: UInt) -> Tensor {
        binaryForward(F.self, a, b, op: op, file: file, line: line)
    }
}

/// Comparisons are spelled like Swift's SIMD comparisons (`.==`, `.<`, …) and return a
/// `Float` tensor of 0s and 1s with the broadcast shape (no gradient flows through them):
/// `(x .> 0) * x` is relu, `(yHat.argmax(axis: 1) .== y).sum()` counts correct predictions.
extension Tensor {
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(EqualFunction.self, a, b, "equal (.==)", file: #fileID, line: #line) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(NotEqualFunction.self, a, b, "not equal (.!=)", file: #fileID, line: #line) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(LessFunction.self, a, b, "less (.<)", file: #fileID, line: #line) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(LessEqualFunction.self, a, b, "less or equal (.<=)", file: #fileID, line: #line) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(GreaterFunction.self, a, b, "greater (.>)", file: #fileID, line: #line) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(GreaterEqualFunction.self, a, b, "greater or equal (.>=)", file: #fileID, line: #line) }
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
}
