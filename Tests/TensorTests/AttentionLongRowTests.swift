import XCTest
import Tensor
import TestSupport

/// The fused attention kernels on rows longer than one SIMD vector (keys 17…50, several padded
/// chunks of transposed keys and values) and the ViT's head size d = 16, against the naive
/// kernel and the unfused composition, forward and backward, with a valid-length mask and
/// dropout's keep-mask.
final class AttentionLongRowTests: XCTestCase {
    func testLongRowsMatchReferences() {
        var gen = SeededGenerator(seed: 21)
        for (n, nq, nk, d, dv) in [(3, 50, 50, 16, 16), (2, 5, 17, 16, 20), (2, 33, 40, 3, 7)] {
            let q = Tensor.randn([n, nq, d], generator: &gen), k = Tensor.randn([n, nk, d], generator: &gen)
            let v = Tensor.randn([n, nk, dv], generator: &gen)
            let lens = (0..<n).map { nk - 3 * $0 }
            let (out, w) = Tensor.scaledDotProductAttention(q, k, v, validLens: lens)
            var refOut = [Float](repeating: 0, count: out.count), refW = [Float](repeating: 0, count: w.count)
            let problem = AttentionProblem(n: n, q: nq, k: nk, d: d, dv: dv, scale: 1 / Float(d).squareRoot(),
                                           rowLens: lens.flatMap { Array(repeating: $0, count: nq) })
            Kernels.attentionForwardNaive(problem, q: q.storage.pointer, k: k.storage.pointer, v: v.storage.pointer,
                                          out: &refOut, weights: &refW)
            let tag = "(\(n), \(nq), \(nk), \(d), \(dv))"
            for c in [compare(out, Tensor(shape: out.shape, scalars: refOut), label: "output \(tag)"),
                      compare(w, Tensor(shape: w.shape, scalars: refW), label: "weights \(tag)")] {
                XCTAssertTrue(c.ok, c.description)
            }
            // Backward against the same computation from primitives (scores, mask, softmax, bmm).
            let cot = Tensor.randn(out.shape, generator: &gen)
            let fused = autogradGradients([q, k, v], cotangent: cot) {
                Tensor.scaledDotProductAttention($0[0], $0[1], $0[2], validLens: lens).output
            }
            let unfused = autogradGradients([q, k, v], cotangent: cot) { xs in
                let scores = xs[0].bmm(xs[1].transposed(1, 2)) / Tensor(Float(d).squareRoot())
                return Tensor.maskedSoftmax(scores, validLens: lens).bmm(xs[2])
            }
            for (i, (a, b)) in zip(fused, unfused).enumerated() {
                let c = compare(a, b, atol: 1e-4, rtol: 1e-3, label: "grad \(i) \(tag)")
                XCTAssertTrue(c.ok, c.description)
            }
        }
    }

    /// With dropout, the output is the kept, rescaled weights times the values (all-ones values:
    /// the row sums), on 40 keys.
    func testDropoutOnLongRows() {
        var gen = SeededGenerator(seed: 4)
        let q = Tensor.randn([2, 3, 16], generator: &gen), k = Tensor.randn([2, 40, 16], generator: &gen)
        GlobalRandom.generator = SeededGenerator(seed: 12)
        let (out, w) = Tensor.scaledDotProductAttention(q, k, Tensor.ones([2, 40, 1]), dropout: 0.25)
        GlobalRandom.generator = SeededGenerator(seed: 12)
        let keep = (0..<w.count).map { _ in GlobalRandom.generator.nextUniform() > 0.25 ? Float(1 / 0.75) : 0 }
        for row in 0..<6 {
            let expected = (0..<40).reduce(Float(0)) { $0 + w.scalars[row * 40 + $1] * keep[row * 40 + $1] }
            XCTAssertEqual(out.scalars[row], expected, accuracy: 1e-5)
        }
    }
}
