/// Convolutions (book §6.2 "Convolutions for Images", §6.3 "Padding and Stride",
/// §6.4 "Multiple Input and Multiple Output Channels").
///
/// What the book and PyTorch call convolution is a cross-correlation: the kernel slides over
/// the input and each output is the sum of the elementwise product of kernel and window.
/// Gradients (for `y = conv(x, w) + b`, with upstream gradient `g = ∂L/∂y`):
///
///     ∂L/∂w[co, ci, ky, kx] = Σ_{n, oy, ox} g[n, co, oy, ox] · x[n, ci, oy·sh + ky − ph, ox·sw + kx − pw]
///     ∂L/∂x[n, ci, iy, ix]  = Σ over every (co, oy, ox, ky, kx) that read (iy, ix) of g · w
///     ∂L/∂b[co]             = Σ_{n, oy, ox} g[n, co, oy, ox]
extension Tensor {
    /// 2-D cross-correlation of two matrices with plain loops, as book §6.2 writes `corr2d`:
    /// `Y[i, j] = Σ_{a, b} X[i + a, j + b] · K[a, b]`, output `(h − kh + 1, w − kw + 1)`.
    /// No autograd: this is the version to read; `corr2d` is the differentiable one.
    public static func corr2dLoops(_ X: Tensor, _ K: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (h, w, kh, kw) = corr2dShapes(X, K, file: file, line: line)
        var Y = Tensor.zeros([h - kh + 1, w - kw + 1])
        let x = X.scalars, k = K.scalars
        Y.withUnsafeMutableBufferPointer { y in
            for i in 0..<(h - kh + 1) {
                for j in 0..<(w - kw + 1) {
                    var s: Float = 0
                    for a in 0..<kh {
                        for b in 0..<kw { s += x[(i + a) * w + j + b] * k[a * kw + b] }
                    }
                    y[i * (w - kw + 1) + j] = s
                }
            }
        }
        return Y
    }

    /// 2-D cross-correlation of two matrices (book §6.2 `corr2d`) with gradients for both,
    /// so a kernel can be learned from data (the edge-detection example). Computed as a
    /// one-image, one-channel `conv2d` on `(1, 1, h, w)` views.
    public static func corr2d(_ X: Tensor, _ K: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (h, w, kh, kw) = corr2dShapes(X, K, file: file, line: line)
        let y = conv2d(X.reshaped(to: [1, 1, h, w]), weight: K.reshaped(to: [1, 1, kh, kw]), bias: nil,
                       file: file, line: line)
        return y.reshaped(to: [h - kh + 1, w - kw + 1])
    }

    static func corr2dShapes(_ X: Tensor, _ K: Tensor, file: StaticString, line: UInt) -> (Int, Int, Int, Int) {
        shapeCheck(X.rank == 2 && K.rank == 2,
                   "corr2d: X \(describeShape(X.shape)) and K \(describeShape(K.shape)) must both be matrices",
                   file: file, line: line)
        shapeCheck(K.shape[0] <= X.shape[0] && K.shape[1] <= X.shape[1],
                   "corr2d: kernel \(describeShape(K.shape)) is larger than the input \(describeShape(X.shape))",
                   file: file, line: line)
        return (X.shape[0], X.shape[1], K.shape[0], K.shape[1])
    }

