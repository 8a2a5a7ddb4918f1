import D2L
import Foundation
import NN
import Tensor

/// `Benchmarks epochs`: one training epoch (60000 Fashion-MNIST images, batch 256, the concise
/// models of §3.7 and §4.3, SGD lr 0.1) timed as `trainEpochCh3` runs it — batch assembly,
/// forward, loss, backward, update; no evaluation. Then each phase of the MLP step timed
/// separately over the same batches, to show where an epoch goes.
/// Reference (PyTorch CPU, 2 threads): softmax ≈ 0.09 s/epoch, MLP ≈ 0.4 s/epoch.
func runEpochBenchmark() {
    let trainIter: DataIterator
    do {
        trainIter = try loadDataFashionMNIST(batchSize: 256, seed: 1).train
    } catch {
        print("epochs: \(error)")
        return
    }
    let loss: PerExampleLoss = { CrossEntropyLoss(reduction: .none)($0, $1) }
    print("one epoch of Fashion-MNIST (\(trainIter.numExamples) examples, batch 256), \(Parallel.threads) threads")
    let models: [(String, () -> Sequential)] = [
        ("softmax regression (§3.7)", { Sequential(Flatten(), Linear(inputSize: 784, outputSize: 10)) }),
        ("MLP 784-256-10 (§4.3)", {
            Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(), Linear(inputSize: 256, outputSize: 10))
        }),
    ]
    for (name, make) in models {
        Tensor.manualSeed(0)
        let net = make()
        let trainer = SGD(parameters: net.parameters(), lr: 0.1)
        var times: [Double] = []
        for _ in 0..<3 {
            var timer = Stopwatch()
            _ = try! trainEpochCh3(net: net, trainIter: trainIter, loss: loss, updater: .optimizer(trainer))
            times.append(timer.stop())
        }
        let best = times.min()!
        print("\(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(String(format: "%.3f", best)) s/epoch "
              + "(best of 3; all: \(times.map { String(format: "%.3f", $0) }.joined(separator: ", "))), "
              + "\(String(format: "%.0f", Double(trainIter.numExamples) / best)) examples/s")
    }
    // Phases of the MLP step, summed over one epoch.
    Tensor.manualSeed(0)
    let net = models[1].1()
    let trainer = SGD(parameters: net.parameters(), lr: 0.1)
    let names = ["batch assembly", "X·W1ᵀ + b1", "ReLU", "H·W2ᵀ + b2", "cross-entropy", "backward", "SGD step", "metrics"]
    var phase = [Double](repeating: 0, count: names.count)
    var clock = Stopwatch()
    func lap(_ i: Int) { phase[i] += clock.stop(); clock.start() }
    var batches = trainIter.makeIterator()
    clock.start()
    while let (X, y) = batches.next() {
        lap(0)
        let H1 = net[1](net[0](X))
        lap(1)
        let H = net[2](H1)
        lap(2)
        let yHat = net[3](H)
        lap(3)
        let l = loss(yHat, y)
        lap(4)
        trainer.zeroGrad()
        l.mean().backward()
        lap(5)
        trainer.step()
        lap(6)
        _ = accuracy(yHat.detached(), y) + Double(l.detached().sum().item())
        lap(7)
    }
    let total = phase.reduce(0, +)
    print("MLP epoch by phase (total \(String(format: "%.3f", total)) s):")
    for (n, t) in zip(names, phase) {
        print("  \(n.padding(toLength: 16, withPad: " ", startingAt: 0)) \(String(format: "%.3f", t)) s  \(String(format: "%4.1f", 100 * t / total))%")
    }
}
