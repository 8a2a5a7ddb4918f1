/// Convolution as matrix products (book §7.1–7.7 at 96–224 pixels: ResNet, VGG, GoogLeNet,
/// DenseNet, AlexNet), the path `convKernels` picks for every layer with many channels, any
/// stride, padding and kernel size. With `cols` the column matrix of a group of images
/// (`im2col`: one row per tap `(ci, ky, kx)`, one column per output position, images side by side):
///
///     forward:          out[Cout, P]   = W[Cout, K] · cols[K, P]            (+ bias per row)
///     input gradient:   dcols[K, P]    = Wᵀ[K, Cout] · G[Cout, P], then col2im adds dcols onto dx
///     weight gradient:  dW[Cout, K]   += G[Cout, P] · colsᵀ[P, K]           (summed over the batch)
///
/// with `K = Cin·kh·kw` and `P` the output positions of the group. 1×1 stride-1 unpadded
/// convolutions (NiN, GoogLeNet, DenseNet's transitions) skip im2col: `cols` is the image itself.
/// A group holds enough images for ~512 columns (one image from 23×23 outputs up; see
/// `convGEMMImages`, `convGEMMImagesNoReduction`), and a one-image group multiplies straight into the NCHW output (no copy).
/// Groups are spread over cores, one `gemmSerial` per thread; every buffer comes from the
/// thread's `ThreadScratch`. The weights are packed once per call for all groups
/// (`packedWeights`), and output rows narrower than 16 are lowered through zero-padded planes
/// (`im2colNarrow`, `col2imNarrow`). On the AVX2 machine (Dec 1, commit 690b77d against its
/// predecessor, the two binaries run alternately) these and the narrow pools took a quick AlexNet run (67 px, batch 32) from 143 to
/// 170 examples/s and the 224-px `Benchmarks step alexnet` from 5.66–6.40 to 5.19–5.85 s, with
/// the same results to the bit.
extension Kernels {
    /// Columns one product of the GEMM path aims for: enough for the GEMM micro-kernel to run at
    /// full speed, small enough that a 3×3 image group's column matrix stays in L2 where it can.
    static let convGEMMColumns = 512

    /// Images per product: `⌈512 / P⌉`, at most the batch and at most `max(4, batch / 8)` (so a
    /// batch makes at least 8 groups to share between the cores: ResNet's 3×3 layers at stage 4,
    /// 3×3 outputs, would otherwise make 5 groups of 57 from 256 images, 3 for one core and 2 for
    /// the other).
    static func convGEMMImages(_ g: ConvGeometry) -> Int {
        let wanted = (convGEMMColumns &+ g.outPlane &- 1) / max(g.outPlane, 1)
        return max(1, min(wanted, g.batch, max(4, g.batch / 8)))
    }

    /// Images per product of the forward pass and the input gradient, whose results do not
    /// depend on the grouping (each output column is its own sum over `K`): `convGEMMImages`,
    /// except that a group of fewer than 128 columns is widened to a whole number of the
    /// micro-kernel's 16-column panels if that leaves at least two groups. A quick AlexNet's
    /// 3×3 layers at 3×3 outputs and batch 32 made 8 groups of 36 columns, the last panel of each
    /// 4/16 full; now 2 groups of 144. (The weight gradient sums over the group's columns, so
    /// its grouping stays `convGEMMImages`, and with it every result's bits.)
    static func convGEMMImagesNoReduction(_ g: ConvGeometry) -> Int {
        let B = convGEMMImages(g), P = g.outPlane
        if B &* P >= 128 || P == 0 { return B }
        var a = P, b = 16
        while b != 0 { (a, b) = (b, a % b) }
        let step = 16 / a                      // images per whole number of panels: 16 / gcd(P, 16)
        let widened = (B &+ step &- 1) / step &* step
        return widened &* 2 <= g.batch ? widened : B
    }

    /// Whether `cols` of one image is the image itself: a 1×1 kernel, stride 1, no padding.
    @inline(__always)
    static func isPointwise(_ g: ConvGeometry) -> Bool {
        g.kernelH == 1 && g.kernelW == 1 && g.strideH == 1 && g.strideW == 1 && g.padH == 0 && g.padW == 0
    }

    /// Writes the column matrix of images `first..<first+count` into `cols` (row stride `count·P`).
    @inline(__always)
    static func lowerImages(_ x: UnsafePointer<Float>, first: Int, count: Int, _ g: ConvGeometry,
                            into cols: UnsafeMutablePointer<Float>) {
        let P = g.outPlane, BP = count &* P, inPlane = g.channels &* g.height &* g.width
        if !isPointwise(g) && usesNarrowIm2col(g) {
            im2colNarrow(x + first &* inPlane, count: count, g, cols, rowStride: BP, scratch: cols + g.patchSize &* BP)
            return
        }
        for j in 0..<count {
            let xn = x + (first &+ j) &* inPlane
            if isPointwise(g) {
                for ci in 0..<g.channels { copySmall(cols + (ci &* BP &+ j &* P), xn + ci &* P, P) }
            } else {
                im2col(xn, g, cols + j &* P, rowStride: BP)
            }
        }
    }

