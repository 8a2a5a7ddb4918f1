import Foundation
import NN
import Tensor

// The networks of the book's chapter 7 (§7.1–7.7) for 1-channel Fashion-MNIST images and 10
// classes, as `Sequential`s that read like the book's `nn.Sequential`. Blocks are in
// ModernCNNBlocks.swift. The book's input sizes: 224 for AlexNet/VGG/NiN, 96 for
// GoogLeNet/ResNet/DenseNet, 28 for LeNet with batch norm.

/// Book §7.1 AlexNet: five convolutions (11×11 stride 4, 5×5, three 3×3), three 3×3/stride-2
/// max pools, two 4096-wide dense layers with dropout 0.5. For 224×224 inputs the last pool
/// gives 256×5×5 = 6400 features; a smaller `inputSize` (≥ 63) only changes that number
/// (96×96: 256×1×1).
public func alexnet(inputSize: Int = 224) -> Sequential {
    let conv1 = (inputSize + 2 - 11) / 4 + 1
    let pooled = [0, 1, 2].reduce(conv1) { side, _ in (side - 3) / 2 + 1 }   // three 3×3/2 max pools
    let flatFeatures = 256 * pooled * pooled
    return Sequential(
        Conv2d(inChannels: 1, outChannels: 96, kernelSize: 11, stride: 4, padding: 1), ReLU(),
        MaxPool2d(kernelSize: 3, stride: 2),
        Conv2d(inChannels: 96, outChannels: 256, kernelSize: 5, padding: 2), ReLU(),
        MaxPool2d(kernelSize: 3, stride: 2),
        Conv2d(inChannels: 256, outChannels: 384, kernelSize: 3, padding: 1), ReLU(),
        Conv2d(inChannels: 384, outChannels: 384, kernelSize: 3, padding: 1), ReLU(),
        Conv2d(inChannels: 384, outChannels: 256, kernelSize: 3, padding: 1), ReLU(),
        MaxPool2d(kernelSize: 3, stride: 2),
        Flatten(),
        Linear(inputSize: flatFeatures, outputSize: 4096), ReLU(), Dropout(0.5),
        Linear(inputSize: 4096, outputSize: 4096), ReLU(), Dropout(0.5),
        Linear(inputSize: 4096, outputSize: 10))
}

/// VGG-11's convolutional architecture (book §7.2 `conv_arch`): (number of convolutions,
/// output channels) per block.
public let vgg11ConvArch = [(1, 64), (1, 128), (2, 256), (2, 512), (2, 512)]

/// Book §7.2 `vgg(conv_arch)`: the VGG blocks (each halves the size), then three dense layers
/// as AlexNet's. 224×224 inputs end at 7×7 (`inputSize / 32`).
public func vgg(convArch: [(numConvs: Int, channels: Int)], inputSize: Int = 224) -> Sequential {
    let side = inputSize >> convArch.count     // each block halves the size
    let net = Sequential()
    var inChannels = 1
    for (numConvs, outChannels) in convArch {
        net.append(vggBlock(numConvs: numConvs, inChannels: inChannels, outChannels: outChannels))
        inChannels = outChannels
    }
    for layer: Layer in [Flatten(),
                         Linear(inputSize: inChannels * side * side, outputSize: 4096), ReLU(), Dropout(0.5),
                         Linear(inputSize: 4096, outputSize: 4096), ReLU(), Dropout(0.5),
                         Linear(inputSize: 4096, outputSize: 10)] {
        net.append(layer)
    }
    return net
}

/// The VGG-11 the book trains (§7.2): every block's channels divided by 4 (16, 32, 64, 128, 128).
public func vgg11Small(inputSize: Int = 224) -> Sequential {
    vgg(convArch: vgg11ConvArch.map { ($0.0, $0.1 / 4) }, inputSize: inputSize)
}

/// Book §7.3 NiN: NiN blocks with 11×11/4, 5×5 and 3×3 convolutions and 3×3/stride-2 max
/// pools, dropout 0.5, a last NiN block with 10 output channels (one per class) and global
/// average pooling instead of dense layers.
public func nin() -> Sequential {
    Sequential(
        ninBlock(inChannels: 1, outChannels: 96, kernelSize: 11, stride: 4, padding: 0),
        MaxPool2d(kernelSize: 3, stride: 2),
        ninBlock(inChannels: 96, outChannels: 256, kernelSize: 5, stride: 1, padding: 2),
        MaxPool2d(kernelSize: 3, stride: 2),
        ninBlock(inChannels: 256, outChannels: 384, kernelSize: 3, stride: 1, padding: 1),
        MaxPool2d(kernelSize: 3, stride: 2),
        Dropout(0.5),
        ninBlock(inChannels: 384, outChannels: 10, kernelSize: 3, stride: 1, padding: 1),
        AdaptiveAvgPool2d(1),
        Flatten())
}

