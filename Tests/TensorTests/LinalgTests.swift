import XCTest
import Tensor
import TestSupport

/// `Tensor.matmul` (2-D, batched, shared right side, transposed operands), `bmm` and `linear`:
/// finite-difference gradient checks and the PyTorch golden cases in `linalg.json`.
final class LinalgTests: XCTestCase {
    func rand(_ shape: [Int], seed: UInt64) -> Tensor {
        var gen = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: -1, high: 1, generator: &gen)
    }

    func assertAll(_ results: [Comparison], file: StaticString = #filePath, line: UInt = #line) {
        for r in results { XCTAssertTrue(r.ok, r.description, file: file, line: line) }
    }

    /// Stored shapes of the operands of `op(A)[m×k]·op(B)[k×n]` with batch axes.
    func operands(_ batch: [Int], sharedB: Bool, m: Int, n: Int, k: Int, transA: Bool, transB: Bool,
                  seed: UInt64) -> (Tensor, Tensor) {
        let a = rand(batch + (transA ? [k, m] : [m, k]), seed: seed)
        let b = rand((sharedB ? [] : batch) + (transB ? [n, k] : [k, n]), seed: seed + 1)
        return (a, b)
    }

    func testForwardByHand() {
        let x = Tensor([[1, 2], [3, 4]]), w = Tensor([[5], [6]])
        XCTAssertEqual(x.matmul(w).scalars, [17, 39])
        XCTAssertEqual(x.matmul(w).shape, [2, 1])
        // (xᵀ)·x = [[10, 14], [14, 20]]
        XCTAssertEqual(Tensor.matmul(x, x, transA: true, transB: false).scalars, [10, 14, 14, 20])
        // x·(xᵀ) = [[5, 11], [11, 25]]
        XCTAssertEqual(Tensor.matmul(x, x, transA: false, transB: true).scalars, [5, 11, 11, 25])
    }

    /// Every flag combination agrees with the product of explicitly transposed copies.
    func testTransposeFlagsMatchExplicitTransposes() {
        func transpose(_ t: Tensor) -> Tensor {
            let (r, c) = (t.shape[0], t.shape[1]), s = t.scalars
            var out = [Float](repeating: 0, count: r * c)
            for i in 0..<r { for j in 0..<c { out[j * r + i] = s[i * c + j] } }
            return Tensor(shape: [c, r], scalars: out)
        }
        let a = rand([7, 5], seed: 3), b = rand([5, 9], seed: 4)
        let expected = a.matmul(b)
        for ta in [false, true] {
            for tb in [false, true] {
                let got = Tensor.matmul(ta ? transpose(a) : a, tb ? transpose(b) : b, transA: ta, transB: tb)
                let r = compare(got, expected, label: "matmul transA=\(ta) transB=\(tb)")
                XCTAssertTrue(r.ok, r.description)
            }
        }
    }

    func testGradCheck2D() {
        for ta in [false, true] {
            for tb in [false, true] {
                let (a, b) = operands([], sharedB: false, m: 4, n: 5, k: 3, transA: ta, transB: tb, seed: 10)
                assertAll(gradCheck([a, b], label: "matmul 2-D transA=\(ta) transB=\(tb)") { xs in
                    Tensor.matmul(xs[0], xs[1], transA: ta, transB: tb)
                })
            }
        }
    }

    func testGradCheckBatched() {
        for ta in [false, true] {
            for tb in [false, true] {
                let (a, b) = operands([2, 3], sharedB: false, m: 3, n: 4, k: 2, transA: ta, transB: tb, seed: 20)
                assertAll(gradCheck([a, b], label: "matmul batched transA=\(ta) transB=\(tb)") { xs in
                    Tensor.matmul(xs[0], xs[1], transA: ta, transB: tb)
                })
            }
        }
    }

    func testGradCheckSharedRightSide() {
        for ta in [false, true] {
            for tb in [false, true] {
                let (a, b) = operands([3], sharedB: true, m: 2, n: 4, k: 3, transA: ta, transB: tb, seed: 30)
                assertAll(gradCheck([a, b], label: "matmul shared right side transA=\(ta) transB=\(tb)") { xs in
                    Tensor.matmul(xs[0], xs[1], transA: ta, transB: tb)
                })
            }
        }
    }

    /// Large enough to take the blocked, multi-threaded GEMM forward and backward.
    func testGradientsOfLargeProductMatchNaiveFormulas() {
        let a = rand([130, 150], seed: 40), b = rand([150, 70], seed: 41), g = rand([130, 70], seed: 42)
        let grads = autogradGradients([a, b], cotangent: g) { xs in xs[0].matmul(xs[1]) }
        // dA = G·Bᵀ, dB = Aᵀ·G with the reference kernel.
        func naive(_ x: Tensor, _ y: Tensor, transA: Bool, transB: Bool, m: Int, n: Int, k: Int) -> Tensor {
            var out = [Float](repeating: 0, count: m * n)
            x.withUnsafeBufferPointer { px in
                y.withUnsafeBufferPointer { py in
                    out.withUnsafeMutableBufferPointer { po in
                        Kernels.gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k,
                                          a: px.baseAddress!, lda: x.shape[1], b: py.baseAddress!, ldb: y.shape[1],
                                          c: po.baseAddress!, ldc: n)
                    }
                }
            }
            return Tensor(shape: [m, n], scalars: out)
        }
        let da = naive(g, b, transA: false, transB: true, m: 130, n: 150, k: 70)
        let db = naive(a, g, transA: true, transB: false, m: 150, n: 70, k: 130)
        assertAll([compare(grads[0], da, atol: 1e-4, label: "dA"), compare(grads[1], db, atol: 1e-4, label: "dB")])
    }

    /// Attention-sized batches, (B, 1, 2) × (B, 2, 10), take the parallel-over-batch path.
    func testManySmallMatricesInParallel() {
        let a = rand([500, 1, 2], seed: 50), b = rand([500, 2, 10], seed: 51)
        let c = a.bmm(b)
        XCTAssertEqual(c.shape, [500, 1, 10])
        let sa = a.scalars, sb = b.scalars, sc = c.scalars
        var maxDiff: Float = 0
        for i in 0..<500 {
            for j in 0..<10 {
                let e = sa[i * 2] * sb[i * 20 + j] + sa[i * 2 + 1] * sb[i * 20 + 10 + j]
                maxDiff = max(maxDiff, abs(sc[i * 10 + j] - e))
            }
        }
        XCTAssertLessThan(maxDiff, 1e-6)
        assertAll(gradCheck([rand([6, 1, 2], seed: 52), rand([6, 2, 10], seed: 53)], label: "bmm") { xs in
            xs[0].bmm(xs[1])
        })
    }

    func testLinearGradCheckAndRank3Input() {
        let x = rand([3, 4], seed: 60), w = rand([5, 4], seed: 61), b = rand([5], seed: 62)
        assertAll(gradCheck([x, w, b], label: "linear") { xs in linear(xs[0], weight: xs[1], bias: xs[2]) })
        assertAll(gradCheck([x, w], label: "linear without bias") { xs in linear(xs[0], weight: xs[1], bias: nil) })
        // A (2, 3, 4) input is two (3, 4) inputs.
        let x3 = rand([2, 3, 4], seed: 63)
        let y3 = linear(x3, weight: w, bias: b)
        XCTAssertEqual(y3.shape, [2, 3, 5])
        let y2 = linear(x3.reshaped(to: [6, 4]), weight: w, bias: b)
        let r = compare(y3.reshaped(to: [6, 5]), y2, atol: 0, rtol: 0, label: "linear rank 3")
        XCTAssertTrue(r.ok, r.description)
    }

    // MARK: Golden cases (PyTorch): forward and d/d input of sum(output · cotangent).

    func checkGolden(_ name: String, atol: Float = 1e-5, rtol: Float = 1e-4,
                     inputs keys: [String], _ f: @escaping ([Tensor]) -> Tensor) throws {
        let c = try Golden.case("linalg", name)
        let xs = keys.map { c.input($0) }
        let y = f(xs)
        var results = [compare(y, c.output, atol: atol, rtol: rtol, label: "\(name) forward")]
        let grads = autogradGradients(xs, cotangent: c.cotangent, f)
        for (key, g) in zip(keys, grads) {
            results.append(compare(g, c.grad(key), atol: atol, rtol: rtol, label: "\(name) d/d\(key)"))
        }
        for r in results { XCTAssertTrue(r.ok, r.description) }
    }

    func testGoldenMatmul2D() throws {
        try checkGolden("matmul_2d", inputs: ["a", "b"]) { xs in xs[0].matmul(xs[1]) }
    }

    func testGoldenMatmulBatched() throws {
        try checkGolden("matmul_batched", inputs: ["a", "b"]) { xs in xs[0].matmul(xs[1]) }
    }

    func testGoldenMatmulLarge() throws {
        try checkGolden("matmul_large", atol: 5e-5, inputs: ["a", "b"]) { xs in xs[0].matmul(xs[1]) }
    }

    func testGoldenLinear() throws {
        try checkGolden("linear", inputs: ["x", "weight", "bias"]) { xs in linear(xs[0], weight: xs[1], bias: xs[2]) }
    }

    func testGoldenTransposeMatmul() throws {
        try checkGolden("transpose_matmul", inputs: ["a", "b"]) { xs in
            Tensor.matmul(xs[0], xs[1], transA: true, transB: false)
        }
    }
}
