import XCTest
import Tensor
import TestSupport

/// conv2d and corr2d: finite differences, fast kernels against the naive reference on odd
/// sizes, the book's §6.2 examples, and the shape-error messages.
final class ConvTests: XCTestCase {
    func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        var gen = SeededGenerator(seed: seed)
        return Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
    }

    func testCorr2dBookExample() {
        // Book §6.2: X = [[0,1,2],[3,4,5],[6,7,8]], K = [[0,1],[2,3]] → [[19,25],[37,43]].
        let X = Tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), K = Tensor([[0, 1], [2, 3]])
        XCTAssertEqual(Tensor.corr2dLoops(X, K).scalars, [19, 25, 37, 43])
        XCTAssertEqual(Tensor.corr2d(X, K).scalars, [19, 25, 37, 43])
    }

    func testCorr2dLoopsAgreesWithConv() {
        for (h, w, kh, kw) in [(6, 8, 1, 2), (7, 5, 3, 3), (1, 9, 1, 4), (17, 3, 5, 2)] {
            let X = randn([h, w], seed: UInt64(h * 100 + w)), K = randn([kh, kw], seed: UInt64(kh * 10 + kw))
            let r = compare(Tensor.corr2d(X, K), Tensor.corr2dLoops(X, K), atol: 1e-5, label: "corr2d \(h)x\(w) k\(kh)x\(kw)")
            XCTAssertTrue(r.ok, r.description)
        }
    }

    func testCorr2dLearnsEdgeKernel() {
        // Book §6.2.4: learn K from X (a vertical edge image) and Y = corr2d(X, [[1, -1]]).
        var rows: [[Float]] = []
        for _ in 0..<6 { rows.append([1, 1, 0, 0, 0, 0, 1, 1]) }
        let X = Tensor(rows), Y = Tensor.corr2dLoops(X, Tensor([[1, -1]]))
        var gen = SeededGenerator(seed: 1)
        var K = Tensor.uniform([1, 2], low: -1, high: 1, generator: &gen)
        K.requiresGrad = true
        for _ in 0..<30 {
            let diff = Tensor.corr2d(X, K) - Y
            let l = (diff * diff).sum()
            K.zeroGrad()
            l.backward()
            withNoGrad {
                var k = K.detached()
                k = k - K.grad! * Tensor(0.03)
                k.requiresGrad = true
                K = k
            }
        }
        let r = compare(K.detached(), Tensor([[1, -1]]), atol: 0.05, rtol: 0, label: "learned kernel")
        XCTAssertTrue(r.ok, r.description)
    }

    func testGradCheck() {
        struct Config { let x: [Int]; let w: [Int]; let s: (Int, Int); let p: (Int, Int); let bias: Bool }
        let configs = [
            Config(x: [2, 1, 6, 6], w: [2, 1, 3, 3], s: (1, 1), p: (1, 1), bias: true),
            Config(x: [1, 3, 7, 6], w: [2, 3, 3, 3], s: (2, 2), p: (0, 0), bias: true),
            Config(x: [2, 2, 5, 7], w: [3, 2, 3, 2], s: (1, 2), p: (2, 1), bias: false),
            Config(x: [2, 4, 3, 3], w: [3, 4, 1, 1], s: (1, 1), p: (0, 0), bias: true),
            Config(x: [1, 2, 8, 5], w: [2, 2, 5, 1], s: (3, 1), p: (1, 0), bias: true),
            Config(x: [1, 1, 20, 20], w: [2, 1, 5, 5], s: (1, 1), p: (2, 2), bias: true),  // direct kernel
        ]
        for (i, c) in configs.enumerated() {
            var inputs = [randn(c.x, seed: UInt64(i)), randn(c.w, seed: UInt64(i + 100))]
            if c.bias { inputs.append(randn([c.w[0]], seed: UInt64(i + 200))) }
            let label = "conv2d x\(describeShape(c.x)) w\(describeShape(c.w)) s\(c.s) p\(c.p)"
            for r in gradCheck(inputs, label: label, { xs in
                Tensor.conv2d(xs[0], weight: xs[1], bias: xs.count > 2 ? xs[2] : nil, stride: c.s, padding: c.p)
            }) {
                XCTAssertTrue(r.ok, r.description)
            }
        }
    }

    /// Fast forward, input and weight gradients against the seven-loop reference.
    func testFastKernelsMatchNaive() {
        var seed: UInt64 = 1
        var checked = 0
        for (h, w) in [(1, 1), (7, 7), (17, 33), (33, 17)] {
            for (cin, cout) in [(1, 6), (3, 5), (5, 1)] {
                for batch in [1, 3] {
                    for k in [1, 3, 5] {
                        for s in [1, 2, 3] {
                            for p in [0, 1, 2] where h + 2 * p >= k && w + 2 * p >= k {
                                // Thin the grid: every combination of sizes, a rotating subset of the rest.
                                seed &+= 1
                                if seed % 3 != 0 && !(h == 17 && k == 5) { continue }
                                let g = ConvGeometry(batch: batch, channels: cin, height: h, width: w, kernelH: k,
                                                     kernelW: max(1, k - (s == 2 ? 2 : 0)),
                                                     strideH: s, strideW: 4 - s, padH: p, padW: min(p, 1))
                                guard g.height + 2 * g.padH >= g.kernelH, g.width + 2 * g.padW >= g.kernelW else { continue }
                                checkAgainstNaive(g, cout: cout, seed: seed)
                                checked += 1
                            }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 50)
        // The direct kernel's own cases: stride 1, ≤ 3 input channels, wide rows (and the LeNet layer).
        checkAgainstNaive(ConvGeometry(batch: 2, channels: 1, height: 28, width: 28, kernelH: 5, kernelW: 5, padH: 2, padW: 2), cout: 6, seed: 7)
        checkAgainstNaive(ConvGeometry(batch: 3, channels: 3, height: 9, width: 40, kernelH: 3, kernelW: 2, padH: 1, padW: 0), cout: 5, seed: 8)
        checkAgainstNaive(ConvGeometry(batch: 2, channels: 6, height: 14, width: 14, kernelH: 5, kernelW: 5), cout: 16, seed: 9)
        // Channel blocks of 6 (forward) and 3 (weight gradient), several blocks, odd widths over 32.
        checkAgainstNaive(ConvGeometry(batch: 2, channels: 2, height: 11, width: 37, kernelH: 5, kernelW: 3, padH: 2, padW: 1), cout: 12, seed: 10)
        checkAgainstNaive(ConvGeometry(batch: 3, channels: 1, height: 5, width: 17, kernelH: 3, kernelW: 7, padH: 1, padW: 3), cout: 9, seed: 11)
        checkAgainstNaive(ConvGeometry(batch: 1, channels: 3, height: 3, width: 20, kernelH: 3, kernelW: 3, padH: 2, padW: 1), cout: 3, seed: 12)
    }

    /// The direct stride-1 kernels for many channels (forward vectorised over output channels,
    /// input gradient along rows, weight gradient over output channels) on odd sizes: partial
    /// channel blocks, partial tiles and row segments, odd heights, padding wider than the kernel.
    func testDirectManyChannelKernelsMatchNaive() {
        var seed: UInt64 = 500
        let cases: [(b: Int, cin: Int, cout: Int, h: Int, w: Int, kh: Int, kw: Int, ph: Int, pw: Int)] = [
            (3, 6, 16, 14, 14, 5, 5, 0, 0), (2, 4, 8, 7, 7, 5, 5, 2, 2), (1, 7, 17, 17, 33, 5, 5, 1, 2),
            (2, 13, 33, 9, 17, 3, 4, 1, 0), (1, 5, 9, 1, 1, 1, 1, 0, 0), (2, 9, 12, 11, 19, 3, 3, 1, 1),
            (1, 4, 10, 6, 5, 6, 7, 3, 4), (1, 6, 16, 33, 7, 7, 5, 0, 1), (2, 1, 20, 8, 8, 5, 5, 2, 2),
        ]
        for c in cases {
            seed &+= 1
            let g = ConvGeometry(batch: c.b, channels: c.cin, height: c.h, width: c.w, kernelH: c.kh, kernelW: c.kw,
                                 padH: c.ph, padW: c.pw)
            checkAgainstNaive(g, cout: c.cout, seed: seed)
            let outShape = [g.batch, c.cout, g.outH, g.outW]
            let x = randn([g.batch, g.channels, g.height, g.width], seed: seed)
            let w = randn([c.cout, g.channels, g.kernelH, g.kernelW], seed: seed + 1)
            let b = randn([c.cout], seed: seed + 2)
            let gOut = randn(outShape, seed: seed + 3)
            let xp = UnsafePointer(x.storage.pointer), wp = UnsafePointer(w.storage.pointer)
            let gp = UnsafePointer(gOut.storage.pointer)
            // Each kernel called directly (the dispatcher may pick another one for a shape).
            var y = Tensor.zeros(outShape), yN = Tensor.zeros(outShape)
            var dx = Tensor.zeros(x.shape), dw = Tensor.zeros(w.shape)
            var dxN = Tensor.zeros(x.shape), dwN = Tensor.zeros(w.shape), dbN = Tensor.zeros([c.cout])
            y.withUnsafeMutableBufferPointer {
                Kernels.conv2dForwardChannelVector(x: xp, weight: wp, bias: b.storage.pointer, out: $0.baseAddress!, g, cout: c.cout)
            }
            yN.withUnsafeMutableBufferPointer {
                Kernels.conv2dForwardNaive(x: xp, weight: wp, bias: b.storage.pointer, out: $0.baseAddress!, g, cout: c.cout)
            }
            dx.withUnsafeMutableBufferPointer { Kernels.conv2dBackwardInputDirect(gOut: gp, weight: wp, dx: $0.baseAddress!, g, cout: c.cout) }
            dw.withUnsafeMutableBufferPointer {
                Kernels.conv2dBackwardWeightChannelVector(gOut: gp, x: xp, dw: $0.baseAddress!, g, cout: c.cout)
            }
            dxN.withUnsafeMutableBufferPointer { dxp in
                dwN.withUnsafeMutableBufferPointer { dwp in
                    dbN.withUnsafeMutableBufferPointer { dbp in
                        Kernels.conv2dBackwardNaive(gOut: gp, x: xp, weight: wp, dx: dxp.baseAddress!, dw: dwp.baseAddress!,
                                                    db: dbp.baseAddress!, g, cout: c.cout)
                    }
                }
            }
            for (got, want, what) in [(y, yN, "forward"), (dx, dxN, "dx"), (dw, dwN, "dw")] {
                let r = compare(got, want, atol: 3e-4, rtol: 1e-4, label: "direct \(g) cout \(c.cout) \(what)")
                XCTAssertTrue(r.ok, r.description)
            }
        }
    }

    func checkAgainstNaive(_ g: ConvGeometry, cout: Int, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        let label = "conv \(g) cout \(cout)"
        let x = randn([g.batch, g.channels, g.height, g.width], seed: seed)
        let w = randn([cout, g.channels, g.kernelH, g.kernelW], seed: seed + 1000)
        let b = randn([cout], seed: seed + 2000)
        let outShape = [g.batch, cout, g.outH, g.outW]
        let gOut = randn(outShape, seed: seed + 3000)
        var fast = Tensor.zeros(outShape), naive = Tensor.zeros(outShape)
        var dxF = Tensor.zeros(x.shape), dwF = Tensor.zeros(w.shape), dbF = Tensor.zeros([cout])
        var dxN = Tensor.zeros(x.shape), dwN = Tensor.zeros(w.shape), dbN = Tensor.zeros([cout])
        let xp = x.storage.pointer, wp = UnsafePointer(w.storage.pointer), bp = UnsafePointer(b.storage.pointer)
        let gp = UnsafePointer(gOut.storage.pointer)
        fast.withUnsafeMutableBufferPointer { Kernels.conv2dForward(x: xp, weight: wp, bias: bp, out: $0.baseAddress!, g, cout: cout) }
        naive.withUnsafeMutableBufferPointer { Kernels.conv2dForwardNaive(x: xp, weight: wp, bias: bp, out: $0.baseAddress!, g, cout: cout) }
        dxF.withUnsafeMutableBufferPointer { Kernels.conv2dBackwardInput(gOut: gp, weight: wp, dx: $0.baseAddress!, g, cout: cout) }
        dwF.withUnsafeMutableBufferPointer { dw in
            dbF.withUnsafeMutableBufferPointer { db in
                Kernels.conv2dBackwardWeight(gOut: gp, x: xp, dw: dw.baseAddress!, db: db.baseAddress!, g, cout: cout)
            }
        }
        dxN.withUnsafeMutableBufferPointer { dx in
            dwN.withUnsafeMutableBufferPointer { dw in
                dbN.withUnsafeMutableBufferPointer { db in
                    Kernels.conv2dBackwardNaive(gOut: gp, x: xp, weight: wp, dx: dx.baseAddress!, dw: dw.baseAddress!,
                                                db: db.baseAddress!, g, cout: cout)
                }
            }
        }
        for (got, want, what) in [(fast, naive, "forward"), (dxF, dxN, "dx"), (dwF, dwN, "dw"), (dbF, dbN, "db")] {
            let r = compare(got, want, atol: 2e-4, rtol: 1e-4, label: "\(label) \(what)")
            XCTAssertTrue(r.ok, r.description, file: file, line: line)
        }
    }

    func testIm2colCol2imAreAdjoint() {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for any x, c: col2im is the transpose of im2col.
        let g = ConvGeometry(batch: 1, channels: 2, height: 7, width: 9, kernelH: 3, kernelW: 4,
                             strideH: 2, strideW: 3, padH: 1, padW: 2)
        let x = randn([2, 7, 9], seed: 5), c = randn([g.patchSize, g.outPlane], seed: 6)
        var cols = Tensor.zeros([g.patchSize, g.outPlane]), back = Tensor.zeros([2, 7, 9])
        cols.withUnsafeMutableBufferPointer { Kernels.im2col(x.storage.pointer, g, $0.baseAddress!) }
        back.withUnsafeMutableBufferPointer { Kernels.col2im(c.storage.pointer, g, $0.baseAddress!) }
        let lhs = zip(cols.scalars, c.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let rhs = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(lhs, rhs, accuracy: 1e-3)
        XCTAssertNotEqual(lhs, 0)
    }

    func testOutputShapes() {
        // Book §6.3: 8×8 input, 3×3 kernel, padding 1 → 8×8; 5×3 kernel with padding (2, 1) → 8×8;
        // stride 2 → 4×4; 3×5 kernel, padding (0, 1), stride (3, 4) → 2×2.
        let x = Tensor.zeros([1, 1, 8, 8])
        XCTAssertEqual(Tensor.conv2d(x, weight: .zeros([1, 1, 3, 3]), padding: 1).shape, [1, 1, 8, 8])
        XCTAssertEqual(Tensor.conv2d(x, weight: .zeros([1, 1, 5, 3]), bias: nil, stride: (1, 1), padding: (2, 1)).shape, [1, 1, 8, 8])
        XCTAssertEqual(Tensor.conv2d(x, weight: .zeros([1, 1, 3, 3]), stride: 2, padding: 1).shape, [1, 1, 4, 4])
        XCTAssertEqual(Tensor.conv2d(x, weight: .zeros([1, 1, 3, 5]), bias: nil, stride: (3, 4), padding: (0, 1)).shape, [1, 1, 2, 2])
    }

    func testShapeErrorMessages() {
        let m = Tensor.conv2dShapeError([2, 3, 8, 8], [4, 1, 3, 3], [4], stride: (1, 1), padding: (0, 0))
        XCTAssertEqual(m, "conv2d: input (2, 3, 8, 8) has 3 channels but weight (4, 1, 3, 3) expects 1")
        XCTAssertNil(Tensor.conv2dShapeError([2, 3, 8, 8], [4, 3, 3, 3], [4], stride: (1, 1), padding: (0, 0)))
        XCTAssertEqual(Tensor.conv2dShapeError([2, 3, 8, 8], [4, 3, 3, 3], [3], stride: (1, 1), padding: (0, 0)),
                       "conv2d: bias (3) must have shape (4) for weight (4, 3, 3, 3)")
        XCTAssertEqual(Tensor.conv2dShapeError([3, 8, 8], [4, 3, 3, 3], nil, stride: (1, 1), padding: (0, 0)),
                       "conv2d: input (3, 8, 8) must have 4 axes (N, C, H, W)")
        XCTAssertEqual(Tensor.conv2dShapeError([1, 1, 2, 2], [1, 1, 5, 5], nil, stride: (1, 1), padding: (1, 1)),
                       "conv2d: kernel 5×5 of weight (1, 1, 5, 5) is larger than the padded input (1, 1, 2, 2) with padding (1, 1)")
    }
}
