import XCTest
import Tensor
import TestSupport

/// The fused batch-norm and layer-norm kernels against their `Double` references, on odd
/// sizes (SIMD tails, S = 1 rows, planes shorter than a vector) and on sizes large enough to
/// split over cores.
final class NormKernelTests: XCTestCase {
    var gen = SeededGenerator(seed: 11)

    /// Values around `offset` (per-channel offsets test the shifted sums).
    func data(_ shape: [Int], offset: Float = 0) -> Tensor {
        Tensor.uniform(shape, low: -2, high: 2, generator: &gen) + offset
    }

    func assertClose(_ got: Tensor, _ expected: Tensor, atol: Float, _ label: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        let r = compare(got, expected, atol: atol, rtol: 1e-3, label: label)
        XCTAssertTrue(r.ok, r.description, file: file, line: line)
    }

    /// Runs the fast and the naive batch norm (forward, backward in both modes) on `(n, c, s)`.
    func checkBatchNorm(n: Int, c: Int, s: Int, offset: Float = 0, affine: Bool = true,
                        file: StaticString = #filePath, line: UInt = #line) {
        let x = data([n, c, s], offset: offset), g = data([n, c, s])
        let gamma = data([c]), beta = data([c])
        let gp = affine ? gamma.storage.pointer : nil, bp = affine ? beta.storage.pointer : nil
        let count = n * c * s
        let y = TensorStorage(repeating: .nan, count: count), yRef = TensorStorage(repeating: .nan, count: count)
        let mean = TensorStorage(repeating: .nan, count: c), meanRef = TensorStorage(repeating: .nan, count: c)
        let v = TensorStorage(repeating: .nan, count: c), vRef = TensorStorage(repeating: .nan, count: c)
        Kernels.batchNormForward(x.storage.pointer, n: n, c: c, s: s, gamma: gp, beta: bp, eps: 1e-5, y.pointer,
                                 mean: mean.pointer, variance: v.pointer)
        Kernels.batchNormForwardNaive(x.storage.pointer, n: n, c: c, s: s, gamma: gp, beta: bp, eps: 1e-5, yRef.pointer,
                                      mean: meanRef.pointer, variance: vRef.pointer)
        let tag = "(\(n), \(c), \(s)) offset \(offset)"
        assertClose(Tensor(shape: [c], storage: mean), Tensor(shape: [c], storage: meanRef), atol: 1e-5,
                    "mean \(tag)", file: file, line: line)
        assertClose(Tensor(shape: [c], storage: v), Tensor(shape: [c], storage: vRef), atol: 1e-5,
                    "variance \(tag)", file: file, line: line)
        assertClose(Tensor(shape: [count], storage: y), Tensor(shape: [count], storage: yRef), atol: 1e-4,
                    "y \(tag)", file: file, line: line)
        for training in [true, false] {
            let dx = TensorStorage(repeating: .nan, count: count), dxRef = TensorStorage(repeating: .nan, count: count)
            let dg = TensorStorage(repeating: .nan, count: c), dgRef = TensorStorage(repeating: .nan, count: c)
            let db = TensorStorage(repeating: .nan, count: c), dbRef = TensorStorage(repeating: .nan, count: c)
            Kernels.batchNormBackward(x.storage.pointer, g.storage.pointer, n: n, c: c, s: s, mean: meanRef.pointer,
                                      variance: vRef.pointer, gamma: gp, eps: 1e-5, training: training,
                                      dx: dx.pointer, dgamma: dg.pointer, dbeta: db.pointer)
            Kernels.batchNormBackwardNaive(x.storage.pointer, g.storage.pointer, n: n, c: c, s: s, mean: meanRef.pointer,
                                           variance: vRef.pointer, gamma: gp, eps: 1e-5, training: training,
                                           dx: dxRef.pointer, dgamma: dgRef.pointer, dbeta: dbRef.pointer)
            let t = "\(tag) training \(training)"
            // Sums over M values: the tolerance grows with √M.
            let sumTol = 1e-5 * Float(n * s).squareRoot() * 4
            assertClose(Tensor(shape: [count], storage: dx), Tensor(shape: [count], storage: dxRef), atol: 1e-4,
                        "dx \(t)", file: file, line: line)
            assertClose(Tensor(shape: [c], storage: dg), Tensor(shape: [c], storage: dgRef), atol: sumTol,
                        "dgamma \(t)", file: file, line: line)
            assertClose(Tensor(shape: [c], storage: db), Tensor(shape: [c], storage: dbRef), atol: sumTol,
                        "dbeta \(t)", file: file, line: line)
        }
    }

