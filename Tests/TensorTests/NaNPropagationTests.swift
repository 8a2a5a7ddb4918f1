import XCTest
import Tensor
import TestSupport

/// NaN through max-type ops, as PyTorch does it (issue 9 item 8): a diverged value must stay
/// visible. PyTorch CPU (checked with torch 2.15): `relu(nan) = nan`, `relu(-0) = -0`; `max`/`min` of a tensor holding NaN is NaN and
/// `argmax`/`argmin` return the index of the first NaN; `max_pool2d` gives NaN for a window
/// holding NaN anywhere (its index is the window's last NaN: the kernel's rule is
/// `v > max || isnan(v)`); `maximum`/`minimum` propagate NaN. Each fast kernel is checked
/// against its naive reference with NaN at every position of the vector body and tail.
final class NaNPropagationTests: XCTestCase {
    let nan = Float.nan

    /// Equal as values, NaN equal to NaN.
    func assertSame(_ a: [Float], _ b: [Float], _ message: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where !(x == y || (x.isNaN && y.isNaN)) {
            XCTFail("\(message): element \(i): \(x) vs \(y)", line: line)
            return
        }
    }

    func testReluPropagatesNaN() {
        let x = Tensor([1, nan, -2, 0, -0.0, .infinity, -.infinity])
        assertSame(x.relu().scalars, [1, nan, 0, 0, 0, .infinity, 0], "relu")
        XCTAssertEqual(x.relu().scalars[4].sign, .minus, "relu(-0) = -0, as PyTorch")
        // The SIMD body and the scalar tail: NaN at every position of 37 elements.
        for pos in 0..<37 {
            var v = (0..<37).map { Float($0 % 5) - 2 }
            v[pos] = nan
            let r = Tensor(v).relu().scalars
            XCTAssertTrue(r[pos].isNaN, "relu: NaN at \(pos) lost")
            var naive = [Float](repeating: 0, count: v.count)
            v.withUnsafeBufferPointer { p in
                naive.withUnsafeMutableBufferPointer { o in Kernels.unaryNaive(ReluFunction.self, p.baseAddress!, o.baseAddress!, v.count) }
            }
            assertSame(r, naive, "relu fast vs naive, NaN at \(pos)")
        }
    }

