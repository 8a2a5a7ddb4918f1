/// Matrix products (book §2.3.8–2.3.10) and the fully connected layer's `x·Wᵀ + b` (§3.5, §5.1).
///
/// Every product here is one call of `Kernels.gemm` (or `Kernels.gemmBatched`) on the stored
/// buffers: transposes are folded into the kernel's `transA`/`transB` flags and never
/// materialised, forward or backward.
extension Tensor {
    /// Matrix product. `(m, k) × (k, n) → (m, n)`; batched `(…, m, k) × (…, k, n) → (…, m, n)`
    /// with equal batch axes; a batched left side with a 2-D right side `(…, m, k) × (k, n)`
    /// multiplies every matrix of the batch by the same right side.
    ///
    /// ```swift
    /// let x = Tensor([[1, 2], [3, 4]]), w = Tensor([[5], [6]])
    /// x.matmul(w)   // [[17], [39]]
    /// ```
    public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        Tensor.matmul(self, other, transA: false, transB: false, file: file, line: line)
    }

    /// Batched matrix product of two 3-D tensors, `(B, m, k) × (B, k, n) → (B, m, n)`
    /// (PyTorch's `torch.bmm`, used by attention in §11.3).
    public func bmm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(rank == 3 && other.rank == 3,
                   "bmm: \(describeShape(shape)) × \(describeShape(other.shape)): both operands must be 3-D (batch, rows, columns)",
                   file: file, line: line)
        return Tensor.matmul(self, other, transA: false, transB: false, file: file, line: line)
    }

    /// `op(a) · op(b)`, where `op` transposes the last two axes when its flag is set, without
    /// materialising the transpose. Shapes as in `matmul(_:)`: equal batch axes, or a 2-D `b`
    /// shared by every matrix of `a`.
    ///
    /// Backward (with `G` the gradient of the result, per matrix of the batch):
    /// `C = A·B` gives `dA = G·Bᵀ` and `dB = Aᵀ·G`; with `A` stored transposed (`C = Aᵀ·B`) the
    /// stored gradient is `dA = B·Gᵀ`, and likewise for `B`. A shared 2-D `b` receives the sum
    /// of the per-matrix gradients.
    public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let sa = a.shape, sb = b.shape
        let opName = "matmul: \(describeShape(sa))\(transA ? "ᵀ" : "") × \(describeShape(sb))\(transB ? "ᵀ" : "")"
        shapeCheck(a.rank >= 2 && b.rank >= 2, "\(opName): both operands need at least 2 axes",
                   file: file, line: line)
        let (ar, ac) = (sa[sa.count - 2], sa[sa.count - 1])
        let (br, bc) = (sb[sb.count - 2], sb[sb.count - 1])
        let m = transA ? ac : ar, k = transA ? ar : ac
        let k2 = transB ? bc : br, n = transB ? br : bc
        shapeCheck(k == k2, "\(opName): inner dimensions \(k) and \(k2) differ", file: file, line: line)
        let batchA = Array(sa.dropLast(2)), batchB = Array(sb.dropLast(2))
        shapeCheck(batchB.isEmpty || batchA == batchB,
                   "\(opName): batch axes \(describeShape(batchA)) and \(describeShape(batchB)) differ "
                   + "(the right side must have the same batch axes or be 2-D)",
                   file: file, line: line)
        let batch = shapeCount(batchA)
        let shared = batchB.isEmpty && !batchA.isEmpty
        let outShape = batchA + [m, n]
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        // Inside `reusingPackedWeights`, a parameter's packed copy serves every small-M product
        // with it (PackedWeights.swift), forward here and backward below.
        let bIsParameter = batchB.isEmpty && !transA && b.node?.isLeaf == true
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                if bIsParameter, let scope = PackedWeights.current,
                   PackedWeights.worthPacking(rows: batch * m, n: n, k: k) {
                    let packed = scope.packed(b.storage, transB: transB, k: k, n: n, ldb: bc)
                    Kernels.gemm(transA: false, m: batch * m, a: pa.baseAddress!, lda: ac, packedB: packed,
                                 c: out.pointer, ldc: n)
                } else if shared && !transA {
                    // A shared right side: the batch of A is one tall (batch·m, k) matrix.
                    Kernels.gemm(transA: false, transB: transB, m: batch * m, n: n, k: k,
                                 a: pa.baseAddress!, lda: ac, b: pb.baseAddress!, ldb: bc, c: out.pointer, ldc: n)
                } else {
                    Kernels.gemmBatched(transA: transA, transB: transB, batch: batch, m: m, n: n, k: k,
                                        a: pa.baseAddress!, lda: ac, strideA: ar * ac,
                                        b: pb.baseAddress!, ldb: bc, strideB: shared ? 0 : br * bc,
                                        c: out.pointer, ldc: n, strideC: m * n)
                }
            }
        }
        let r = Tensor(shape: outShape, storage: out)
        let av = a.detached(), bv = b.detached()
        return record("matmul", r, inputs: [a, b]) { g, needs in
            var ga: Tensor? = nil, gb: Tensor? = nil
            g.withUnsafeBufferPointer { pgBuf in
                av.withUnsafeBufferPointer { paBuf in
                    bv.withUnsafeBufferPointer { pbBuf in
                        let pg = pgBuf.baseAddress!, pa = paBuf.baseAddress!, pb = pbBuf.baseAddress!
                        let strideB = shared ? 0 : br * bc
                        if needs[0] {
                            let da = TensorStorage(uninitializedCount: av.count)
                            if bIsParameter, let scope = PackedWeights.current,
                               PackedWeights.worthPacking(rows: batch * m, n: k, k: n) {
                                // dA = G·op(B)ᵀ with op(B)ᵀ packed once per scope.
                                let packed = scope.packed(bv.storage, transB: !transB, k: n, n: k, ldb: bc)
                                Kernels.gemm(transA: false, m: batch * m, a: pg, lda: n, packedB: packed,
                                             c: da.pointer, ldc: k)
                            } else if transA {
                                // dA (stored k×m) = op(B)·Gᵀ.
                                Kernels.gemmBatched(transA: transB, transB: true, batch: batch, m: k, n: m, k: n,
                                                    a: pb, lda: bc, strideA: strideB, b: pg, ldb: n, strideB: m * n,
                                                    c: da.pointer, ldc: m, strideC: ar * ac)
                            } else if shared {
                                // dA (batch·m × k) = G·op(B)ᵀ as one tall product.
                                Kernels.gemm(transA: false, transB: !transB, m: batch * m, n: k, k: n,
                                             a: pg, lda: n, b: pb, ldb: bc, c: da.pointer, ldc: k)
                            } else {
                                // dA (m×k) = G·op(B)ᵀ.
                                Kernels.gemmBatched(transA: false, transB: !transB, batch: batch, m: m, n: k, k: n,
                                                    a: pg, lda: n, strideA: m * n, b: pb, ldb: bc, strideB: strideB,
                                                    c: da.pointer, ldc: ac, strideC: ar * ac)
                            }
                            ga = Tensor(shape: sa, storage: da)
                        }
                        if needs[1] {
                            let db = TensorStorage(uninitializedCount: bv.count)
                            if shared && !transA {
                                // Σ over the batch folds into the inner dimension of one product:
                                // dB = Aᵀ·G with A as (batch·m, k) and G as (batch·m, n).
                                if transB {
                                    Kernels.gemm(transA: true, transB: false, m: n, n: k, k: batch * m,
                                                 a: pg, lda: n, b: pa, ldb: ac, c: db.pointer, ldc: bc)
                                } else {
                                    Kernels.gemm(transA: true, transB: false, m: k, n: n, k: batch * m,
                                                 a: pa, lda: ac, b: pg, ldb: n, c: db.pointer, ldc: bc)
                                }
                            } else if transB {
                                // dB (stored n×k) = Gᵀ·op(A), summed into one matrix when shared.
                                Kernels.gemmBatched(transA: true, transB: transA, batch: batch, m: n, n: k, k: m,
                                                    a: pg, lda: n, strideA: m * n, b: pa, ldb: ac, strideB: ar * ac,
                                                    c: db.pointer, ldc: bc, strideC: strideB)
                            } else {
                                // dB (k×n) = op(A)ᵀ·G, summed into one matrix when shared.
                                Kernels.gemmBatched(transA: !transA, transB: false, batch: batch, m: k, n: n, k: m,
                                                    a: pa, lda: ac, strideA: ar * ac, b: pg, ldb: n, strideB: m * n,
                                                    c: db.pointer, ldc: bc, strideC: strideB)
                            }
                            gb = Tensor(shape: sb, storage: db)
                        }
                    }
                }
            }
            return [ga, gb]
        }
    }
}

