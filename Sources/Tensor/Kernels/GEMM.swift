/// General matrix multiply, the one GEMM every matmul, linear layer and convolution uses:
/// `C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C`, row-major, where `op(X)` is `X` or `Xᵀ`.
/// `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
extension Kernels {
    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                  c: c, ldc: ldc, beta: beta)
    }

    /// Reference GEMM: the triple loop, accumulating in `Double`.
    public static func gemmNaive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                 a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float = 0) {
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = transA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                let prev: Float = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = Float(s) + prev
            }
        }
    }
}
