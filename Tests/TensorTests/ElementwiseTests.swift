import Foundation
import XCTest
import Tensor
import TestSupport

/// Fast elementwise kernels against their references, and the SIMD16 transcendental
/// approximations against Foundation (Double) over wide ranges.
final class ElementwiseTests: XCTestCase {
    let sizes = [1, 7, 17, 33, 100, 257]

    /// Largest error of `vector` over `xs`, in units of the reference's float spacing.
    func ulps(_ xs: [Float], _ vector: (SIMD16<Float>) -> SIMD16<Float>, _ reference: (Double) -> Double,
              absFloor: Double = 0) -> (Double, Float) {
        var worst = 0.0, at: Float = 0
        var i = 0
        while i + 16 <= xs.count {
            var v = SIMD16<Float>()
            for l in 0..<16 { v[l] = xs[i + l] }
            let y = vector(v)
            for l in 0..<16 {
                let ref = reference(Double(xs[i + l]))
                let got = Double(y[l])
                if ref.isNaN { if !got.isNaN { return (.infinity, xs[i + l]) }; continue }
                if ref.isInfinite || Float(ref).isInfinite { if got != Double(Float(ref)) { return (.infinity, xs[i + l]) }; continue }
                let spacing = max(Double(Float(ref).ulp), Double(Float.leastNonzeroMagnitude))
                let err = max(0, abs(got - ref) - absFloor) / spacing
                if err > worst { worst = err; at = xs[i + l] }
            }
            i += 16
        }
        return (worst, at)
    }

    func grid(_ lo: Float, _ hi: Float, _ n: Int = 20_000) -> [Float] {
        (0..<n).map { lo + (hi - lo) * Float($0) / Float(n - 1) }
    }

    func testVectorExp() {
        let (e, at) = ulps(grid(-110, 95) + [-.infinity, .infinity, .nan, 0, -0.0, 88.72, 88.73, -87.5, -103.9, -104, 1e-8, -1e-8, 0, 0],
                           VectorMath.exp, Foundation.exp)
        XCTAssertLessThanOrEqual(e, 2, "exp worst \(e) ulp at \(at)")
        let y = VectorMath.exp(SIMD16<Float>(-1000, 1000, -200, 200, 0, 1, -1, 10, .nan, 89, -104, 88.7, -88, 50, -50, 3))
        XCTAssertEqual(y[0], 0); XCTAssertEqual(y[1], .infinity); XCTAssertEqual(y[2], 0); XCTAssertEqual(y[3], .infinity)
        XCTAssertEqual(y[4], 1); XCTAssertTrue(y[8].isNaN); XCTAssertEqual(y[9], .infinity)
    }

    func testVectorLog() {
        var xs = grid(1e-6, 10) + grid(10, 1e30, 4000) + grid(1e-38, 1e-30, 1000)
        xs += [0, -1, .infinity, .nan, 1, Float.leastNonzeroMagnitude, Float(bitPattern: 0x0001_16C2) /* 1e-40, subnormal */, Float.greatestFiniteMagnitude, 0.5, 2, 0.70710677, 1.4142135, -0.0, 3, 4, 5]
        let (e, at) = ulps(xs, VectorMath.log, Foundation.log)
        XCTAssertLessThanOrEqual(e, 2, "log worst \(e) ulp at \(at)")
    }

    func testVectorTanhAndSigmoid() {
        let xs = grid(-100, 100) + grid(-2, 2, 8000) + [.nan, .infinity, -.infinity, 0, 0.625, -0.625, 1e-6, -1e-6]
        // tanh and sigmoid saturate; allow 2 ulp plus a 1e-7 absolute floor near the 1 − 2/(e+1) switch.
        let (t, tat) = ulps(xs, VectorMath.tanh, Foundation.tanh, absFloor: 6e-8)
        XCTAssertLessThanOrEqual(t, 2, "tanh worst \(t) ulp at \(tat)")
        let (s, sat) = ulps(xs, VectorMath.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, absFloor: 6e-8)
        XCTAssertLessThanOrEqual(s, 2, "sigmoid worst \(s) ulp at \(sat)")
        let y = VectorMath.sigmoid(SIMD16<Float>(repeating: 100))
        XCTAssertEqual(y[0], 1)
        XCTAssertEqual(VectorMath.sigmoid(SIMD16<Float>(repeating: -100))[0], 0, accuracy: 1e-30)
        XCTAssertEqual(VectorMath.tanh(SIMD16<Float>(repeating: -100))[0], -1)
    }

