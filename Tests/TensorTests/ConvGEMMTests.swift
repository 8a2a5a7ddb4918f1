import XCTest
@testable import Tensor
import TestSupport

/// The GEMM path of the convolutions (ConvGEMMKernels.swift) against the seven-loop reference on
/// odd sizes (channels not multiples of 16, batch 1 and 3, strides 1–4, padding, 1×1 … 11×11
/// kernels, one- and many-image groups), its one-thread GEMM driver against the naive GEMM, the
/// kernel-selection rule on the book's layers, and thread-count independence of the weight gradient.
final class ConvGEMMTests: XCTestCase {
    func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        var gen = SeededGenerator(seed: seed)
        return Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
    }

    struct Case { let g: ConvGeometry; let cout: Int }

    static let cases: [Case] = [
        // 3×3 / padding 1 (ResNet, VGG, DenseNet), many-image groups, odd channel counts.
        Case(g: ConvGeometry(batch: 3, channels: 17, height: 9, width: 7, kernelH: 3, kernelW: 3, padH: 1, padW: 1), cout: 33),
        Case(g: ConvGeometry(batch: 1, channels: 5, height: 6, width: 6, kernelH: 3, kernelW: 3, padH: 1, padW: 1), cout: 19),
        // Stride 2 3×3 (ResNet's first conv of a stage), 1×1 / stride 2 shortcut.
        Case(g: ConvGeometry(batch: 3, channels: 13, height: 9, width: 10, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2,
                             padH: 1, padW: 1), cout: 20),
        Case(g: ConvGeometry(batch: 3, channels: 13, height: 9, width: 10, kernelH: 1, kernelW: 1, strideH: 2, strideW: 2), cout: 21),
        // 7×7 / 2 / padding 3 stem with one-image groups (24×24 = 576 ≥ 512 outputs).
        Case(g: ConvGeometry(batch: 3, channels: 1, height: 47, width: 48, kernelH: 7, kernelW: 7, strideH: 2, strideW: 2,
                             padH: 3, padW: 3), cout: 18),
        // AlexNet's 11×11 / stride 4 / padding 1 and 5×5 / padding 2.
        Case(g: ConvGeometry(batch: 3, channels: 1, height: 39, width: 35, kernelH: 11, kernelW: 11, strideH: 4, strideW: 4,
                             padH: 1, padW: 1), cout: 24),
        Case(g: ConvGeometry(batch: 3, channels: 7, height: 8, width: 9, kernelH: 5, kernelW: 5, padH: 2, padW: 2), cout: 37),
        // Pointwise 1×1: one-image groups (23×23 = 529 outputs) and many-image groups (5×3).
        Case(g: ConvGeometry(batch: 3, channels: 6, height: 23, width: 23, kernelH: 1, kernelW: 1), cout: 35),
        Case(g: ConvGeometry(batch: 3, channels: 29, height: 5, width: 3, kernelH: 1, kernelW: 1), cout: 11),
        // Unequal strides and paddings, a 1×1 output.
        Case(g: ConvGeometry(batch: 1, channels: 9, height: 11, width: 8, kernelH: 4, kernelW: 3, strideH: 3, strideW: 1,
                             padH: 2, padW: 0), cout: 17),
        Case(g: ConvGeometry(batch: 3, channels: 40, height: 3, width: 3, kernelH: 3, kernelW: 3), cout: 9),
        // 3×3 outputs at batch 34: forward and input-gradient groups widened from 4 to 16 images
        // (`convGEMMImagesNoReduction`; 16, 16, 2), the weight gradient's stay 4.
        Case(g: ConvGeometry(batch: 34, channels: 7, height: 3, width: 3, kernelH: 3, kernelW: 3, padH: 1, padW: 1), cout: 10),
    ]

    func testGroupWideningRule() {
        let g = ConvGeometry(batch: 34, channels: 7, height: 3, width: 3, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        XCTAssertEqual(Kernels.convGEMMImages(g), 4)
        XCTAssertEqual(Kernels.convGEMMImagesNoReduction(g), 16)
        // Already ≥ 128 columns (AlexNet's 12×12 outputs at batch 128), or too few images: unchanged.
        let wide = ConvGeometry(batch: 128, channels: 256, height: 12, width: 12, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        XCTAssertEqual(Kernels.convGEMMImagesNoReduction(wide), Kernels.convGEMMImages(wide))
        let small = ConvGeometry(batch: 8, channels: 7, height: 3, width: 3, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
        XCTAssertEqual(Kernels.convGEMMImagesNoReduction(small), Kernels.convGEMMImages(small))
    }

    /// Output, dx, dw of the GEMM kernels called directly, and of the naive reference.
    func run(_ c: Case, seed: UInt64) -> (fast: [Tensor], naive: [Tensor]) {
        let g = c.g
        let x = randn([g.batch, g.channels, g.height, g.width], seed: seed)
        let w = randn([c.cout, g.channels, g.kernelH, g.kernelW], seed: seed + 1)
        let b = randn([c.cout], seed: seed + 2)
        let outShape = [g.batch, c.cout, g.outH, g.outW]
        let gOut = randn(outShape, seed: seed + 3)
        let xp = UnsafePointer(x.storage.pointer), wp = UnsafePointer(w.storage.pointer)
        let bp = UnsafePointer(b.storage.pointer), gp = UnsafePointer(gOut.storage.pointer)
        // Fill the outputs with NaN first: the kernels must overwrite every element.
        var y = Tensor.full(outShape, .nan), dx = Tensor.full(x.shape, .nan), dw = Tensor.full(w.shape, .nan)
        y.withUnsafeMutableBufferPointer { Kernels.conv2dForwardGEMM(x: xp, weight: wp, bias: bp, out: $0.baseAddress!, g, cout: c.cout) }
        dx.withUnsafeMutableBufferPointer { Kernels.conv2dBackwardInputGEMM(gOut: gp, weight: wp, dx: $0.baseAddress!, g, cout: c.cout) }
        dw.withUnsafeMutableBufferPointer { Kernels.conv2dBackwardWeightGEMM(gOut: gp, x: xp, dw: $0.baseAddress!, g, cout: c.cout) }
        var yN = Tensor.zeros(outShape), dxN = Tensor.zeros(x.shape), dwN = Tensor.zeros(w.shape), dbN = Tensor.zeros([c.cout])
        yN.withUnsafeMutableBufferPointer { Kernels.conv2dForwardNaive(x: xp, weight: wp, bias: bp, out: $0.baseAddress!, g, cout: c.cout) }
        dxN.withUnsafeMutableBufferPointer { dxp in
            dwN.withUnsafeMutableBufferPointer { dwp in
                dbN.withUnsafeMutableBufferPointer { dbp in
                    Kernels.conv2dBackwardNaive(gOut: gp, x: xp, weight: wp, dx: dxp.baseAddress!, dw: dwp.baseAddress!,
                                                db: dbp.baseAddress!, g, cout: c.cout)
                }
            }
        }
        return ([y, dx, dw], [yN, dxN, dwN])
    }

    func testGEMMKernelsMatchNaive() {
        for (i, c) in Self.cases.enumerated() {
            let (fast, naive) = run(c, seed: UInt64(100 * i + 1))
            for (what, (got, want)) in zip(["forward", "dx", "dw"], zip(fast, naive)) {
                let r = compare(got, want, atol: 5e-4, rtol: 1e-4, label: "gemm \(c.g) cout \(c.cout) \(what)")
                XCTAssertTrue(r.ok, r.description)
            }
        }
    }

    func testGEMMKernelsDoNotDependOnThreadCount() {
        for (i, c) in Self.cases.enumerated() where c.g.batch > 1 {
            let one = Parallel.withThreads(1) { run(c, seed: UInt64(7 * i + 3)).fast }
            let two = Parallel.withThreads(2) { run(c, seed: UInt64(7 * i + 3)).fast }
            for (what, (a, b)) in zip(["forward", "dx", "dw"], zip(one, two)) {
                XCTAssertEqual(a.scalars.map(\.bitPattern), b.scalars.map(\.bitPattern), "\(c.g) cout \(c.cout) \(what)")
            }
        }
    }

    func testGEMMSerialMatchesNaive() {
        // Sizes past one depth block (384), one column block (800) and one row block (96), odd edges,
        // all transposes, beta.
        let shapes = [(m: 13, n: 37, k: 5), (m: 97, n: 850, k: 401), (m: 25, n: 33, k: 800), (m: 1, n: 70, k: 70),
                      (m: 203, n: 45, k: 777)]
        let workspace = UnsafeMutablePointer<Float>.allocate(capacity: Kernels.gemmSerialWorkspace)
        defer { workspace.deallocate() }
        for (i, s) in shapes.enumerated() {
            for (transA, transB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = randn(transA ? [s.k, s.m] : [s.m, s.k], seed: UInt64(i * 10 + 1))
                let b = randn(transB ? [s.n, s.k] : [s.k, s.n], seed: UInt64(i * 10 + 2))
                let c0 = randn([s.m, s.n], seed: UInt64(i * 10 + 3))
                var got = c0.detached(), want = c0.detached()
                got.withUnsafeMutableBufferPointer {
                    Kernels.gemmSerial(transA: transA, transB: transB, m: s.m, n: s.n, k: s.k, a: a.storage.pointer,
                                       lda: a.shape[1], b: b.storage.pointer, ldb: b.shape[1], c: $0.baseAddress!, ldc: s.n,
                                       beta: 0.5, workspace: workspace)
                }
                want.withUnsafeMutableBufferPointer {
                    Kernels.gemmNaive(transA: transA, transB: transB, m: s.m, n: s.n, k: s.k, a: a.storage.pointer,
                                      lda: a.shape[1], b: b.storage.pointer, ldb: b.shape[1], c: $0.baseAddress!, ldc: s.n, beta: 0.5)
                }
                let r = compare(got, want, atol: 2e-3, rtol: 1e-4, label: "gemmSerial \(s) transA \(transA) transB \(transB)")
                XCTAssertTrue(r.ok, r.description)
                // op(A) packed once (`packAWhole`, as a convolution packs its weights): the same bits.
                let packed = UnsafeMutablePointer<Float>.allocate(capacity: Kernels.gemmPackedACount(m: s.m, k: s.k))
                defer { packed.deallocate() }
                Kernels.packAWhole(transA: transA, m: s.m, k: s.k, a: a.storage.pointer, lda: a.shape[1], into: packed)
                var prepacked = c0.detached()
                prepacked.withUnsafeMutableBufferPointer {
                    Kernels.gemmSerial(transA: transA, transB: transB, m: s.m, n: s.n, k: s.k, a: a.storage.pointer,
                                       lda: a.shape[1], b: b.storage.pointer, ldb: b.shape[1], c: $0.baseAddress!, ldc: s.n,
                                       beta: 0.5, workspace: workspace, packedA: packed)
                }
                XCTAssertEqual(prepacked.scalars.map(\.bitPattern), got.scalars.map(\.bitPattern),
                               "gemmSerial with packedA \(s) transA \(transA) transB \(transB)")
            }
        }
    }

    /// `im2colNarrow` (zero-padded planes and one offset table) writes exactly `im2col`'s values,
    /// and `col2imNarrow` exactly `col2im`'s sums,
    /// for several images side by side: strides 1–3, padding 0–3 (also ≥ the kernel), 1×1 to 5×5
    /// and non-square kernels, planes down to 1×1, and a row stride wider than the images.
    func testNarrowIm2colMatchesIm2col() {
        let geometries = [
            ConvGeometry(batch: 3, channels: 5, height: 7, width: 7, kernelH: 5, kernelW: 5, padH: 2, padW: 2),
            ConvGeometry(batch: 2, channels: 3, height: 3, width: 3, kernelH: 3, kernelW: 3, padH: 1, padW: 1),
            ConvGeometry(batch: 3, channels: 2, height: 13, width: 11, kernelH: 3, kernelW: 2, strideH: 2, strideW: 3, padH: 1, padW: 0),
            ConvGeometry(batch: 1, channels: 4, height: 6, width: 5, kernelH: 1, kernelW: 1, strideH: 2, strideW: 2),
            ConvGeometry(batch: 2, channels: 2, height: 1, width: 1, kernelH: 3, kernelW: 3, padH: 3, padW: 3),
            ConvGeometry(batch: 2, channels: 3, height: 9, width: 9, kernelH: 4, kernelW: 4, strideH: 3, strideW: 3, padH: 2, padW: 1),
        ]
        for (i, g) in geometries.enumerated() {
            XCTAssertTrue(Kernels.usesNarrowIm2col(g), "\(g)")
            let x = randn([g.batch, g.channels, g.height, g.width], seed: UInt64(40 + i))
            let P = g.outPlane, K = g.patchSize, rowStride = g.batch * P + 3, inPlane = g.channels * g.height * g.width
            var want = [Float](repeating: -7, count: K * rowStride), got = want
            want.withUnsafeMutableBufferPointer { w in
                for j in 0..<g.batch { Kernels.im2col(x.storage.pointer + j * inPlane, g, w.baseAddress! + j * P, rowStride: rowStride) }
            }
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Kernels.im2colNarrowScratch(g, count: g.batch))
            defer { scratch.deallocate() }
            scratch.update(repeating: .nan, count: Kernels.im2colNarrowScratch(g, count: g.batch))
            got.withUnsafeMutableBufferPointer {
                Kernels.im2colNarrow(x.storage.pointer, count: g.batch, g, $0.baseAddress!, rowStride: rowStride, scratch: scratch)
            }
            XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "im2colNarrow \(g)")
            // The adjoint: col2imNarrow writes what col2im adds onto zeroed images, to the bit.
            let c = randn([K * rowStride], seed: UInt64(60 + i))
            var dxWant = [Float](repeating: 0, count: g.batch * inPlane), dxGot = [Float](repeating: -7, count: g.batch * inPlane)
            dxWant.withUnsafeMutableBufferPointer { d in
                for j in 0..<g.batch { Kernels.col2im(c.storage.pointer + j * P, g, d.baseAddress! + j * inPlane, rowStride: rowStride) }
            }
            dxGot.withUnsafeMutableBufferPointer {
                Kernels.col2imNarrow(c.storage.pointer, count: g.batch, g, $0.baseAddress!, rowStride: rowStride, scratch: scratch)
            }
            XCTAssertEqual(dxGot.map(\.bitPattern), dxWant.map(\.bitPattern), "col2imNarrow \(g)")
        }
    }

    /// The short-row helpers of im2col/col2im touch exactly `n` elements, for every length 0…40.
    func testShortRowCopyZeroAndAdd() {
        let src = (0..<64).map { Float($0) + 0.5 }
        for n in 0...40 {
            var d = [Float](repeating: -1, count: 48), z = d, a = (0..<48).map { Float($0) }
            src.withUnsafeBufferPointer { s in
                d.withUnsafeMutableBufferPointer { Kernels.copySmall($0.baseAddress! + 2, s.baseAddress! + 1, n) }
                z.withUnsafeMutableBufferPointer { Kernels.zeroSmall($0.baseAddress! + 2, n) }
                a.withUnsafeMutableBufferPointer { Kernels.addSmall($0.baseAddress! + 2, s.baseAddress! + 1, n) }
            }
            for i in 0..<48 {
                let inside = i >= 2 && i < 2 + n
                XCTAssertEqual(d[i], inside ? src[i - 1] : -1, "copySmall n \(n) at \(i)")
                XCTAssertEqual(z[i], inside ? 0 : -1, "zeroSmall n \(n) at \(i)")
                XCTAssertEqual(a[i], inside ? Float(i) + src[i - 1] : Float(i), "addSmall n \(n) at \(i)")
            }
        }
    }

    func testKernelSelectionOnTheBooksLayers() {
        func choice(_ c: Int, _ hw: Int, _ k: Int, _ s: Int, _ p: Int, _ cout: Int) -> ConvKernelChoice {
            Kernels.convKernels(ConvGeometry(batch: 256, channels: c, height: hw, width: hw, kernelH: k, kernelW: k,
                                             strideH: s, strideW: s, padH: p, padW: p), cout: cout)
        }
        let gemm = ConvKernelChoice(forward: .gemm, inputGrad: .gemm, weightGrad: .gemm)
        XCTAssertEqual(choice(1, 96, 7, 2, 3, 64), gemm, "ResNet stem")
        XCTAssertEqual(choice(64, 24, 3, 1, 1, 64), gemm, "ResNet 3×3")
        XCTAssertEqual(choice(256, 6, 1, 2, 0, 512), gemm, "ResNet 1×1/2 shortcut")
        XCTAssertEqual(choice(1, 224, 11, 4, 1, 96), gemm, "AlexNet conv1")
        XCTAssertEqual(choice(16, 112, 3, 1, 1, 32), gemm, "VGG-small conv2")
        XCTAssertEqual(choice(192, 12, 1, 1, 0, 16), gemm, "GoogLeNet 1×1 to 16")
        XCTAssertEqual(choice(1, 28, 5, 1, 2, 6), ConvKernelChoice(forward: .direct, inputGrad: .gemm, weightGrad: .direct), "LeNet c1")
        XCTAssertEqual(choice(6, 14, 5, 1, 0, 16), ConvKernelChoice(forward: .channelVector, inputGrad: .direct, weightGrad: .channelVector),
                       "LeNet c2")
    }
}
