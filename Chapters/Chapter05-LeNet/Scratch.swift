import D2L
import Foundation
import NN
import Tensor

// Book §6.2–6.5 from scratch: cross-correlation, edge detection, learning a kernel, padding
// and stride, multiple channels, 1×1 convolutions, pooling — then LeNet (§6.6) written with
// tensor operations only. Each demo is a function returning its values (tests check them);
// `runScratchDemos` prints them.

// MARK: §6.2 Convolutions for images

/// The book's `corr2d` (§6.2.1), the two-dimensional cross-correlation, with its loops:
///
///     Y[i, j] = Σ_{a < kh, b < kw} X[i + a, j + b] · K[a, b]
///
/// X: (h, w), K: (kh, kw) → Y: (h − kh + 1, w − kw + 1). Each output is the window of X under
/// the kernel, multiplied elementwise by the kernel and summed. No gradients: this is the version
/// to read; `Tensor.corr2d` computes the same differentiably and `Tensor.conv2d` batched and fast.
func corr2d(_ X: Tensor, _ K: Tensor) -> Tensor {
    let (h, w) = (K.shape[0], K.shape[1])                           // kernel height and width
    shapeCheck(X.rank == 2 && K.rank == 2 && X.shape[0] >= h && X.shape[1] >= w,
               "corr2d: X \(describeShape(X.shape)) must be a matrix at least as large as K \(describeShape(K.shape))",
               file: #fileID, line: #line)
    let (rows, cols) = (X.shape[0] - h + 1, X.shape[1] - w + 1)     // Y's shape
    let x = X.scalars, k = K.scalars                                 // row-major copies
    var Y = [Float](repeating: 0, count: rows * cols)
    for i in 0..<rows {
        for j in 0..<cols {
            var sum: Float = 0                                       // (X[i:i+h, j:j+w] * K).sum()
            for a in 0..<h {
                for b in 0..<w { sum += x[(i + a) * X.shape[1] + (j + b)] * k[a * w + b] }
            }
            Y[i * cols + j] = sum
        }
    }
    return Tensor(shape: [rows, cols], scalars: Y)
}

/// The book's 6×8 image for edge detection (§6.2.3): ones with a black band in columns 2…5.
func edgeImage() -> Tensor {
    Tensor(shape: [6, 8], scalars: (0..<48).map { (2..<6).contains($0 % 8) ? 0 : 1 })
}

/// The hand-made edge kernel `[1, −1]`: +1 at a white→black edge, −1 at black→white, 0 inside.
let edgeKernel = Tensor([[1, -1]])

/// Learning the edge kernel from `X` and `Y = corr2d(X, [1, −1])` (book §6.2.4): a 1×2
/// `Conv2d` without bias, squared error summed, plain gradient steps `K ← K − η ∂ℓ/∂K`.
/// Returns the learned kernel and the loss of every step (`losses[i]` is the loss at the
/// start of step `i + 1`, as the book prints it).
func learnKernel(epochs: Int = 10, lr: Float = 3e-2) -> (kernel: Tensor, losses: [Float]) {
    let X = edgeImage().reshaped(to: [1, 1, 6, 8])
    let Y = corr2d(edgeImage(), edgeKernel).reshaped(to: [1, 1, 6, 7])
    let conv = Conv2d(inChannels: 1, outChannels: 1, kernelSize: (1, 2), bias: false)
    var losses: [Float] = []
    for _ in 0..<epochs {
        let d = conv(X) - Y
        let l = (d * d).sum()
        conv.zeroGrad()
        l.backward()
        withNoGrad { conv.weight.value -= lr * conv.weight.grad! }
        losses.append(l.item())
    }
    return (conv.weight.value.detached().reshaped(to: [1, 2]), losses)
}

// MARK: §6.3 Padding and stride

/// Output shape of a 1-in, 1-out `Conv2d` on an 8×8 input (book `comp_conv2d`, §6.3): each
/// side is `⌊(n + 2p − k) / s⌋ + 1`.
func compConv2d(kernelSize: (Int, Int), padding: (Int, Int) = (0, 0), stride: (Int, Int) = (1, 1)) -> [Int] {
    let conv = Conv2d(inChannels: 1, outChannels: 1, kernelSize: kernelSize, stride: stride, padding: padding)
    let X = Tensor.rand([8, 8]).reshaped(to: [1, 1, 8, 8])
    return Array(withNoGrad { conv(X) }.shape.dropFirst(2))
}

// MARK: §6.4 Multiple input and output channels

/// Channel `c` of a `(C, h, w)` tensor as an `(h, w)` matrix.
func channel(_ X: Tensor, _ c: Int) -> Tensor {
    X.slice(axis: 0, c..<(c + 1)).reshaped(to: Array(X.shape.dropFirst()))
}

/// `corr2d_multi_in` (§6.4.1): cross-correlate each input channel with its kernel slice and
/// add the results. `X (Cin, h, w)`, `K (Cin, kh, kw)` → `(h − kh + 1, w − kw + 1)`.
func corr2dMultiIn(_ X: Tensor, _ K: Tensor) -> Tensor {
    (1..<X.shape[0]).reduce(Tensor.corr2d(channel(X, 0), channel(K, 0))) { sum, c in
        sum + Tensor.corr2d(channel(X, c), channel(K, c))
    }
}

/// `corr2d_multi_in_out` (§6.4.2): one `corr2dMultiIn` per output channel, stacked.
/// `X (Cin, h, w)`, `K (Cout, Cin, kh, kw)` → `(Cout, h', w')`.
func corr2dMultiInOut(_ X: Tensor, _ K: Tensor) -> Tensor {
    Tensor.stack((0..<K.shape[0]).map { corr2dMultiIn(X, channel(K, $0)) }, axis: 0)
}

/// `corr2d_multi_in_out_1x1` (§6.4.3): a 1×1 convolution is a fully connected layer applied
/// at every pixel, `Y = K · X` with `X` as `(Cin, h·w)` and `K` as `(Cout, Cin)`.
func corr2dMultiInOut1x1(_ X: Tensor, _ K: Tensor) -> Tensor {
    let (cin, h, w) = (X.shape[0], X.shape[1], X.shape[2])
    let cout = K.shape[0]
    let Y = K.reshaped(to: [cout, cin]).matmul(X.reshaped(to: [cin, h * w]))
    return Y.reshaped(to: [cout, h, w])
}

/// The book's two-channel input and kernel of §6.4.1.
func multiChannelExample() -> (X: Tensor, K: Tensor) {
    let X = Tensor([[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    let K = Tensor([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    return (X, K)
}

// MARK: §6.5 Pooling

/// The book's pooling modes (`mode='max'` or `'avg'`).
enum PoolMode: String, CaseIterable { case max, avg }

/// The book's `pool2d` (§6.5.1) with loops, for reading: each output is the max or the mean
/// of a `ph × pw` window, stride 1, no padding. `Tensor.maxPool2d` / `avgPool2d` are the
/// batched, differentiable versions with stride and padding.
func pool2d(_ X: Tensor, poolSize: (Int, Int), mode: PoolMode = .max) -> Tensor {
    let (ph, pw) = poolSize
    let (h, w) = (X.shape[0], X.shape[1])
    let x = X.scalars
    var y = [Float](repeating: 0, count: (h - ph + 1) * (w - pw + 1))
    for i in 0..<(h - ph + 1) {
        for j in 0..<(w - pw + 1) {
            var window: [Float] = []
            for a in 0..<ph { for b in 0..<pw { window.append(x[(i + a) * w + j + b]) } }
            y[i * (w - pw + 1) + j] = mode == .max ? window.max()! : window.reduce(0, +) / Float(window.count)
        }
    }
    return Tensor(shape: [h - ph + 1, w - pw + 1], scalars: y)
}

// MARK: §6.6 LeNet from scratch

/// LeNet written with tensor operations (book §6.6, the scratch view of `lenet()`): named
/// parameters and a literal forward pass. Weights are stored as PyTorch stores them
/// (`[Cout, Cin, k, k]`, `[out, in]`), so `parameters()` lines up with `lenet()`'s and the
/// golden file's. A `Layer`, so `trainCh6` trains it like the concise model.
final class LeNetScratch: Layer {
    let conv1W = Parameter(Tensor.zeros([6, 1, 5, 5])), conv1B = Parameter(Tensor.zeros([6]))
    let conv2W = Parameter(Tensor.zeros([16, 6, 5, 5])), conv2B = Parameter(Tensor.zeros([16]))
    let fc1W = Parameter(Tensor.zeros([120, 400])), fc1B = Parameter(Tensor.zeros([120]))
    let fc2W = Parameter(Tensor.zeros([84, 120])), fc2B = Parameter(Tensor.zeros([84]))
    let fc3W = Parameter(Tensor.zeros([10, 84])), fc3B = Parameter(Tensor.zeros([10]))
    var isTraining = true

    /// Weights drawn with Xavier uniform (what `train_ch6` does), biases zero.
    init() {
        for w in [conv1W, conv2W, fc1W, fc2W, fc3W] { Init.xavierUniform(w) }
    }

    var ownParameters: [(name: String, parameter: Parameter)] {
        [("conv1.weight", conv1W), ("conv1.bias", conv1B), ("conv2.weight", conv2W), ("conv2.bias", conv2B),
         ("fc1.weight", fc1W), ("fc1.bias", fc1B), ("fc2.weight", fc2W), ("fc2.bias", fc2B),
         ("fc3.weight", fc3W), ("fc3.bias", fc3B)]
    }

    /// Logits for a batch of B images.
    func callAsFunction(_ X: Tensor) -> Tensor {                                   // X (B, 1, 28, 28)
        var h = Tensor.conv2d(X, weight: conv1W.value, bias: conv1B.value, padding: 2)  // (B, 6, 28, 28)
        h = h.sigmoid()                                                           // (B, 6, 28, 28)
        h = h.avgPool2d(kernelSize: 2, stride: 2)                                 // (B, 6, 14, 14)
        h = Tensor.conv2d(h, weight: conv2W.value, bias: conv2B.value)            // (B, 16, 10, 10)
        h = h.sigmoid()                                                           // (B, 16, 10, 10)
        h = h.avgPool2d(kernelSize: 2, stride: 2)                                 // (B, 16, 5, 5)
        h = h.flattened(startAxis: 1)                                             // (B, 400)
        h = (Tensor.matmul(h, fc1W.value, transB: true) + fc1B.value).sigmoid()   // (B, 120)
        h = (Tensor.matmul(h, fc2W.value, transB: true) + fc2B.value).sigmoid()   // (B, 84)
        return Tensor.matmul(h, fc3W.value, transB: true) + fc3B.value            // (B, 10)
    }
}

// MARK: Printing the demos

/// Runs §6.2–6.5 and prints what the book's cells show.
func runScratchDemos(_ say: (String) -> Void = { print($0) }) {
    say("6.2 Convolutions for images")
    let X = Tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), K = Tensor([[0, 1], [2, 3]])
    say("corr2d(X, K) =\n\(corr2d(X, K))")

    let image = edgeImage()
    say("\nedge detection: X (6×8, black band in columns 2…5) =\n\(image)")
    say("Y = corr2d(X, [1, -1]) =\n\(corr2d(image, edgeKernel))")
    say("corr2d(X.transposed(), K) (the kernel only sees vertical edges) =\n\(corr2d(image.transposed(), edgeKernel))")

    say("\nlearning the kernel from X and Y (Conv2d 1×2, no bias, lr 3e-2):")
    let (learned, losses) = learnKernel()
    for (i, l) in losses.enumerated() where (i + 1) % 2 == 0 {
        say("epoch \(i + 1), loss \(String(format: "%.3f", l))")
    }
    say("learned kernel: \(learned)")

    say("\n6.3 Padding and stride (8×8 input)")
    say("kernel 3, padding 1:                           \(compConv2d(kernelSize: (3, 3), padding: (1, 1)))")
    say("kernel (5, 3), padding (2, 1):                 \(compConv2d(kernelSize: (5, 3), padding: (2, 1)))")
    say("kernel 3, padding 1, stride 2:                 \(compConv2d(kernelSize: (3, 3), padding: (1, 1), stride: (2, 2)))")
    say("kernel (3, 5), padding (0, 1), stride (3, 4): \(compConv2d(kernelSize: (3, 5), padding: (0, 1), stride: (3, 4)))")

    say("\n6.4 Multiple input and output channels")
    let (Xc, Kc) = multiChannelExample()
    say("corr2dMultiIn(X, K) =\n\(corr2dMultiIn(Xc, Kc))")
    let K3 = Tensor.stack([Kc, Kc + 1, Kc + 2], axis: 0)
    say("K = stack(K, K + 1, K + 2): shape \(K3.shape)")
    say("corr2dMultiInOut(X, K) =\n\(corr2dMultiInOut(Xc, K3))")
    let X1 = Tensor.normal([3, 3, 3]), K1 = Tensor.normal([2, 3, 1, 1])
    let gap = (corr2dMultiInOut1x1(X1, K1) - corr2dMultiInOut(X1, K1)).abs().sum().item()
    say("1×1 convolution as a matrix product: |Y1 − Y2|.sum() = \(gap) (< 1e-6: \(gap < 1e-6))")

    say("\n6.5 Pooling")
    say("pool2d(X, (2, 2), max) =\n\(pool2d(X, poolSize: (2, 2), mode: .max))")
    say("pool2d(X, (2, 2), avg) =\n\(pool2d(X, poolSize: (2, 2), mode: .avg))")
    let X4 = Tensor.arange(16).reshaped(to: [1, 1, 4, 4])
    say("X = arange(16) as (1, 1, 4, 4)")
    say("maxPool2d(kernel 3) =\n\(X4.maxPool2d(kernelSize: 3))")
    say("maxPool2d(kernel 3, padding 1, stride 2) =\n\(X4.maxPool2d(kernelSize: 3, stride: 2, padding: 1))")
    say("maxPool2d(kernel (2, 3), stride (2, 3), padding (0, 1)) =\n"
        + "\(X4.maxPool2d(kernelSize: (2, 3), stride: (2, 3), padding: (0, 1)))")
    let X2 = Tensor.concatenate([X4, X4 + 1], axis: 1)
    say("two channels, cat(X, X + 1): maxPool2d(kernel 3, padding 1, stride 2) =\n"
        + "\(X2.maxPool2d(kernelSize: 3, stride: 2, padding: 1))")
}
