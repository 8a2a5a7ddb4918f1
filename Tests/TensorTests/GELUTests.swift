import Foundation
import XCTest
import Tensor
import TestSupport

/// GELU (`x·Φ(x)`, PyTorch's exact erf form): the golden case, the SIMD kernels against their
/// double-precision references over a wide range, finite differences, NaN and the tails.
final class GELUTests: XCTestCase {
    func testGoldenErfGELU() throws {
        let c = try Golden.case("gelu", "gelu_erf")
        XCTAssertEqual(c.attrs["note"] as? String, "exact (erf) GELU, torch default")
        let x = c.input("input")
        let out = compare(x.gelu(), c.output, label: "gelu forward")
        XCTAssertTrue(out.ok, out.description)
        let grad = autogradGradients([x], cotangent: c.cotangent) { $0[0].gelu() }[0]
        let g = compare(grad, c.grad("input"), label: "gelu d/dinput")
        XCTAssertTrue(g.ok, g.description)
    }

    /// Fast vs naive on 10,007 points in [−12, 12] (an odd count: SIMD tail and core split),
    /// relative error, so the tiny negative tail (Φ(−5) ≈ 3·10⁻⁷) must be right too.
    func testKernelsMatchReferences() {
        let n = 10_007
        let x = Tensor((0..<n).map { -12 + 24 * Float($0) / Float(n - 1) })
        var gen = SeededGenerator(seed: 3)
        let g = Tensor.uniform([n], low: -1, high: 1, generator: &gen)
        let y = TensorStorage(repeating: .nan, count: n), yRef = TensorStorage(repeating: .nan, count: n)
        Kernels.gelu(x.storage.pointer, y.pointer, n)
        Kernels.geluNaive(x.storage.pointer, yRef.pointer, n)
        let fwd = compare(Tensor(shape: [n], storage: y), Tensor(shape: [n], storage: yRef), atol: 1e-30, rtol: 2e-5,
                          label: "gelu kernel vs naive")
        XCTAssertTrue(fwd.ok, fwd.description)
        let dx = TensorStorage(repeating: .nan, count: n), dxRef = TensorStorage(repeating: .nan, count: n)
        Kernels.geluBackward(x.storage.pointer, g.storage.pointer, dx.pointer, n)
        Kernels.geluBackwardNaive(x.storage.pointer, g.storage.pointer, dxRef.pointer, n)
        // GELU' crosses zero near x = −0.75: an absolute floor there.
        let bwd = compare(Tensor(shape: [n], storage: dx), Tensor(shape: [n], storage: dxRef), atol: 1e-7, rtol: 2e-5,
                          label: "gelu backward kernel vs naive")
        XCTAssertTrue(bwd.ok, bwd.description)
    }

    /// Known values: GELU(0) = 0, GELU(1) = Φ(1) = 0.841345, GELU(−1) = −0.158655, large x → x,
    /// very negative x → −0 (not NaN), NaN → NaN; the op's output equals the kernel's.
    func testValuesAndSpecialInputs() {
        let x = Tensor([0, 1, -1, 30, -30, .nan, 2, -2, 0.5, -0.5, 3, -3, 4, -4, 5, -5, 6])
        let y = x.gelu().scalars
        XCTAssertEqual(y[0], 0)
        XCTAssertEqual(y[1], 0.841345, accuracy: 1e-6)
        XCTAssertEqual(y[2], -0.158655, accuracy: 1e-6)
        XCTAssertEqual(y[3], 30)
        XCTAssertEqual(y[4], 0, accuracy: 1e-30)
        XCTAssertTrue(y[5].isNaN)
        XCTAssertEqual(y[7], -0.0455003, accuracy: 1e-6)
    }

    func testGradCheck() {
        var gen = SeededGenerator(seed: 5)
        let x = Tensor.uniform([5, 7], low: -3, high: 3, generator: &gen)
        for r in gradCheck([x], h: 1e-2, label: "gelu", { $0[0].gelu() }) {
            XCTAssertTrue(r.ok, r.description)
        }
    }
}