    func unaryMatchesNaive<F: UnaryFunction>(_ f: F.Type, lo: Float, hi: Float, tol: Float) {
        var gen = SeededGenerator(seed: 3)
        for n in sizes {
            let x = Tensor.uniform([n], low: lo, high: hi, generator: &gen)
            var fast = [Float](repeating: 0, count: n), ref = fast
            x.withUnsafeBufferPointer { xp in
                fast.withUnsafeMutableBufferPointer { Kernels.unary(F.self, xp.baseAddress!, $0.baseAddress!, n) }
                ref.withUnsafeMutableBufferPointer { Kernels.unaryNaive(F.self, xp.baseAddress!, $0.baseAddress!, n) }
            }
            let c = compare(Tensor(fast), Tensor(ref), atol: tol, rtol: tol, label: "\(F.self) n=\(n)")
            XCTAssertTrue(c.ok, "\(c)")
        }
    }

    /// `axpby` (the fused optimizer update) against its reference, every β case, odd sizes
    /// (including ones large enough to split over threads); `addScaled` keeps `.grad`.
    func testAxpbyMatchesNaive() {
        for n in sizes + [70_001, 200_003] {
            var gen = SeededGenerator(seed: UInt64(n))
            let x = Tensor.uniform([n], low: -1, high: 1, generator: &gen)
            let y0 = Tensor.uniform([n], low: -1, high: 1, generator: &gen)
            for (alpha, beta) in [(Float(-0.1), Float(1)), (0.5, 0.9), (1, 0)] {
                var fast = y0.scalars, slow = y0.scalars
                x.withUnsafeBufferPointer { px in
                    fast.withUnsafeMutableBufferPointer { Kernels.axpby(n, alpha: alpha, px.baseAddress!, beta: beta, $0.baseAddress!) }
                    slow.withUnsafeMutableBufferPointer { Kernels.axpbyNaive(n, alpha: alpha, px.baseAddress!, beta: beta, $0.baseAddress!) }
                }
                XCTAssertEqual(fast, slow, "axpby n=\(n) alpha=\(alpha) beta=\(beta)")
            }
        }
        var p = Tensor([1, 2, 3])
        p.requiresGrad = true
        (p * p).sum().backward()
        let shared = p
        withNoGrad { p.addScaled(Tensor([10, 20, 30]), alpha: -0.5) }
        XCTAssertEqual(p.scalars, [-4, -8, -12])
        XCTAssertEqual(shared.scalars, [1, 2, 3], "copy-on-write: the old value is untouched")
        XCTAssertEqual(p.grad?.scalars, [2, 4, 6])
        XCTAssertTrue(p.requiresGrad)
        var q = Tensor([1, 1])
        q.addScaled(Tensor([2, 4]), alpha: 0.5, beta: 3)
        XCTAssertEqual(q.scalars, [4, 5])
    }

    func testUnaryKernelsMatchNaive() {
        unaryMatchesNaive(ExpFunction.self, lo: -20, hi: 20, tol: 1e-6)
        unaryMatchesNaive(LogFunction.self, lo: 1e-3, hi: 100, tol: 1e-6)
        unaryMatchesNaive(TanhFunction.self, lo: -5, hi: 5, tol: 1e-6)
        unaryMatchesNaive(SigmoidFunction.self, lo: -20, hi: 20, tol: 1e-6)
        unaryMatchesNaive(SqrtFunction.self, lo: 0, hi: 100, tol: 0)
        unaryMatchesNaive(AbsFunction.self, lo: -5, hi: 5, tol: 0)
        unaryMatchesNaive(ReluFunction.self, lo: -5, hi: 5, tol: 0)
        unaryMatchesNaive(SquareFunction.self, lo: -5, hi: 5, tol: 0)
    }

