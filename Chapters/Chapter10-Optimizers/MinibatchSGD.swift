import D2L
import Foundation
import NN
import Tensor

// §11.5.1 why minibatches: the matrix-multiplication timing demo (the section's airfoil runs are
// in Chapter.swift, `runMinibatchSGD`).

/// §11.5.1 vectorization and caches: A = B·C for 256 × 256 matrices computed one element at a
/// time (a dot product each), one column at a time, all at once, and in blocks of 64 columns —
/// all on our own kernels. The book reports "2 / seconds" as its performance figure; we print
/// real GFLOP/s (2·256³ floating-point operations per product).
func runMatmulTiming(log: TextOutput) {
    let n = 256
    let B = Tensor.randn([n, n]), C = Tensor.randn([n, n])
    let Ct = C.transposed().reshaped(to: [n, n])    // rows of Cᵀ are the columns of C
    let gflop = 2 * pow(Double(n), 3) / 1e9
    var timer = Stopwatch()
    var acc: Float = 0
    for i in 0..<n {                               // element-wise: A[i, j] = ⟨B[i, :], C[:, j]⟩
        let row = B.slice(axis: 0, i..<(i + 1))
        for j in 0..<n { acc += (row * Ct.slice(axis: 0, j..<(j + 1))).sum().item() }
    }
    let element = timer.stop()
    timer.start()
    for j in 0..<n { _ = B.matmul(C.slice(axis: 1, j..<(j + 1))) }   // column-wise: A[:, j] = B·C[:, j]
    let column = timer.stop()
    timer.start()
    let A = B.matmul(C)                                                // all at once
    let full = timer.stop()
    timer.start()
    let blocks = stride(from: 0, to: n, by: 64).map { B.matmul(C.slice(axis: 1, $0..<($0 + 64))) }   // 64 columns at a time
    let block = timer.stop()
    _ = (acc, A, blocks)
    log.write("§11.5.1 256×256 matrix product (GFLOP/s, our kernels): "
              + String(format: "element %.3f, column %.3f, full %.3f, block(64) %.3f\n",
                       gflop / element, gflop / column, gflop / full, gflop / block))
    book("performance in Gigaflops (their 2/seconds, on a GPU machine): element 1.204, column 88.542, full 195.625, block 2056.535", log)
}
