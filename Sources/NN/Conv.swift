import Tensor

// Convolution and pooling layers (book chapter 6) over the Tensor library's `conv2d`,
// `maxPool2d`, `avgPool2d` and `adaptiveAvgPool2d`. Images are NCHW.

/// A 2-D convolution layer (book §6.2–6.4, PyTorch's `nn.Conv2d`):
/// `(B, inChannels, H, W) → (B, outChannels, Ho, Wo)` with
/// `Ho = ⌊(H + 2·padding − kernelSize) / stride⌋ + 1`.
///
/// `weight` is `[outChannels, inChannels, kh, kw]`, `bias` `[outChannels]`; both start as
/// `U(−1/√fanIn, 1/√fanIn)`, `fanIn = inChannels·kh·kw` (PyTorch's default).
///
/// ```swift
/// let conv = Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2)   // LeNet §6.6
/// ```
public final class Conv2d: ModuleBase, Layer {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)
    public let weight: Parameter
    public let bias: Parameter?

    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), bias: Bool = true) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        weight = Parameter(Tensor.zeros([outChannels, inChannels, kernelSize.0, kernelSize.1]), name: "weight")
        self.bias = bias ? Parameter(Tensor.zeros([outChannels]), name: "bias") : nil
        Init.defaultLayer(weight: weight, bias: self.bias)
    }

    /// Square kernel, equal stride and padding on both axes.
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1,
                            padding: Int = 0, bias: Bool = true) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize),
                  stride: (stride, stride), padding: (padding, padding), bias: bias)
    }

    public var ownParameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var extraDescription: String {
        "inChannels: \(inChannels), outChannels: \(outChannels), kernelSize: \(pair(kernelSize)), "
            + "stride: \(pair(stride)), padding: \(pair(padding)), bias: \(bias != nil)"
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(x, file: #fileID, line: #line)
    }

    /// The convolution; shape errors name the caller's line.
    public func callAsFunction(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        Tensor.conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, file: file, line: line)
    }
}

/// A 2-D pooling layer: its window (kernel size, stride defaulting to the kernel size as in
/// PyTorch, padding) and the pooling op. `MaxPool2d` and `AvgPool2d` only choose the op.
public class Pool2dLayer: ModuleBase, Layer {
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: (Int, Int)

    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    public var extraDescription: String { "kernelSize: \(pair(kernelSize)), stride: \(pair(stride)), padding: \(pair(padding))" }

    /// The pooling op over `(B, C, H, W)`; each subclass supplies one.
    func pool(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        fatalError("Pool2dLayer.pool: use MaxPool2d or AvgPool2d", file: file, line: line)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { pool(x, file: #fileID, line: #line) }

    /// The pooling; shape errors name the caller's line.
    public func callAsFunction(_ x: Tensor, file: StaticString, line: UInt) -> Tensor { pool(x, file: file, line: line) }
}

/// Max pooling (book §6.5, `nn.MaxPool2d`); `stride` defaults to `kernelSize`.
public final class MaxPool2d: Pool2dLayer {
    override func pool(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        x.maxPool2d(kernelSize: kernelSize, stride: stride, padding: padding, file: file, line: line)
    }
}

/// Average pooling (book §6.5, `nn.AvgPool2d`; padded zeros count in the divisor).
public final class AvgPool2d: Pool2dLayer {
    override func pool(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        x.avgPool2d(kernelSize: kernelSize, stride: stride, padding: padding, file: file, line: line)
    }
}

/// `nn.AdaptiveAvgPool2d(1)`: the average over each channel's whole map, `(B, C, H, W) → (B, C, 1, 1)`
/// (NiN §7.3, GoogLeNet, ResNet). Only output size 1 is supported.
public final class AdaptiveAvgPool2d: ModuleBase, Layer {
    public let outputSize: Int
    public init(_ outputSize: Int) { self.outputSize = outputSize }
    public var extraDescription: String { "outputSize: \(outputSize)" }
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, file: #fileID, line: #line) }
    /// The pooling; shape errors name the caller's line.
    public func callAsFunction(_ x: Tensor, file: StaticString, line: UInt) -> Tensor {
        x.adaptiveAvgPool2d(outputSize, file: file, line: line)
    }
}

private func pair(_ p: (Int, Int)) -> String { p.0 == p.1 ? "\(p.0)" : "(\(p.0), \(p.1))" }