    func testPowScalarMatchesNaive() {
        var gen = SeededGenerator(seed: 4)
        for p: Float in [0, 1, 2, 3, -1, -2, 0.5, 1.7, -0.3, 7] {
            for n in sizes {
                let x = Tensor.uniform([n], low: p == p.rounded() ? -3 : 0.01, high: 3, generator: &gen)
                var fast = [Float](repeating: 0, count: n), ref = fast
                x.withUnsafeBufferPointer { xp in
                    fast.withUnsafeMutableBufferPointer { Kernels.powScalar(xp.baseAddress!, p, $0.baseAddress!, n) }
                    ref.withUnsafeMutableBufferPointer { Kernels.powScalarNaive(xp.baseAddress!, p, $0.baseAddress!, n) }
                }
                let c = compare(Tensor(fast), Tensor(ref), atol: 1e-6, rtol: 1e-5, label: "pow \(p) n=\(n)")
                XCTAssertTrue(c.ok, "\(c)")
            }
        }
    }

    func testBroadcastBinaryMatchesNaive() {
        var gen = SeededGenerator(seed: 5)
        let shapes: [([Int], [Int])] = [
            ([7, 17], [17]), ([33, 1], [1, 100]), ([1], [257]), ([2, 7, 17], [7, 1]), ([17, 1, 33], [1, 7, 1]),
            ([3, 100], [3, 100]), ([257, 1], [257, 7]), ([], [33]),
        ]
        for (sa, sb) in shapes {
            let a = Tensor.uniform(sa, low: -1, high: 1, generator: &gen), b = Tensor.uniform(sb, low: 0.5, high: 2, generator: &gen)
            let shape = broadcastShape(sa, sb, op: "test")
            for (name, got) in [("add", a + b), ("mul", a * b), ("div", a / b), ("max", Tensor.maximum(a, b)), ("lt", a .< b)] {
                var ref = [Float](repeating: 0, count: shapeCount(shape))
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in ref.withUnsafeMutableBufferPointer { op in
                    let (pa, pb, po) = (ap.baseAddress!, bp.baseAddress!, op.baseAddress!)
                    let (s1, s2) = (broadcastStrides(sa, to: shape), broadcastStrides(sb, to: shape))
                    switch name {
                    case "add": Kernels.binaryNaive(AddFunction.self, pa, s1, pb, s2, po, shape)
                    case "mul": Kernels.binaryNaive(MulFunction.self, pa, s1, pb, s2, po, shape)
                    case "div": Kernels.binaryNaive(DivFunction.self, pa, s1, pb, s2, po, shape)
                    case "max": Kernels.binaryNaive(MaximumFunction.self, pa, s1, pb, s2, po, shape)
                    default: Kernels.binaryNaive(LessFunction.self, pa, s1, pb, s2, po, shape)
                    }
                }}}
                XCTAssertEqual(got.shape, shape)
                XCTAssertEqual(got.scalars, ref, "\(name) \(sa) \(sb)")
            }
        }
    }

    func testComparisonsMaximumWhereValues() {
        let a = Tensor([1, 2, 3, 4]), b = Tensor([4, 2, 1, 5])
        XCTAssertEqual((a .== b).scalars, [0, 1, 0, 0])
        XCTAssertEqual((a .!= b).scalars, [1, 0, 1, 1])
        XCTAssertEqual((a .< b).scalars, [1, 0, 0, 1])
        XCTAssertEqual((a .<= b).scalars, [1, 1, 0, 1])
        XCTAssertEqual((a .> 2).scalars, [0, 0, 1, 1])
        XCTAssertEqual((a .>= 2).scalars, [0, 1, 1, 1])
        XCTAssertEqual(Tensor.maximum(a, b).scalars, [4, 2, 3, 5])
        XCTAssertEqual(Tensor.minimum(a, Tensor(2.5)).scalars, [1, 2, 2.5, 2.5])
        XCTAssertEqual(Tensor.where(a .> 2, a, Tensor(0)).scalars, [0, 0, 3, 4])
        let w = Tensor.where(Tensor([[1], [0]]), Tensor([1, 2, 3]), Tensor(-1))
        XCTAssertEqual(w.shape, [2, 3]); XCTAssertEqual(w.scalars, [1, 2, 3, -1, -1, -1])
        XCTAssertEqual(Tensor([-2, 0.25, 9]).pow(0.5).scalars[1...], [0.5, 3])
        XCTAssertEqual(Tensor.pow(Tensor([2, 3]), Tensor([3, 2])).scalars, [8, 9])
        XCTAssertEqual(Tensor([-1.5, 2]).abs().scalars, [1.5, 2])
        XCTAssertEqual(Tensor([-1.5, 2]).relu().scalars, [0, 2])
    }
}