/// The fully connected (linear) layer of §3.5 and §5.1: `y = x·Wᵀ + b`, with `weight` stored
/// `[out, in]` as in PyTorch's `nn.Linear`. `x` is `(…, in)`, the result `(…, out)`; `bias`,
/// if given, is `(out)`. `Wᵀ` is never materialised: the product runs with `transB`.
///
/// ```swift
/// let w = Tensor.randn([10, 784]), b = Tensor.zeros([10])
/// let logits = linear(x, weight: w, bias: b)   // x: (256, 784) → (256, 10)
/// ```
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?,
                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    shapeCheck(weight.rank == 2,
               "linear: weight must be 2-D [out, in], got \(describeShape(weight.shape))", file: file, line: line)
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    shapeCheck(x.rank >= 1 && x.shape[x.rank - 1] == inFeatures,
               "linear: input \(describeShape(x.shape)) × weight \(describeShape(weight.shape)): "
               + "the input's last axis must be in_features = \(inFeatures)", file: file, line: line)
    if let b = bias {
        shapeCheck(b.shape == [outFeatures],
                   "linear: bias \(describeShape(b.shape)) must be (\(outFeatures)) to match weight \(describeShape(weight.shape))",
                   file: file, line: line)
    }
    let lead = Array(x.shape.dropLast())
    let x2 = x.rank == 2 ? x : x.reshaped(to: [shapeCount(lead), inFeatures])
    var y = Tensor.matmul(x2, weight, transA: false, transB: true, file: file, line: line)
    if let b = bias { y = y + b }
    return x.rank == 2 ? y : y.reshaped(to: lead + [outFeatures])
}
