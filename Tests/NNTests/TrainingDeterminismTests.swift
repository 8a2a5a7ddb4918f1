import NN
import Tensor
import TestSupport
import XCTest

/// The same seed gives bit-identical weights after training steps whatever the number of threads
/// (issue 9 item 14): LeNet (§7.6) and the MLP (§5.2) built from NN layers, two SGD steps each at
/// the book's batch size of 256 on random data, with 1, 2 and 3 threads.
final class TrainingDeterminismTests: XCTestCase {
    /// Trains `make()` for two steps with `threads` threads; returns every parameter's bits.
    func weightsAfterTwoSteps(threads: Int, inputShape: [Int], lr: Float, _ make: () -> Sequential) -> [[UInt32]] {
        Parallel.withThreads(threads) {
            Tensor.manualSeed(42)
            let net = make()
            var gen = SeededGenerator(seed: 7)
            let x = Tensor.rand([256] + inputShape, generator: &gen)
            let labels = (0..<256).map { _ in Int(gen.next() % 10) }
            let optimizer = SGD(parameters: net.parameters(), lr: lr)
            for _ in 0..<2 {
                optimizer.zeroGrad()
                CrossEntropyLoss()(net(x), labels).backward()
                optimizer.step()
            }
            return net.parameters().map { $0.value.scalars.map(\.bitPattern) }
        }
    }

    func assertThreadIndependent(_ name: String, inputShape: [Int], lr: Float, _ make: () -> Sequential) {
        let one = weightsAfterTwoSteps(threads: 1, inputShape: inputShape, lr: lr, make)
        for t in [2, 3] {
            let other = weightsAfterTwoSteps(threads: t, inputShape: inputShape, lr: lr, make)
            XCTAssertEqual(one.count, other.count)
            for (i, (a, b)) in zip(one, other).enumerated() where a != b {
                let differing = zip(a, b).filter { $0 != $1 }.count
                XCTFail("\(name): parameter \(i) differs between 1 and \(t) threads in \(differing) of \(a.count) values")
            }
        }
    }

    func testLeNetStepIsIdenticalForAnyThreadCount() {
        assertThreadIndependent("lenet", inputShape: [1, 28, 28], lr: 0.9) {
            Sequential(
                Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), Sigmoid(),
                AvgPool2d(kernelSize: 2, stride: 2),
                Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), Sigmoid(),
                AvgPool2d(kernelSize: 2, stride: 2), Flatten(),
                Linear(inputSize: 400, outputSize: 120), Sigmoid(),
                Linear(inputSize: 120, outputSize: 84), Sigmoid(),
                Linear(inputSize: 84, outputSize: 10))
        }
    }

    func testMLPStepIsIdenticalForAnyThreadCount() {
        assertThreadIndependent("mlp", inputShape: [1, 28, 28], lr: 0.1) {
            Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(), Linear(inputSize: 256, outputSize: 10))
        }
    }
}