    func testBatchNormOddSizes() {
        checkBatchNorm(n: 3, c: 5, s: 37)        // SIMD body + tail per plane
        checkBatchNorm(n: 2, c: 3, s: 9)         // planes shorter than a vector (3×3 maps)
        checkBatchNorm(n: 4, c: 2, s: 16)
        checkBatchNorm(n: 7, c: 1, s: 1)         // one feature
        checkBatchNorm(n: 5, c: 37, s: 1)        // (N, C) rows: 16-channel blocks + tail
        checkBatchNorm(n: 300, c: 19, s: 1)      // more rows than one 256-row block
        checkBatchNorm(n: 3, c: 4, s: 33, affine: false)
    }

    func testBatchNormLargeOffsetKeepsVariance() {
        // mean 1000, spread 2: a plain Σx² − (Σx)²/M in Float would lose the variance.
        checkBatchNorm(n: 4, c: 3, s: 50, offset: 1000)
        checkBatchNorm(n: 64, c: 17, s: 1, offset: -500)
    }

    func testBatchNormSplitOverCores() {
        // ≥ 2·65 536 values: two chunks on two cores, partial sums merged.
        checkBatchNorm(n: 16, c: 3, s: 3_001, offset: 3)
        checkBatchNorm(n: 2_000, c: 70, s: 1)
        checkBatchNorm(n: 1, c: 40, s: 3_600)    // one example: planes split, not examples
    }

    /// Runs the fast and the naive layer norm on `rows × d`.
    func checkLayerNorm(rows: Int, d: Int, offset: Float = 0, affine: Bool = true,
                        file: StaticString = #filePath, line: UInt = #line) {
        let x = data([rows, d], offset: offset), g = data([rows, d])
        let gamma = data([d]), beta = data([d])
        let gp = affine ? gamma.storage.pointer : nil, bp = affine ? beta.storage.pointer : nil
        let count = rows * d
        func buf(_ k: Int) -> TensorStorage { TensorStorage(repeating: .nan, count: k) }
        let y = buf(count), yRef = buf(count), mu = buf(rows), muRef = buf(rows), rs = buf(rows), rsRef = buf(rows)
        Kernels.layerNormForward(x.storage.pointer, rows: rows, d: d, gamma: gp, beta: bp, eps: 1e-5, y.pointer,
                                 mean: mu.pointer, rstd: rs.pointer)
        Kernels.layerNormForwardNaive(x.storage.pointer, rows: rows, d: d, gamma: gp, beta: bp, eps: 1e-5, yRef.pointer,
                                      mean: muRef.pointer, rstd: rsRef.pointer)
        let tag = "layerNorm \(rows)×\(d) offset \(offset)"
        assertClose(Tensor(shape: [count], storage: y), Tensor(shape: [count], storage: yRef), atol: 1e-4, "y \(tag)",
                    file: file, line: line)
        assertClose(Tensor(shape: [rows], storage: rs), Tensor(shape: [rows], storage: rsRef), atol: 1e-5, "rstd \(tag)",
                    file: file, line: line)
        let dx = buf(count), dxRef = buf(count), dg = buf(d), dgRef = buf(d), db = buf(d), dbRef = buf(d)
        Kernels.layerNormBackward(x.storage.pointer, g.storage.pointer, rows: rows, d: d, mean: muRef.pointer,
                                  rstd: rsRef.pointer, gamma: gp, dx: dx.pointer, dgamma: dg.pointer, dbeta: db.pointer)
        Kernels.layerNormBackwardNaive(x.storage.pointer, g.storage.pointer, rows: rows, d: d, mean: muRef.pointer,
                                       rstd: rsRef.pointer, gamma: gp, dx: dxRef.pointer, dgamma: dgRef.pointer,
                                       dbeta: dbRef.pointer)
        let sumTol = 1e-5 * Float(rows).squareRoot() * 4
        assertClose(Tensor(shape: [count], storage: dx), Tensor(shape: [count], storage: dxRef), atol: 1e-4, "dx \(tag)",
                    file: file, line: line)
        assertClose(Tensor(shape: [d], storage: dg), Tensor(shape: [d], storage: dgRef), atol: sumTol, "dgamma \(tag)",
                    file: file, line: line)
        assertClose(Tensor(shape: [d], storage: db), Tensor(shape: [d], storage: dbRef), atol: sumTol, "dbeta \(tag)",
                    file: file, line: line)
    }

    func testLayerNormOddSizes() {
        checkLayerNorm(rows: 5, d: 37)
        checkLayerNorm(rows: 3, d: 6)            // shorter than a vector
        checkLayerNorm(rows: 7, d: 32)
        checkLayerNorm(rows: 9, d: 33, affine: false)
        checkLayerNorm(rows: 4, d: 24, offset: 300)
    }

    func testLayerNormSplitOverCores() {
        checkLayerNorm(rows: 3_000, d: 48)       // 144k values: two chunks, partial γ/β sums merged
    }
}