    /// The calling thread's buffers for one image group: the `gemmSerial` workspace, the column
    /// matrix `cols` (K × B·P; unused by a one-image pointwise group) and `tmp` (Cout × B·P, the
    /// group's output or gradient rows; unused by one-image groups).
    @inline(__always)
    static func convGEMMBuffers(_ g: ConvGeometry, cout: Int, images B: Int)
        -> (ws: UnsafeMutablePointer<Float>, cols: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>) {
        let BP = B &* g.outPlane
        let colsCount = B == 1 && isPointwise(g) ? 0
            : g.patchSize &* BP &+ (usesNarrowIm2col(g) ? im2colNarrowScratch(g, count: B) : 0)
        let tmpCount = B == 1 ? 0 : cout &* BP
        let ws = ThreadScratch.current.floats(gemmSerialWorkspace &+ colsCount &+ tmpCount, .work)
        return (ws, ws + gemmSerialWorkspace, ws + (gemmSerialWorkspace &+ colsCount))
    }

    /// Runs `body(first, count, workspace, cols, tmp)` for each group of `images` images
    /// (groups start at multiples of the group size, the last may be shorter), the groups split
    /// over cores, with the thread's buffers. The groups do not depend on the thread count, so
    /// neither do the results (a product's small-size path rounds its last columns differently).
    @inline(__always)
    static func forEachImageGroup(_ g: ConvGeometry, cout: Int, images B: Int,
                                  _ body: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                           UnsafeMutablePointer<Float>) -> Void) {
        let groups = (g.batch &+ B &- 1) / B
        Parallel.forRanges(groups, minChunk: 1) { range in
            let (ws, cols, tmp) = convGEMMBuffers(g, cout: cout, images: B)
            for group in range {
                let first = group &* B
                body(first, min(B, g.batch &- first), ws, cols, tmp)
            }
        }
    }

    /// The weights `W` (`cout × K`), or `Wᵀ` with `transposed`, packed once per call into the
    /// calling thread's `.call` scratch for every image group's product (`packAWhole`): packing
    /// them per group cost 11 % of a quick AlexNet step (batch 32, 4 images per group; perf,
    /// Dec 1). A product below `gemmSmallWork` takes `gemmSmall`, which ignores the packed copy.
    static func packedWeights(transposed: Bool, _ weight: UnsafePointer<Float>, _ g: ConvGeometry,
                              cout: Int) -> UnsafePointer<Float> {
        let K = g.patchSize
        let (m, k) = transposed ? (K, cout) : (cout, K)
        let packed = ThreadScratch.current.floats(gemmPackedACount(m: m, k: k), .call)
        packAWhole(transA: transposed, m: m, k: k, a: weight, lda: K, into: packed)
        return UnsafePointer(packed)
    }

    /// Forward pass on the GEMM path (see the type's comment). Overwrites `out`.
    public static func conv2dForwardGEMM(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                         out: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        let K = g.patchSize, P = g.outPlane, inPlane = g.channels &* g.height &* g.width
        let images = convGEMMImagesNoReduction(g), oneImage = images == 1, pointwise = isPointwise(g)
        let packedW = packedWeights(transposed: false, weight, g, cout: cout)
        forEachImageGroup(g, cout: cout, images: images) { first, count, ws, cols, tmp in
            let BP = count &* P
            let src: UnsafePointer<Float>
            if oneImage && pointwise { src = x + first &* inPlane } else {
                lowerImages(x, first: first, count: count, g, into: cols)
                src = UnsafePointer(cols)
            }
            if oneImage {
                let on = out + first &* cout &* P
                gemmSerial(transA: false, transB: false, m: cout, n: P, k: K, a: weight, lda: K, b: src, ldb: P,
                           c: on, ldc: P, beta: 0, workspace: ws, packedA: packedW)
                if let bias { for co in 0..<cout { addScalar(on + co &* P, bias[co], P) } }
                return
            }
            gemmSerial(transA: false, transB: false, m: cout, n: BP, k: K, a: weight, lda: K, b: src, ldb: BP,
                       c: tmp, ldc: BP, beta: 0, workspace: ws, packedA: packedW)
            // tmp is (Cout, images·P): each image's block to NCHW, plus the bias.
            for j in 0..<count {
                for co in 0..<cout {
                    let dst = out + ((first &+ j) &* cout &+ co) &* P
                    copySmall(dst, tmp + (co &* BP &+ j &* P), P)
                    if let bias { addScalar(dst, bias[co], P) }
                }
            }
        }
    }

    /// Input gradient on the GEMM path: `dcols = Wᵀ·G` per image group, then `col2im` (for a
    /// pointwise convolution `dcols` is the gradient itself). Overwrites `dx`.
    public static func conv2dBackwardInputGEMM(gOut: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                               dx: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        let K = g.patchSize, P = g.outPlane, inPlane = g.channels &* g.height &* g.width
        let images = convGEMMImagesNoReduction(g), oneImage = images == 1, pointwise = isPointwise(g)
        let packedWT = packedWeights(transposed: true, weight, g, cout: cout)
        forEachImageGroup(g, cout: cout, images: images) { first, count, ws, cols, tmp in
            let BP = count &* P
            let src: UnsafePointer<Float>
            if oneImage { src = gOut + first &* cout &* P } else {
                gatherOutputGrad(gOut, first: first, count: count, cout: cout, P: P, into: tmp, rowStride: BP)
                src = UnsafePointer(tmp)
            }
            if oneImage && pointwise {
                gemmSerial(transA: true, transB: false, m: K, n: P, k: cout, a: weight, lda: K, b: src, ldb: P,
                           c: dx + first &* inPlane, ldc: P, beta: 0, workspace: ws, packedA: packedWT)
                return
            }
            gemmSerial(transA: true, transB: false, m: K, n: BP, k: cout, a: weight, lda: K, b: src, ldb: BP,
                       c: cols, ldc: BP, beta: 0, workspace: ws, packedA: packedWT)
            if !pointwise && usesNarrowIm2col(g) {
                col2imNarrow(cols, count: count, g, dx + first &* inPlane, rowStride: BP, scratch: cols + K &* BP)
                return
            }
            for j in 0..<count {
                let dxn = dx + (first &+ j) &* inPlane
                if pointwise {
                    for ci in 0..<g.channels { copySmall(dxn + ci &* P, cols + (ci &* BP &+ j &* P), P) }
                } else {
                    dxn.update(repeating: 0, count: inPlane)
                    col2im(cols + j &* P, g, dxn, rowStride: BP)
                }
            }
        }
    }

    /// Weight gradient on the GEMM path: `dW = Σ_groups G·colsᵀ`. The batch is cut into
    /// `Parallel.reductionParts` fixed, balanced parts (independent of the thread count); each part
    /// accumulates its groups into its own partial sum, and the parts are added in order, so the
    /// result is the same for any number of threads. Overwrites `dw`.
    public static func conv2dBackwardWeightGEMM(gOut: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                                dw: UnsafeMutablePointer<Float>, _ g: ConvGeometry, cout: Int) {
        let K = g.patchSize, P = g.outPlane, inPlane = g.channels &* g.height &* g.width
        let B = convGEMMImages(g), pointwise = isPointwise(g)
        let parts = Parallel.reductionParts(g.batch), W = cout &* K
        // Part 0 sums straight into dw; parts 1… into the calling thread's scratch.
        let partial = parts > 1 ? ThreadScratch.current.floats((parts &- 1) &* W, .call) : dw
        Parallel.forEach(parts) { part in
            let acc = part == 0 ? dw : partial + (part &- 1) &* W
            let lo = g.batch &* part / parts, hi = g.batch &* (part &+ 1) / parts
            if lo >= hi { acc.update(repeating: 0, count: W); return }
            let (ws, cols, tmp) = convGEMMBuffers(g, cout: cout, images: B)
            for first in stride(from: lo, to: hi, by: B) {
                let count = min(B, hi &- first), BP = count &* P
                let gsrc: UnsafePointer<Float>, xsrc: UnsafePointer<Float>
                if B == 1 { gsrc = gOut + first &* cout &* P } else {
                    gatherOutputGrad(gOut, first: first, count: count, cout: cout, P: P, into: tmp, rowStride: BP)
                    gsrc = UnsafePointer(tmp)
                }
                if B == 1 && pointwise { xsrc = x + first &* inPlane } else {
                    lowerImages(x, first: first, count: count, g, into: cols)
                    xsrc = UnsafePointer(cols)
                }
                gemmSerial(transA: false, transB: true, m: cout, n: K, k: BP, a: gsrc, lda: BP, b: xsrc, ldb: BP,
                           c: acc, ldc: K, beta: first == lo ? 0 : 1, workspace: ws)
            }
        }
        for part in 1..<parts { addInPlace(dw, partial + (part &- 1) &* W, W) }
    }
}
