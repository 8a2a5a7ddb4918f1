import D2L
import Foundation
import NN
import Tensor

// Book §6.6 LeNet with the NN library's layers, trained with `trainCh6`.

/// The book's LeNet (§6.6), layer by layer as its `nn.Sequential`:
/// two convolution blocks (5×5 kernels, sigmoid, 2×2 average pooling), then three dense layers.
/// (B, 1, 28, 28) → logits (B, 10); 61,706 parameters.
func lenet() -> Sequential {
    Sequential(
        Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Flatten(),
        Linear(inputSize: 16 * 5 * 5, outputSize: 120), Sigmoid(),
        Linear(inputSize: 120, outputSize: 84), Sigmoid(),
        Linear(inputSize: 84, outputSize: 10))
}

/// Each layer's name and output shape for input `x` (the book's shape walk of §6.6:
/// `Conv2d output shape: torch.Size([1, 6, 28, 28])`, …).
func layerShapes(_ net: Sequential, input x: Tensor) -> [(name: String, shape: [Int])] {
    var h = x
    return withNoGrad {
        net.layers.map { layer in
            h = layer(h)
            return (String(describing: type(of: layer)), h.shape)
        }
    }
}

/// The shape walk as text, one line per layer.
func shapeTable(_ shapes: [(name: String, shape: [Int])]) -> String {
    shapes.map { name, shape in
        (name + " output shape:").padding(toLength: 26, withPad: " ", startingAt: 0) + describeShape(shape)
    }.joined(separator: "\n")
}
