import XCTest
import Tensor
import TestSupport

/// Pooling: the book's §6.5 examples, finite differences, fast paths against the naive reference.
final class PoolTests: XCTestCase {
    func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        var gen = SeededGenerator(seed: seed)
        return Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
    }

    func testBookExamples() {
        // §6.5.1: X = [[0,1,2],[3,4,5],[6,7,8]], 2×2 window, stride 1.
        let X = Tensor.arange(9).reshaped(to: [1, 1, 3, 3])
        XCTAssertEqual(X.maxPool2d(kernelSize: 2, stride: 1).scalars, [4, 5, 7, 8])
        XCTAssertEqual(X.avgPool2d(kernelSize: 2, stride: 1).scalars, [2, 3, 5, 6])
        // §6.5.2: 4×4 arange, 3×3 window: stride defaults to 3 → one output; padding 1, stride 2 → 2×2.
        let Y = Tensor.arange(16).reshaped(to: [1, 1, 4, 4])
        XCTAssertEqual(Y.maxPool2d(kernelSize: 3).scalars, [10])
        XCTAssertEqual(Y.maxPool2d(kernelSize: 3, stride: 2, padding: 1).scalars, [5, 7, 13, 15])
        XCTAssertEqual(Y.maxPool2d(kernelSize: (2, 3), stride: (2, 3), padding: (0, 1)).scalars, [5, 7, 13, 15])
        // count_include_pad: the corner window of a 3×3/p1 average sees 4 real values of 9.
        XCTAssertEqual(Y.avgPool2d(kernelSize: 3, stride: 1, padding: 1)[0, 0, 0, 0], (0 + 1 + 4 + 5) / 9, accuracy: 1e-6)
        XCTAssertEqual(Y.globalAvgPool2d().shape, [1, 1, 1, 1])
        XCTAssertEqual(Y.adaptiveAvgPool2d(1).item(), 7.5)
    }

    func testMaxGradientGoesToFirstMaximum() {
        var x = Tensor(shape: [1, 1, 2, 2], scalars: [3, 3, 3, 3])
        x.requiresGrad = true
        x.maxPool2d(kernelSize: 2).sum().backward()
        XCTAssertEqual(x.grad!.scalars, [1, 0, 0, 0])
        var y = Tensor(shape: [1, 1, 1, 4], scalars: [1, 5, 5, 2])
        y.requiresGrad = true
        y.maxPool2d(kernelSize: (1, 3), stride: (1, 1)).sum().backward()
        XCTAssertEqual(y.grad!.scalars, [0, 2, 0, 0])
    }

    func testGradCheck() {
        let x = randn([2, 3, 7, 6], seed: 3)
        let ops: [(String, (Tensor) -> Tensor)] = [
            ("max 2", { $0.maxPool2d(kernelSize: 2) }),
            ("max 3 s2 p1", { $0.maxPool2d(kernelSize: 3, stride: 2, padding: 1) }),
            ("max (3,2) s(1,2) p(1,0)", { $0.maxPool2d(kernelSize: (3, 2), stride: (1, 2), padding: (1, 0)) }),
            ("avg 2", { $0.avgPool2d(kernelSize: 2) }),
            ("avg 3 s1 p1", { $0.avgPool2d(kernelSize: 3, stride: 1, padding: 1) }),
            ("avg (2,3) s(2,1) p(1,1)", { $0.avgPool2d(kernelSize: (2, 3), stride: (2, 1), padding: (1, 1)) }),
            ("global avg", { $0.globalAvgPool2d() }),
            ("adaptive avg 1", { $0.adaptiveAvgPool2d(1) }),
        ]
        for (name, op) in ops {
            // h small enough that random values are not within h of each other in most windows;
            // max pooling is only piecewise differentiable.
            for r in gradCheck([x], h: 1e-3, atol: 5e-3, label: name, { op($0[0]) }) { XCTAssertTrue(r.ok, r.description) }
        }
    }

    func testFastKernelsMatchNaive() {
        var checked = 0
        for (h, w) in [(1, 1), (7, 7), (17, 33), (33, 17), (8, 64), (28, 28), (10, 10), (6, 50)] {
            for (n, c) in [(1, 1), (3, 5)] {
                for (k, s, p) in [(2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0), (3, 3, 0), (5, 2, 2)] where h + 2 * p >= k && w + 2 * p >= k {
                    let g = ConvGeometry(batch: n, channels: c, height: h, width: w, kernelH: k, kernelW: k,
                                         strideH: s, strideW: s, padH: p, padW: p)
                    check(g, seed: UInt64(h * 1000 + w * 10 + k))
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 40)
    }

    func check(_ g: ConvGeometry, seed: UInt64) {
        let x = randn([g.batch, g.channels, g.height, g.width], seed: seed)
        let outShape = [g.batch, g.channels, g.outH, g.outW]
        let gOut = randn(outShape, seed: seed + 1)
        for isMax in [true, false] {
            var naive = Tensor.zeros(outShape), dxNaive = Tensor.zeros(x.shape)
            naive.withUnsafeMutableBufferPointer { o in
                dxNaive.withUnsafeMutableBufferPointer { d in
                    Kernels.pool2dNaive(max: isMax, x: x.storage.pointer, out: o.baseAddress!,
                                        gOut: gOut.storage.pointer, dx: d.baseAddress!, g)
                }
            }
            var xg = x; xg.requiresGrad = true
            let k = (g.kernelH, g.kernelW), s = (g.strideH, g.strideW), p = (g.padH, g.padW)
            let y = isMax ? xg.maxPool2d(kernelSize: k, stride: s, padding: p) : xg.avgPool2d(kernelSize: k, stride: s, padding: p)
            (y * gOut).sum().backward()
            let label = "\(isMax ? "max" : "avg") \(g)"
            let r1 = compare(y, naive, atol: 1e-5, label: "\(label) forward")
            let r2 = compare(xg.grad!, dxNaive, atol: 1e-5, label: "\(label) dx")
            XCTAssertTrue(r1.ok, r1.description)
            XCTAssertTrue(r2.ok, r2.description)
        }
    }
}
