/// Matrix products (book §2.3.8–2.3.10) and transposes.
extension Tensor {
    /// Matrix product. `(m, k) × (k, n) → (m, n)`; batched `(B, m, k) × (B, k, n) → (B, m, n)`;
    /// a batched left side with a 2-D right side `(…, m, k) × (k, n)` multiplies every matrix.
    public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.matmul(self, other, transA: false, transB: false, file: file, line: line)
    }

    /// `op(a) · op(b)` where `op` optionally transposes the last two axes, without
    /// materialising the transpose.
    public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let sa = a.shape, sb = b.shape
        shapeCheck(a.rank >= 2 && b.rank >= 2,
                   "matmul: \(describeShape(sa)) × \(describeShape(sb)): both operands need at least 2 axes",
                   file: file, line: line)
        let (ar, ac) = (sa[sa.count - 2], sa[sa.count - 1])
        let (br, bc) = (sb[sb.count - 2], sb[sb.count - 1])
        let m = transA ? ac : ar, k = transA ? ar : ac
        let k2 = transB ? bc : br, n = transB ? br : bc
        shapeCheck(k == k2, "matmul: \(describeShape(sa))\(transA ? "ᵀ" : "") × \(describeShape(sb))\(transB ? "ᵀ" : ""): "
                   + "inner dimensions \(k) and \(k2) differ", file: file, line: line)
        let batchA = Array(sa.dropLast(2)), batchB = Array(sb.dropLast(2))
        shapeCheck(batchB.isEmpty || batchA == batchB,
                   "matmul: \(describeShape(sa)) × \(describeShape(sb)): batch axes \(describeShape(batchA)) and \(describeShape(batchB)) differ",
                   file: file, line: line)
        let batch = shapeCount(batchA)
        let outShape = batchA + [m, n]
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        let pa = a.storage.pointer, pb = b.storage.pointer, pc = out.pointer
        let strideB = batchB.isEmpty ? 0 : br * bc
        for i in 0..<batch {
            Kernels.gemm(transA: transA, transB: transB, m: m, n: n, k: k,
                         a: pa + i * ar * ac, lda: ac, b: pb + i * strideB, ldb: bc,
                         c: pc + i * m * n, ldc: n)
        }
        let r = Tensor(shape: outShape, storage: out)
        let av = a.detached(), bv = b.detached()
        return record("matmul", r, inputs: [a, b]) { g, needs in
            // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC (with the transposes folded in).
            var ga: Tensor? = nil, gb: Tensor? = nil
            if needs[0] {
                ga = transA ? matmul(bv, g, transA: transB, transB: true) : matmul(g, bv, transA: false, transB: !transB)
            }
            if needs[1] {
                if batchB.isEmpty && !batchA.isEmpty {
                    // The shared 2-D right side gets the sum over the batch: fold the batch into rows.
                    let a2 = av.reshaped(to: [batch * ar, ac]), g2 = g.reshaped(to: [batch * m, n])
                    precondition(!transA, "matmul: transA with a broadcast right side is not supported")
                    gb = transB ? matmul(g2, a2, transA: true, transB: false) : matmul(a2, g2, transA: true, transB: false)
                } else {
                    gb = transB ? matmul(g, av, transA: true, transB: transA) : matmul(av, g, transA: !transA, transB: false)
                }
            }
            return [ga, gb]
        }
    }
}