    /// 2-D convolution (cross-correlation) of a batch of images, PyTorch's `F.conv2d`:
    /// `x (N, Cin, H, W)`, `weight (Cout, Cin, kh, kw)`, `bias (Cout)` → `(N, Cout, Ho, Wo)` with
    /// `Ho = ⌊(H + 2·padding.0 − kh) / stride.0⌋ + 1` (and the same for the width).
    ///
    /// ```swift
    /// let x = Tensor.randn([256, 1, 28, 28]), w = Tensor.randn([6, 1, 5, 5])
    /// let y = Tensor.conv2d(x, weight: w, bias: nil, stride: (1, 1), padding: (2, 2))  // (256, 6, 28, 28)
    /// ```
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let g = conv2dGeometry(x.shape, weight.shape, bias?.shape, stride: stride, padding: padding, file: file, line: line)
        let cout = weight.shape[0]
        let outShape = [g.batch, cout, g.outH, g.outW]
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        if out.count > 0 {
            Kernels.conv2dForward(x: x.storage.pointer, weight: weight.storage.pointer,
                                  bias: bias.map { UnsafePointer($0.storage.pointer) }, out: out.pointer, g, cout: cout)
        }
        let result = Tensor(shape: outShape, storage: out)
        let xv = x.detached(), wv = weight.detached()
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let hasBias = bias != nil
        return record("conv2d", result, inputs: inputs) { grad, needs in
            let gOut = grad.storage.pointer
            var dx: Tensor? = nil, dw: Tensor? = nil, db: Tensor? = nil
            if needs[0] {
                let s = TensorStorage(uninitializedCount: xv.count)
                Kernels.conv2dBackwardInput(gOut: gOut, weight: wv.storage.pointer, dx: s.pointer, g, cout: cout)
                dx = Tensor(shape: xv.shape, storage: s)
            }
            let wantB = needs.count > 2 && needs[2]
            if needs[1] || wantB {
                let sw = needs[1] ? TensorStorage(uninitializedCount: wv.count) : nil
                let sb = wantB ? TensorStorage(uninitializedCount: cout) : nil
                Kernels.conv2dBackwardWeight(gOut: gOut, x: xv.storage.pointer, dw: sw?.pointer, db: sb?.pointer, g, cout: cout)
                dw = sw.map { Tensor(shape: wv.shape, storage: $0) }
                db = sb.map { Tensor(shape: [cout], storage: $0) }
            }
            return hasBias ? [dx, dw, db] : [dx, dw]
        }
    }

    /// `conv2d` with the same stride and padding along both axes.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: (stride, stride), padding: (padding, padding), file: file, line: line)
    }

    /// Checks the operands of `conv2d` and returns the scan geometry; the messages name the
    /// op and the shapes, e.g. `conv2d: input (2, 3, 8, 8) has 3 channels but weight (4, 1, 3, 3) expects 1`.
    public static func conv2dGeometry(_ x: [Int], _ w: [Int], _ b: [Int]?, stride: (Int, Int), padding: (Int, Int),
                                      file: StaticString = #fileID, line: UInt = #line) -> ConvGeometry {
        if let message = conv2dShapeError(x, w, b, stride: stride, padding: padding) {
            shapeCheck(false, message, file: file, line: line)
        }
        return ConvGeometry(batch: x[0], channels: x[1], height: x[2], width: x[3], kernelH: w[2], kernelW: w[3],
                            strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1)
    }

    /// The error message for invalid `conv2d` operands, or nil if they are valid.
    public static func conv2dShapeError(_ x: [Int], _ w: [Int], _ b: [Int]?, stride: (Int, Int), padding: (Int, Int)) -> String? {
        let xs = describeShape(x), ws = describeShape(w)
        if x.count != 4 { return "conv2d: input \(xs) must have 4 axes (N, C, H, W)" }
        if w.count != 4 { return "conv2d: weight \(ws) must have 4 axes (Cout, Cin, kh, kw)" }
        if x[1] != w[1] { return "conv2d: input \(xs) has \(x[1]) channels but weight \(ws) expects \(w[1])" }
        if let b, b != [w[0]] {
            return "conv2d: bias \(describeShape(b)) must have shape (\(w[0])) for weight \(ws)"
        }
        if stride.0 < 1 || stride.1 < 1 { return "conv2d: stride (\(stride.0), \(stride.1)) must be positive" }
        if padding.0 < 0 || padding.1 < 0 { return "conv2d: padding (\(padding.0), \(padding.1)) must not be negative" }
        if x[2] + 2 * padding.0 < w[2] || x[3] + 2 * padding.1 < w[3] {
            return "conv2d: kernel \(w[2])×\(w[3]) of weight \(ws) is larger than the padded input \(xs) "
                + "with padding (\(padding.0), \(padding.1))"
        }
        return nil
    }
}