    func testReluGradientPassesAtNaN() {
        // PyTorch's relu backward is threshold_backward on the output: 0 where out ≤ 0, else g.
        var x = Tensor([nan, -1, 0, 2])
        x.requiresGrad = true
        (x.relu() * Tensor([5, 5, 5, 5])).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [5, 0, 0, 5])
    }

    func testMaxMinArgmaxPropagateNaN() {
        let x = Tensor([1, nan, 3])
        XCTAssertTrue(x.max().item().isNaN, "max([1, NaN, 3])")
        XCTAssertTrue(x.min().item().isNaN, "min([1, NaN, 3])")
        XCTAssertEqual(x.argmaxIndices(axis: 0), [1])
        // The first NaN wins.
        XCTAssertEqual(Tensor([0, nan, 9, nan]).argmaxIndices(axis: 0), [1])
        XCTAssertEqual(Tensor([0, nan, 9, nan]).argmin(axis: 0).scalars, [1])
        // Along an axis: only the rows holding NaN become NaN.
        let m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, nan, 6])
        assertSame(m.max(alongAxes: [1]).scalars, [3, nan], "max along axis 1")
        assertSame(m.max(alongAxes: [0]).scalars, [4, nan, 6], "max along axis 0")
    }

    func testArgReduceRowsMatchesNaiveWithNaN() {
        // Rows long enough for the SIMD16 lanes (≥ 32) and short ones; NaN in the first vector,
        // later vectors and the tail, one or two NaNs per row.
        for n in [1, 5, 31, 32, 40, 100] {
            for isMax in [true, false] {
                for pos in Set([0, n / 3, n / 2, n - 1]) {
                    var v = (0..<(3 * n)).map { Float(($0 * 7919) % 23) - 11 }
                    v[n + pos] = nan                    // row 1: one NaN
                    v[2 * n + pos] = nan                // row 2: NaN there and maybe later
                    if pos + 17 < n { v[2 * n + pos + 17] = nan }
                    var vf = [Float](repeating: 0, count: 3), vn = vf
                    var kf = [Int](repeating: -1, count: 3), kn = kf
                    v.withUnsafeBufferPointer { p in
                        Kernels.argReduceRows(p.baseAddress!, rows: 3, n: n, isMax: isMax, &vf, &kf)
                        Kernels.argReduceRowsNaive(p.baseAddress!, rows: 3, n: n, isMax: isMax, &vn, &kn)
                    }
                    let label = "n=\(n) isMax=\(isMax) NaN at \(pos)"
                    assertSame(vf, vn, label)
                    XCTAssertEqual(kf, kn, label)
                    XCTAssertTrue(vf[1].isNaN && vf[2].isNaN, label)
                    XCTAssertEqual(kf[1], pos, label)
                    XCTAssertEqual(kf[2], pos, "\(label): first NaN")
                }
            }
        }
    }

    func testMaxPoolPropagatesNaNAnywhereInTheWindow() {
        // 2×2/2 fast path with wide rows (SIMD16, W = 64), LeNet's 28 (8 outputs by SIMD, 6 scalar)
        // and narrow ones (W = 6), and the generic path (3×3, stride 1, padding 1): NaN at every
        // position of the first window rows.
        let cases: [(h: Int, w: Int, k: Int, s: Int, p: Int)] = [(4, 64, 2, 2, 0), (4, 28, 2, 2, 0), (4, 6, 2, 2, 0), (5, 5, 3, 1, 1)]
        for c in cases {
            for pos in 0..<(2 * c.w) {
                var v = (0..<(c.h * c.w)).map { Float(($0 * 37) % 11) }
                v[pos] = nan
                var x = Tensor(shape: [1, 1, c.h, c.w], scalars: v)
                x.requiresGrad = true
                let y = x.maxPool2d(kernelSize: c.k, stride: c.s, padding: c.p)
                let label = "maxPool2d k\(c.k) s\(c.s) p\(c.p) on \(c.h)×\(c.w), NaN at \(pos)"
                // Every window that covers `pos` is NaN; compare with the naive reference.
                let g = ConvGeometry(batch: 1, channels: 1, height: c.h, width: c.w, kernelH: c.k, kernelW: c.k,
                                     strideH: c.s, strideW: c.s, padH: c.p, padW: c.p)
                var out = [Float](repeating: 0, count: y.count), dx = [Float](repeating: 0, count: v.count)
                let gOut = [Float](repeating: 1, count: y.count)
                v.withUnsafeBufferPointer { xp in
                    Kernels.pool2dNaive(max: true, x: xp.baseAddress!, out: &out, gOut: gOut, dx: &dx, g)
                }
                assertSame(y.scalars, out, label)
                XCTAssertTrue(y.scalars.contains { $0.isNaN }, label)
                y.sum().backward()
                XCTAssertEqual(x.grad!.scalars, dx, "\(label): gradient routed to the NaN")
            }
        }
    }

    func testMaxPoolWithInfinitiesIsExact() {
        // +∞ beside −∞ in a window (the fast path's NaN test sees NaN in their sum): the maximum is +∞.
        for w in [64, 28, 6] {
            var v = [Float](repeating: 1, count: 2 * w)
            v[0] = -.infinity; v[1] = .infinity; v[w + 3] = .infinity; v[w + 2] = -.infinity
            let y = Tensor(shape: [1, 1, 2, w], scalars: v).maxPool2d(kernelSize: 2).scalars
            XCTAssertEqual(Array(y.prefix(3)), [.infinity, .infinity, 1], "W = \(w)")
        }
    }

    func testMaximumMinimumPropagateNaN() {
        let a = Tensor([1, nan, 3, nan]), b = Tensor([nan, 2, 1, nan])
        assertSame(Tensor.maximum(a, b).scalars, [nan, nan, 3, nan], "maximum")
        assertSame(Tensor.minimum(a, b).scalars, [nan, nan, 1, nan], "minimum")
    }
}
