import NN

/// The book's LeNet (§6.6), layer by layer as its `nn.Sequential`: two convolution blocks (5×5
/// kernels, sigmoid, 2×2 average pooling), then three dense layers.
/// (B, 1, 28, 28) → logits (B, 10); 61,706 parameters. Chapter05-LeNet trains it (its
/// `Scratch.swift` writes the same network from tensor primitives); `Benchmarks step lenet` times it.
public func lenet() -> Sequential {
    Sequential(
        Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), Sigmoid(),  // (B, 6, 28, 28)
        AvgPool2d(kernelSize: 2, stride: 2),                                         // (B, 6, 14, 14)
        Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), Sigmoid(),             // (B, 16, 10, 10)
        AvgPool2d(kernelSize: 2, stride: 2),                                         // (B, 16, 5, 5)
        Flatten(),                                                                   // (B, 400)
        Linear(inputSize: 16 * 5 * 5, outputSize: 120), Sigmoid(),                   // (B, 120)
        Linear(inputSize: 120, outputSize: 84), Sigmoid(),                           // (B, 84)
        Linear(inputSize: 84, outputSize: 10))                                       // (B, 10)
}
