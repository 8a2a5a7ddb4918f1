import Foundation
import Tensor
import TestSupport
import XCTest

/// `Tensor.maskedSoftmax` and the fused `Tensor.scaledDotProductAttention` (book §10.3):
/// golden PyTorch values (`attention.json`), the fused kernel against its naive reference and
/// against the unfused composition (forward and gradients), and finite differences.
final class AttentionTests: XCTestCase {
    func check(_ got: Tensor, _ expected: Tensor, _ label: String, atol: Float = 1e-5, rtol: Float = 1e-4,
               file: StaticString = #filePath, line: UInt = #line) {
        let c = compare(got, expected, atol: atol, rtol: rtol, label: label)
        XCTAssertTrue(c.ok, "\(c)", file: file, line: line)
    }

    /// The unfused book composition: `bmm(Q, Kᵀ)/√d` → masked softmax → `bmm(·, V)`.
    func unfused(_ q: Tensor, _ k: Tensor, _ v: Tensor, validLens: [Int]?) -> Tensor {
        let scores = q.bmm(k.transposed(1, 2)) / Tensor(Float(q.shape[2]).squareRoot())
        return Tensor.maskedSoftmax(scores, validLens: validLens).bmm(v)
    }

    func testMaskedSoftmaxGolden() throws {
        let c = try Golden.case("attention", "masked_softmax")
        let lens = c.intInputs["valid_lens"]!.data
        let x = c.input("X")
        check(Tensor.maskedSoftmax(x, validLens: lens), c.output, "masked_softmax")
        let g = autogradGradients([x], cotangent: c.cotangent) { Tensor.maskedSoftmax($0[0], validLens: lens) }
        check(g[0], c.grad("X"), "masked_softmax d/dX")
    }

    func testMaskedSoftmaxBookSemantics() {
        // 1-D lengths repeat per query; 2-D lengths are per row; a zero length gives a uniform row.
        let x = Tensor.arange(16).reshaped(to: [2, 2, 4]) * 0.1
        let p = Tensor.maskedSoftmax(x, validLens: [2, 3]).scalars
        XCTAssertEqual(Array(p[2..<4]), [0, 0])
        XCTAssertEqual(Array(p[6..<8]), [0, 0])
        XCTAssertEqual(p[15], 0)
        XCTAssertGreaterThan(p[14], 0)
        let rows = Tensor.maskedSoftmax(x, validLens: [1, 3, 2, 4]).scalars
        XCTAssertEqual(rows[0], 1, accuracy: 1e-6)
        XCTAssertEqual(rows[7], 0)
        XCTAssertGreaterThan(rows[15], 0)
        let empty = Tensor.maskedSoftmax(x, validLens: [0, 4]).scalars
        for e in empty[0..<8] { XCTAssertEqual(e, 0.25, accuracy: 1e-6) }
        XCTAssertEqual(Tensor.maskedSoftmax(x, validLens: nil as [Int]?).scalars, x.softmax().scalars)
    }

    func testScaledDotProductGolden() throws {
        let c = try Golden.case("attention", "scaled_dot_product")
        let lens = c.intInputs["valid_lens"]!.data
        let names = ["queries", "keys", "values"]
        let xs = names.map { c.input($0) }
        let f: ([Tensor]) -> Tensor = { Tensor.scaledDotProductAttention($0[0], $0[1], $0[2], validLens: lens).output }
        check(withNoGrad { f(xs) }, c.output, "scaled_dot_product")
        for (name, g) in zip(names, autogradGradients(xs, cotangent: c.cotangent, f)) {
            check(g, c.grad(name), "scaled_dot_product d/d\(name)")
        }
    }

