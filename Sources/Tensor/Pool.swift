/// Pooling (book §6.5): max and average pooling over windows of each channel of NCHW
/// images, with PyTorch's semantics: output size `⌊(H + 2·p − k) / s⌋ + 1`, the stride
/// defaults to the window size, max pooling pads with −∞, average pooling pads with zeros
/// that count in the divisor (`count_include_pad=True`).
///
/// Gradients: max pooling sends each output's gradient to the first maximum of its window;
/// average pooling spreads `g / (kh·kw)` over the window.
///
/// ```swift
/// let x = Tensor.arange(16).reshaped(to: [1, 1, 4, 4])
/// x.maxPool2d(kernelSize: 3, stride: 1)                 // [[[[10, 11], [14, 15]]]]
/// x.avgPool2d(kernelSize: 2)                            // stride 2: (1, 1, 2, 2)
/// ```
extension Tensor {
    /// Max pooling; `stride` defaults to `kernelSize`.
    public func maxPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let g = poolGeometry("maxPool2d", kernelSize, stride ?? kernelSize, padding, file: file, line: line)
        let outShape = [g.batch, g.channels, g.outH, g.outW]
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        let argmax = IndexStorage(uninitializedCount: out.count)  // written in full by the kernel
        if out.count > 0 { Kernels.maxPool2dForward(storage.pointer, out.pointer, argmax.indices.baseAddress!, g) }
        let inShape = shape
        return Tensor.record("maxPool2d", Tensor(shape: outShape, storage: out), inputs: [self]) { grad, _ in
            let dx = TensorStorage(uninitializedCount: shapeCount(inShape))
            if !argmax.indices.isEmpty { Kernels.maxPool2dBackward(grad.storage.pointer, argmax.indices.baseAddress!, dx.pointer, g) }
            else { dx.pointer.update(repeating: 0, count: dx.count) }
            return [Tensor(shape: inShape, storage: dx)]
        }
    }

    /// Max pooling with square windows, strides and padding.
    public func maxPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0,
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        maxPool2d(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  file: file, line: line)
    }

    /// Average pooling (padding counts in the divisor); `stride` defaults to `kernelSize`.
    public func avgPool2d(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let g = poolGeometry("avgPool2d", kernelSize, stride ?? kernelSize, padding, file: file, line: line)
        let outShape = [g.batch, g.channels, g.outH, g.outW]
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        if out.count > 0 { Kernels.avgPool2dForward(storage.pointer, out.pointer, g) }
        let inShape = shape
        return Tensor.record("avgPool2d", Tensor(shape: outShape, storage: out), inputs: [self]) { grad, _ in
            let dx = TensorStorage(uninitializedCount: shapeCount(inShape))
            if grad.count > 0 { Kernels.avgPool2dBackward(grad.storage.pointer, dx.pointer, g) }
            else { dx.pointer.update(repeating: 0, count: dx.count) }
            return [Tensor(shape: inShape, storage: dx)]
        }
    }

    /// Average pooling with square windows, strides and padding.
    public func avgPool2d(kernelSize: Int, stride: Int? = nil, padding: Int = 0,
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        avgPool2d(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  file: file, line: line)
    }

    /// The mean of each channel: `(N, C, H, W)` → `(N, C, 1, 1)` (NiN, GoogLeNet, ResNet heads).
    public func globalAvgPool2d(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(rank == 4, "globalAvgPool2d: input \(describeShape(shape)) must have 4 axes (N, C, H, W)",
                   file: file, line: line)
        let planes = shape[0] * shape[1], plane = shape[2] * shape[3]
        shapeCheck(plane > 0, "globalAvgPool2d: input \(describeShape(shape)) has empty planes", file: file, line: line)
        let out = TensorStorage(uninitializedCount: planes)
        Kernels.globalAvgPoolForward(storage.pointer, out.pointer, planes: planes, plane: plane)
        let inShape = shape
        return Tensor.record("globalAvgPool2d", Tensor(shape: [shape[0], shape[1], 1, 1], storage: out),
                             inputs: [self]) { grad, _ in
            let dx = TensorStorage(uninitializedCount: shapeCount(inShape))
            Kernels.globalAvgPoolBackward(grad.storage.pointer, dx.pointer, planes: planes, plane: plane)
            return [Tensor(shape: inShape, storage: dx)]
        }
    }

    /// PyTorch's `AdaptiveAvgPool2d((1, 1))`: only the output size 1 that the book's models
    /// use is supported, which is `globalAvgPool2d()`.
    public func adaptiveAvgPool2d(_ outputSize: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(outputSize == 1,
                   "adaptiveAvgPool2d: output size \(outputSize) is not supported (only 1, the global average) "
                   + "for input \(describeShape(shape))", file: file, line: line)
        return globalAvgPool2d(file: file, line: line)
    }

    /// Checks a pooling call and returns its geometry (PyTorch's limits: positive window and
    /// stride, padding at most half the window).
    func poolGeometry(_ op: String, _ k: (Int, Int), _ s: (Int, Int), _ p: (Int, Int),
                      file: StaticString, line: UInt) -> ConvGeometry {
        let xs = describeShape(shape)
        shapeCheck(rank == 4, "\(op): input \(xs) must have 4 axes (N, C, H, W)", file: file, line: line)
        shapeCheck(k.0 > 0 && k.1 > 0 && s.0 > 0 && s.1 > 0,
                   "\(op): kernel size (\(k.0), \(k.1)) and stride (\(s.0), \(s.1)) must be positive", file: file, line: line)
        shapeCheck(p.0 >= 0 && p.1 >= 0 && 2 * p.0 <= k.0 && 2 * p.1 <= k.1,
                   "\(op): padding (\(p.0), \(p.1)) must be between 0 and half the kernel size (\(k.0), \(k.1))",
                   file: file, line: line)
        shapeCheck(shape[2] + 2 * p.0 >= k.0 && shape[3] + 2 * p.1 >= k.1,
                   "\(op): kernel (\(k.0), \(k.1)) is larger than the padded input \(xs) with padding (\(p.0), \(p.1))",
                   file: file, line: line)
        return ConvGeometry(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
                            kernelH: k.0, kernelW: k.1, strideH: s.0, strideW: s.1, padH: p.0, padW: p.1)
    }
}
