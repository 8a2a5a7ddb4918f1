import D2L
import Foundation
import NN
import Tensor

// Book §6.6 LeNet with the NN library's layers, trained with `trainCh6`.

// The book's LeNet (§6.6) as its `nn.Sequential` is `lenet()` in D2L (`Sources/D2L/Models/LeNet.swift`),
// shared with `Benchmarks step lenet`: conv 5×5 (pad 2) → sigmoid → avg pool 2 → conv 5×5 → sigmoid →
// avg pool 2 → flatten → 120 → 84 → 10, sigmoid between the dense layers.

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