    func testFusedMatchesNaiveKernelAndUnfusedComposition() {
        var gen = SeededGenerator(seed: 3)
        for (n, nq, nk, d, dv) in [(3, 4, 5, 8, 6), (2, 1, 10, 2, 4), (4, 7, 3, 17, 33)] {
            let q = Tensor.randn([n, nq, d], generator: &gen), k = Tensor.randn([n, nk, d], generator: &gen)
            let v = Tensor.randn([n, nk, dv], generator: &gen)
            let lens = (0..<n).map { ($0 * 2 + 1) % (nk + 1) }
            let (out, w) = Tensor.scaledDotProductAttention(q, k, v, validLens: lens)
            var refOut = [Float](repeating: 0, count: out.count), refW = [Float](repeating: 0, count: w.count)
            let rowLens = lens.flatMap { Array(repeating: $0, count: nq) }
            let problem = AttentionProblem(n: n, q: nq, k: nk, d: d, dv: dv, scale: 1 / Float(d).squareRoot(), rowLens: rowLens)
            Kernels.attentionForwardNaive(problem, q: q.storage.pointer, k: k.storage.pointer, v: v.storage.pointer,
                                          out: &refOut, weights: &refW)
            check(out, Tensor(shape: out.shape, scalars: refOut), "fused vs naive output \(n),\(nq),\(nk)")
            check(w, Tensor(shape: w.shape, scalars: refW), "fused vs naive weights")
            check(out, withNoGrad { unfused(q, k, v, validLens: lens) }, "fused vs unfused output")
            let cot = Tensor.randn(out.shape, generator: &gen)
            let fused = autogradGradients([q, k, v], cotangent: cot) {
                Tensor.scaledDotProductAttention($0[0], $0[1], $0[2], validLens: lens).output
            }
            let reference = autogradGradients([q, k, v], cotangent: cot) { unfused($0[0], $0[1], $0[2], validLens: lens) }
            for (i, (a, b)) in zip(fused, reference).enumerated() { check(a, b, "fused vs unfused grad \(i)") }
        }
    }

    func testFiniteDifferences() {
        var gen = SeededGenerator(seed: 5)
        let q = Tensor.randn([2, 3, 4], generator: &gen), k = Tensor.randn([2, 5, 4], generator: &gen)
        let v = Tensor.randn([2, 5, 3], generator: &gen)
        let mask = MaskFixtures.causal(3, 5)
        let byLens = gradCheck([q, k, v], label: "sdpa lens") {
            Tensor.scaledDotProductAttention($0[0], $0[1], $0[2], validLens: [3, 1, 4, 2, 5, 5]).output
        }
        let byMask = gradCheck([q, k, v], label: "sdpa additive mask") {
            Tensor.scaledDotProductAttention($0[0], $0[1], $0[2], mask: mask).output
        }
        for c in byLens + byMask { XCTAssertTrue(c.ok, "\(c)") }
    }

    func testAdditiveMaskAndFullyMaskedRow() {
        var gen = SeededGenerator(seed: 8)
        let q = Tensor.randn([1, 3, 4], generator: &gen), k = Tensor.randn([1, 5, 4], generator: &gen)
        let v = Tensor.randn([1, 5, 2], generator: &gen)
        let (_, w) = Tensor.scaledDotProductAttention(q, k, v, mask: MaskFixtures.causal(3, 5))
        XCTAssertEqual(Array(w.scalars[0..<5].dropFirst()), [0, 0, 0, 0])
        XCTAssertEqual(w.scalars[0], 1, accuracy: 1e-6)
        let hidden = Tensor.full([3, 5], -Float.infinity)
        let (out, w2) = Tensor.scaledDotProductAttention(q, k, v, mask: hidden)
        XCTAssertEqual(out.scalars, [Float](repeating: 0, count: 6), "every key hidden: zero output, no NaN")
        XCTAssertEqual(w2.scalars, [Float](repeating: 0, count: 15))
    }

    func testDropoutScalesKeptWeights() {
        var gen = SeededGenerator(seed: 1)
        let q = Tensor.randn([2, 4, 3], generator: &gen), k = Tensor.randn([2, 6, 3], generator: &gen)
        let v = Tensor.ones([2, 6, 1])
        GlobalRandom.generator = SeededGenerator(seed: 11)
        let (out, w) = Tensor.scaledDotProductAttention(q, k, v, dropout: 0.5)
        // With all-ones values each output is the sum of the kept weights times 2.
        GlobalRandom.generator = SeededGenerator(seed: 11)
        var keep = [Float]()
        for _ in 0..<w.count { keep.append(GlobalRandom.generator.nextUniform() > 0.5 ? 2 : 0) }
        for row in 0..<8 {
            let expected = (0..<6).reduce(Float(0)) { $0 + w.scalars[row * 6 + $1] * keep[row * 6 + $1] }
            XCTAssertEqual(out.scalars[row], expected, accuracy: 1e-5)
        }
        XCTAssertNotEqual(out.scalars, [Float](repeating: 1, count: 8))
    }
}

enum MaskFixtures {
    /// `(q, k)` additive mask hiding keys after the query's index.
    static func causal(_ q: Int, _ k: Int) -> Tensor {
        Tensor(shape: [q, k], scalars: (0..<q * k).map { $0 % k > $0 / k ? -Float.infinity : 0 })
    }
}
