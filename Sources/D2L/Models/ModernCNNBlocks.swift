import NN
import Tensor

// The building blocks of the book's chapter 7 (modern convolutional networks, §7.2–7.7), as
// NN modules named after the book's: `vgg_block`, `nin_block`, `Inception`, `Residual`,
// `conv_block`, `DenseBlock`, `transition_block`. The whole networks are in ModernCNN.swift.
// They live in the library (not in the chapter) so `Benchmarks` can build the same models.

/// Book §7.2 `vgg_block(num_convs, in_channels, out_channels)`: `numConvs` times
/// [3×3 convolution, padding 1, ReLU], then 2×2 max pooling, which halves height and width.
/// `(B, inChannels, H, W) → (B, outChannels, H/2, W/2)`.
public func vggBlock(numConvs: Int, inChannels: Int, outChannels: Int) -> Sequential {
    let block = Sequential()
    var channels = inChannels
    for _ in 0..<numConvs {
        block.append(Conv2d(inChannels: channels, outChannels: outChannels, kernelSize: 3, padding: 1))
        block.append(ReLU())
        channels = outChannels
    }
    block.append(MaxPool2d(kernelSize: 2, stride: 2))
    return block
}

/// Book §7.3 `nin_block(in_channels, out_channels, kernel_size, strides, padding)`: one
/// ordinary convolution, then two 1×1 convolutions (a per-pixel MLP over channels), each
/// followed by ReLU.
public func ninBlock(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int) -> Sequential {
    Sequential(
        Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
               padding: padding), ReLU(),
        Conv2d(inChannels: outChannels, outChannels: outChannels, kernelSize: 1), ReLU(),
        Conv2d(inChannels: outChannels, outChannels: outChannels, kernelSize: 1), ReLU())
}

/// Book §7.4 `Inception(in_channels, c1, c2, c3, c4)`: four parallel paths whose outputs are
/// concatenated along the channels, keeping height and width:
/// 1. 1×1 convolution to `c1` channels;
/// 2. 1×1 convolution to `c2.0`, then 3×3 (padding 1) to `c2.1`;
/// 3. 1×1 convolution to `c3.0`, then 5×5 (padding 2) to `c3.1`;
/// 4. 3×3 max pooling (stride 1, padding 1), then 1×1 convolution to `c4`.
/// Every convolution is followed by ReLU. Output channels: `c1 + c2.1 + c3.1 + c4`.
public final class Inception: ModuleBase, Layer {
    let p1_1: Conv2d
    let p2_1: Conv2d, p2_2: Conv2d
    let p3_1: Conv2d, p3_2: Conv2d
    let p4_1: MaxPool2d, p4_2: Conv2d

    public init(inChannels: Int, c1: Int, c2: (Int, Int), c3: (Int, Int), c4: Int) {
        p1_1 = Conv2d(inChannels: inChannels, outChannels: c1, kernelSize: 1)
        p2_1 = Conv2d(inChannels: inChannels, outChannels: c2.0, kernelSize: 1)
        p2_2 = Conv2d(inChannels: c2.0, outChannels: c2.1, kernelSize: 3, padding: 1)
        p3_1 = Conv2d(inChannels: inChannels, outChannels: c3.0, kernelSize: 1)
        p3_2 = Conv2d(inChannels: c3.0, outChannels: c3.1, kernelSize: 5, padding: 2)
        p4_1 = MaxPool2d(kernelSize: 3, stride: 1, padding: 1)
        p4_2 = Conv2d(inChannels: inChannels, outChannels: c4, kernelSize: 1)
    }

    public var children: [(name: String, module: Module)] {
        [("p1_1", p1_1), ("p2_1", p2_1), ("p2_2", p2_2), ("p3_1", p3_1), ("p3_2", p3_2), ("p4_1", p4_1), ("p4_2", p4_2)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let p1 = p1_1(x).relu()
        let p2 = p2_2(p2_1(x).relu()).relu()
        let p3 = p3_2(p3_1(x).relu()).relu()
        let p4 = p4_2(p4_1(x)).relu()
        return Tensor.concatenate([p1, p2, p3, p4], axis: 1)   // torch.cat(…, dim=1)
    }
}

/// Book §7.6 `Residual(input_channels, num_channels, use_1x1conv=False, strides=1)`:
/// `Y = BN(conv₂(ReLU(BN(conv₁(X)))))`, `out = ReLU(Y + X')`, with 3×3 convolutions (padding 1,
/// the first with `strides`) and `X' = X`, or a 1×1 convolution with `strides` when
/// `use1x1conv` (needed when the channels or the size change).
/// `Residual(3, 3)`: (4, 3, 6, 6) → (4, 3, 6, 6); `Residual(3, 6, use1x1conv, strides: 2)`: → (4, 6, 3, 3).
public final class Residual: ModuleBase, Layer {
    public let conv1: Conv2d, conv2: Conv2d
    public let conv3: Conv2d?
    public let bn1: BatchNorm2d, bn2: BatchNorm2d

