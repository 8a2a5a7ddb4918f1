import XCTest
@testable import Tensor
import TestSupport

/// `Tensor.reusingPackedWeights` (PackedWeights.swift): a parameter's packed copy serves every
/// small-M product with it inside the scope, forward and backward, and gives the products the
/// plain path gives.
final class PackedWeightsTests: XCTestCase {
    /// The scratch LSTM's gate at a reduced size: `Σ_t H_t·W` over `steps` products with one
    /// parameter `W` (k × n), a loss, and its backward. Returns the loss, `dW` and `dH_t`.
    func unroll(steps: Int, rows: Int, k: Int, n: Int, transposedWeight: Bool = false)
        -> (loss: Float, dW: Tensor, dH: [Tensor]) {
        var gen = SeededGenerator(seed: 7)
        var w = Tensor.uniform(transposedWeight ? [n, k] : [k, n], low: -0.2, high: 0.2, generator: &gen)
        w.requiresGrad = true
        var hs: [Tensor] = []
        var total: Tensor? = nil
        for _ in 0..<steps {
            var h = Tensor.uniform([rows, k], low: -1, high: 1, generator: &gen)
            h.requiresGrad = true
            hs.append(h)
            let y = Tensor.matmul(h, w, transB: transposedWeight).tanh()
            total = total.map { $0 + y } ?? y
        }
        let loss = (total! * total!).sum()
        loss.backward()
        return (loss.item(), w.grad!, hs.map { $0.grad! })
    }

    /// Inside the scope the products use the packed copies (two per weight: `W` forward, `Wᵀ`
    /// backward, made once for all steps) and agree with the plain path: the forward bit for bit
    /// (an untransposed weight's panels sum in the same order packed or in place), the gradients
    /// within rounding (`G·Wᵀ` sums in order instead of the dot path's tree).
    func testScopeReusesOnePackPerOrientationAndAgrees() {
        let plain = unroll(steps: 5, rows: 32, k: 256, n: 96)
        var made = -1
        let scoped = Tensor.reusingPackedWeights { () -> (loss: Float, dW: Tensor, dH: [Tensor]) in
            let r = unroll(steps: 5, rows: 32, k: 256, n: 96)
            made = PackedWeights.current!.count
            return r
        }
        XCTAssertEqual(made, 2, "one packed copy of W for the forward and one of Wᵀ for the backward")
        XCTAssertEqual(scoped.loss, plain.loss, "the forward products must be bit-identical")
        XCTAssertEqual(scoped.dW.scalars, plain.dW.scalars, "dW = Σ Hᵀ·G does not use the packed weight")
        for (t, (a, b)) in zip(scoped.dH, plain.dH).enumerated() {
            let c = compare(a, b, atol: 1e-4, rtol: 1e-5, label: "dH step \(t)")
            XCTAssert(c.ok, "\(c)")
        }
    }

    /// Inside the scope a parameter's gradients still add up as on the plain path: over two
    /// backward passes without `zeroGrad`, and with what other ops give it (here `W` also enters
    /// the loss directly).
    func testGradientSumJoinsOtherContributions() {
        func twoPasses() -> Tensor {
            var gen = SeededGenerator(seed: 11)
            var w = Tensor.uniform([64, 80], low: -0.3, high: 0.3, generator: &gen)
            w.requiresGrad = true
            let h = Tensor.uniform([16, 64], low: -1, high: 1, generator: &gen)
            for _ in 0..<2 {
                let y = (h.matmul(w).tanh() + h.matmul(w)).sum() + (w * w).sum()
                y.backward()
            }
            return w.grad!
        }
        let plain = twoPasses()
        let scoped = Tensor.reusingPackedWeights { twoPasses() }
        let c = compare(scoped, plain, atol: 1e-4, rtol: 1e-6, label: "dW over two passes")
        XCTAssert(c.ok, "\(c)")
        XCTAssertNotEqual(plain.scalars.reduce(0) { $0 + abs($1) }, 0)
    }

    /// A weight used as `x·Wᵀ` (a linear layer's layout) packs `Wᵀ` forward and `W` backward.
    func testTransposedWeight() {
        let plain = unroll(steps: 3, rows: 20, k: 130, n: 70, transposedWeight: true)
        let scoped = Tensor.reusingPackedWeights { unroll(steps: 3, rows: 20, k: 130, n: 70, transposedWeight: true) }
        XCTAssertEqual(scoped.loss, plain.loss, accuracy: abs(plain.loss) * 1e-5)
        for c in [compare(scoped.dW, plain.dW, atol: 1e-4, rtol: 1e-5, label: "dW")]
            + zip(scoped.dH, plain.dH).map({ compare($0, $1, atol: 1e-4, rtol: 1e-5, label: "dH") }) {
            XCTAssert(c.ok, "\(c)")
        }
    }

    /// Nothing is packed for operands that are not parameters (an activation on the right), for
    /// products with many rows, or outside any scope.
    func testOnlyParametersOfSmallMProductsArePacked() {
        var gen = SeededGenerator(seed: 3)
        let activation = Tensor.uniform([256, 96], low: -1, high: 1, generator: &gen)
        var weight = Tensor.uniform([256, 96], low: -1, high: 1, generator: &gen)
        weight.requiresGrad = true
        let few = Tensor.uniform([32, 256], low: -1, high: 1, generator: &gen)
        let many = Tensor.uniform([200, 256], low: -1, high: 1, generator: &gen)
        Tensor.reusingPackedWeights {
            _ = few.matmul(activation)
            _ = many.matmul(weight)
            XCTAssertEqual(PackedWeights.current!.count, 0)
            _ = few.matmul(weight)
            XCTAssertEqual(PackedWeights.current!.count, 1)
        }
        XCTAssertNil(PackedWeights.current)
    }
}