/// Book §7.4 GoogLeNet: the stem b1 (7×7/2 convolution, 3×3/2 max pool), b2 (1×1 then 3×3
/// convolution, max pool), nine Inception blocks in b3–b5 with max pools between, global
/// average pooling and one dense layer 1024 → 10.
public func googlenet() -> Sequential {
    let b1 = Sequential(Conv2d(inChannels: 1, outChannels: 64, kernelSize: 7, stride: 2, padding: 3), ReLU(),
                        MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
    let b2 = Sequential(Conv2d(inChannels: 64, outChannels: 64, kernelSize: 1), ReLU(),
                        Conv2d(inChannels: 64, outChannels: 192, kernelSize: 3, padding: 1), ReLU(),
                        MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
    let b3 = Sequential(Inception(inChannels: 192, c1: 64, c2: (96, 128), c3: (16, 32), c4: 32),
                        Inception(inChannels: 256, c1: 128, c2: (128, 192), c3: (32, 96), c4: 64),
                        MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
    let b4 = Sequential(Inception(inChannels: 480, c1: 192, c2: (96, 208), c3: (16, 48), c4: 64),
                        Inception(inChannels: 512, c1: 160, c2: (112, 224), c3: (24, 64), c4: 64),
                        Inception(inChannels: 512, c1: 128, c2: (128, 256), c3: (24, 64), c4: 64),
                        Inception(inChannels: 512, c1: 112, c2: (144, 288), c3: (32, 64), c4: 64),
                        Inception(inChannels: 528, c1: 256, c2: (160, 320), c3: (32, 128), c4: 128),
                        MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
    let b5 = Sequential(Inception(inChannels: 832, c1: 256, c2: (160, 320), c3: (32, 128), c4: 128),
                        Inception(inChannels: 832, c1: 384, c2: (192, 384), c3: (48, 128), c4: 128),
                        AdaptiveAvgPool2d(1), Flatten())
    return Sequential(b1, b2, b3, b4, b5, Linear(inputSize: 1024, outputSize: 10))
}

/// Book §7.5 LeNet with batch normalization after every convolution and dense layer (before
/// the sigmoid), without LeNet's padding: 28×28 → 6×24×24 → 6×12×12 → 16×8×8 → 16×4×4 = 256
/// features → 120 → 84 → 10. The concise version, with `NN.BatchNorm2d`/`BatchNorm1d`.
public func lenetBN() -> Sequential {
    Sequential(
        Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5), BatchNorm2d(numFeatures: 6), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), BatchNorm2d(numFeatures: 16), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Flatten(),
        Linear(inputSize: 256, outputSize: 120), BatchNorm1d(numFeatures: 120), Sigmoid(),
        Linear(inputSize: 120, outputSize: 84), BatchNorm1d(numFeatures: 84), Sigmoid(),
        Linear(inputSize: 84, outputSize: 10))
}

/// The stem shared by ResNet and DenseNet (book §7.6 `b1`): 7×7/2 convolution to 64 channels,
/// batch norm, ReLU, 3×3/2 max pool (padding 1): 96×96 → 24×24.
public func resnetStem() -> Sequential {
    Sequential(Conv2d(inChannels: 1, outChannels: 64, kernelSize: 7, stride: 2, padding: 3),
               BatchNorm2d(numFeatures: 64), ReLU(),
               MaxPool2d(kernelSize: 3, stride: 2, padding: 1))
}

/// Book §7.6 ResNet-18: the stem, four stages of two residual blocks (64, 128, 256, 512
/// channels; each stage after the first halves the size), global average pooling, dense 512 → 10.
public func resnet18() -> Sequential {
    let b2 = Sequential(resnetBlock(inputChannels: 64, numChannels: 64, numResiduals: 2, firstBlock: true))
    let b3 = Sequential(resnetBlock(inputChannels: 64, numChannels: 128, numResiduals: 2))
    let b4 = Sequential(resnetBlock(inputChannels: 128, numChannels: 256, numResiduals: 2))
    let b5 = Sequential(resnetBlock(inputChannels: 256, numChannels: 512, numResiduals: 2))
    return Sequential(resnetStem(), b2, b3, b4, b5, AdaptiveAvgPool2d(1), Flatten(),
                      Linear(inputSize: 512, outputSize: 10))
}

/// Book §7.7 DenseNet: the ResNet stem (64 channels), four dense blocks of four conv blocks
/// with growth rate 32, a transition block halving the channels between dense blocks
/// (64 → 192 → 96 → 224 → 112 → 240 → 120 → 248), then batch norm, ReLU, global average
/// pooling and dense 248 → 10.
public func densenet() -> Sequential {
    var numChannels = 64
    let growthRate = 32
    let numConvsInDenseBlocks = [4, 4, 4, 4]
    var blocks: [Layer] = []
    for (i, numConvs) in numConvsInDenseBlocks.enumerated() {
        blocks.append(DenseBlock(numConvs: numConvs, inputChannels: numChannels, numChannels: growthRate))
        numChannels += numConvs * growthRate   // the dense block's output channels
        if i != numConvsInDenseBlocks.count - 1 {   // a transition block halves the channels
            blocks.append(transitionBlock(inputChannels: numChannels, numChannels: numChannels / 2))
            numChannels /= 2
        }
    }
    return Sequential([resnetStem()] + blocks + [BatchNorm2d(numFeatures: numChannels), ReLU(),
                                                 AdaptiveAvgPool2d(1), Flatten(),
                                                 Linear(inputSize: numChannels, outputSize: 10)])
}

/// Each layer's class name and output shape for input `x` (the book's shape walks:
/// `for layer in net: X = layer(X); print(layer.__class__.__name__, 'output shape:\t', X.shape)`).
/// Runs without recording a graph.
public func shapeWalk(_ net: Sequential, input x: Tensor) -> [(name: String, shape: [Int])] {
    var h = x
    return withNoGrad {
        net.layers.map { layer in
            h = layer(h)
            return (String(describing: type(of: layer)), h.shape)
        }
    }
}

/// A shape walk as text, one `Conv2d output shape:  (1, 96, 54, 54)` line per layer.
public func shapeWalkText(_ shapes: [(name: String, shape: [Int])]) -> String {
    let width = max(26, (shapes.map { $0.name.count }.max() ?? 0) + 16)
    return shapes.map { name, shape in
        (name + " output shape:").padding(toLength: width, withPad: " ", startingAt: 0) + describeShape(shape)
    }.joined(separator: "\n")
}