    public init(inputChannels: Int, numChannels: Int, use1x1conv: Bool = false, strides: Int = 1) {
        conv1 = Conv2d(inChannels: inputChannels, outChannels: numChannels, kernelSize: 3, stride: strides, padding: 1)
        conv2 = Conv2d(inChannels: numChannels, outChannels: numChannels, kernelSize: 3, padding: 1)
        conv3 = use1x1conv
            ? Conv2d(inChannels: inputChannels, outChannels: numChannels, kernelSize: 1, stride: strides) : nil
        bn1 = BatchNorm2d(numFeatures: numChannels)
        bn2 = BatchNorm2d(numFeatures: numChannels)
    }

    /// PyTorch's order of attributes: conv1, conv2, conv3, bn1, bn2.
    public var children: [(name: String, module: Module)] {
        [("conv1", conv1 as Module), ("conv2", conv2)] + (conv3.map { [("conv3", $0 as Module)] } ?? [])
            + [("bn1", bn1), ("bn2", bn2)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = bn1(conv1(x)).relu()
        y = bn2(conv2(y))
        let shortcut = conv3.map { $0(x) } ?? x
        return (y + shortcut).relu()
    }
}

/// Book §7.6 `resnet_block(input_channels, num_channels, num_residuals, first_block=False)`:
/// `numResiduals` residual blocks; the first halves height and width and changes the channels
/// (1×1 convolution on the shortcut) unless `firstBlock`.
public func resnetBlock(inputChannels: Int, numChannels: Int, numResiduals: Int, firstBlock: Bool = false) -> [Layer] {
    (0..<numResiduals).map { i in
        i == 0 && !firstBlock
            ? Residual(inputChannels: inputChannels, numChannels: numChannels, use1x1conv: true, strides: 2)
            : Residual(inputChannels: numChannels, numChannels: numChannels)
    }
}

/// Book §7.7 `conv_block(input_channels, num_channels)`: batch norm, ReLU, 3×3 convolution
/// (padding 1) — the "pre-activation" order of DenseNet.
public func convBlock(inputChannels: Int, numChannels: Int) -> Sequential {
    Sequential(BatchNorm2d(numFeatures: inputChannels), ReLU(),
               Conv2d(inChannels: inputChannels, outChannels: numChannels, kernelSize: 3, padding: 1))
}

/// Book §7.7 `DenseBlock(num_convs, input_channels, num_channels)`: `numConvs` conv blocks,
/// each seeing the concatenation of the input and every earlier block's output along the
/// channels; output channels `inputChannels + numConvs·numChannels` (the growth rate is
/// `numChannels`). `DenseBlock(2, 3, 10)`: (4, 3, 8, 8) → (4, 23, 8, 8).
public final class DenseBlock: ModuleBase, Layer {
    public let net: Sequential

    public init(numConvs: Int, inputChannels: Int, numChannels: Int) {
        net = Sequential((0..<numConvs).map { i in
            convBlock(inputChannels: numChannels * i + inputChannels, numChannels: numChannels) as Layer
        })
    }

    public var children: [(name: String, module: Module)] { [("net", net)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var x = x
        for block in net.layers {
            let y = block(x)
            x = Tensor.concatenate([x, y], axis: 1)   // torch.cat((X, Y), dim=1)
        }
        return x
    }
}

/// Book §7.7 `transition_block(input_channels, num_channels)`: batch norm, ReLU, a 1×1
/// convolution to `numChannels`, 2×2 average pooling (stride 2): fewer channels, half the size.
/// `transition_block(23, 10)`: (4, 23, 8, 8) → (4, 10, 4, 4).
public func transitionBlock(inputChannels: Int, numChannels: Int) -> Sequential {
    Sequential(BatchNorm2d(numFeatures: inputChannels), ReLU(),
               Conv2d(inChannels: inputChannels, outChannels: numChannels, kernelSize: 1),
               AvgPool2d(kernelSize: 2, stride: 2))
}
