import D2L
import Dispatch
import Foundation
import NN
import Tensor

/// Training-step speed of the book's models at batch 256 (§3.7 softmax regression, §5.2 MLP,
/// §7.6 LeNet): ms per step (forward, loss, zeroGrad, backward, SGD update), the time to
/// assemble one minibatch from a 60000-example array, and a per-op breakdown (forward per layer
/// timed here, backward per autograd op timed by `AutogradProfiler`).
/// Run with `swift run -c release Benchmarks lenet-step mlp-step`.
func runLeNetStepBenchmark() {
    Tensor.manualSeed(0)
    let net = lenet()
    runStepBenchmark(name: "lenet", net: net, inputShape: [1, 28, 28], lr: 0.9, steps: 40)
}

/// The MLP of §5.2 (784-256-10, ReLU) and softmax regression of §4.5 (784-10).
func runMLPStepBenchmark() {
    Tensor.manualSeed(0)
    let mlp = Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(),
                         Linear(inputSize: 256, outputSize: 10))
    runStepBenchmark(name: "mlp", net: mlp, inputShape: [1, 28, 28], lr: 0.1, steps: 200)
    let softmax = Sequential(Flatten(), Linear(inputSize: 784, outputSize: 10))
    runStepBenchmark(name: "softmax", net: softmax, inputShape: [1, 28, 28], lr: 0.1, steps: 400)
}

private func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Runs `runStepBenchmarkOnce` with one thread and with all (one thread is the steadier number
/// on a shared machine; the batch-assembly line is printed once).
private func runStepBenchmark(name: String, net: Sequential, inputShape: [Int], lr: Float, steps: Int) {
    let all = Parallel.threads
    for t in Set([1, all]).sorted() {
        Parallel.withThreads(t) {
            runStepBenchmarkOnce(name: name, net: net, inputShape: inputShape, lr: lr, steps: steps, batchAssembly: t == all)
        }
    }
}

private func runStepBenchmarkOnce(name: String, net: Sequential, inputShape: [Int], lr: Float, steps: Int,
                                  batchAssembly: Bool) {
    let batch = 256
    var gen = SeededGenerator(seed: 1)
    let x = Tensor.normal([batch] + inputShape, mean: 0, std: 1, generator: &gen)
    let labels = (0..<batch).map { _ in Int(gen.next() % 10) }
    let loss = CrossEntropyLoss()
    let optimizer = SGD(parameters: net.parameters(), lr: lr)

    func step() {
        let l = loss(net(x), labels)
        optimizer.zeroGrad()
        l.backward()
        optimizer.step()
    }
    for _ in 0..<3 { step() }   // warm up
    var times: [Double] = []
    for _ in 0..<steps {
        let t0 = now()
        step()
        times.append(Double(now() - t0) / 1e6)
    }
    times.sort()
    print("\(name)-step threads=\(Parallel.threads): " + String(format: "best %.3f ms, median %.3f ms per step", times[0], times[times.count / 2])
          + " (batch \(batch), \(steps) steps)")

    // Per-op breakdown: forward per layer (median over repeats), backward per op.
    let repeats = max(5, steps / 4)
    var forward = [(String, [Double])](repeating: ("", []), count: net.count + 2)
    var backward: [String: [Double]] = [:]
    var order: [String] = []
    var current: [String: Double] = [:]
    var misc: [String: [Double]] = ["zeroGrad": [], "sgd step": []]
    for _ in 0..<repeats {
        var h = x
        for (i, layer) in net.layers.enumerated() {
            let t0 = now()
            h = layer(h)
            forward[i].0 = "\(i) \(type(of: layer))"
            forward[i].1.append(Double(now() - t0) / 1e6)
        }
        var t0 = now()
        let l = loss(h, labels)
        forward[net.count].0 = "loss"
        forward[net.count].1.append(Double(now() - t0) / 1e6)
        t0 = now()
        optimizer.zeroGrad()
        misc["zeroGrad"]!.append(Double(now() - t0) / 1e6)
        current = [:]
        var calls: [String: Int] = [:]
        AutogradProfiler.record = { op, ns in
            calls[op, default: 0] += 1
            let key = "\(op)#\(calls[op]!)"
            if !order.contains(key) { order.append(key) }
            current[key, default: 0] += Double(ns) / 1e6
        }
        t0 = now()
        l.backward()
        AutogradProfiler.record = nil
        forward[net.count + 1].0 = "backward (total)"
        forward[net.count + 1].1.append(Double(now() - t0) / 1e6)
        for (op, t) in current { backward[op, default: []].append(t) }
        t0 = now()
        optimizer.step()
        misc["sgd step"]!.append(Double(now() - t0) / 1e6)
    }
    // Best and median of the repeats (the machine may be shared: best is the cleaner number).
    func stats(_ v: [Double]) -> String {
        let s = v.sorted()
        return s.isEmpty ? "-" : String(format: "%7.3f ms best, %7.3f ms median", s[0], s[s.count / 2])
    }
    func pad(_ s: String) -> String { s.padding(toLength: 24, withPad: " ", startingAt: 0) }
    for (label, t) in forward { print("  fwd  \(pad(label)) \(stats(t))") }
    for op in order { print("  bwd  \(pad(op)) \(stats(backward[op] ?? []))") }
    for (label, t) in misc.sorted(by: { $0.key < $1.key }) { print("  \(pad(label))      \(stats(t))") }

    // Batch assembly from a Fashion-MNIST-sized array (60000 examples).
    guard batchAssembly else { return }
    let n = 60_000
    let features = Tensor.zeros([n] + inputShape), targets = Tensor.zeros([n])
    let iter = loadArray(features: features, labels: targets, batchSize: batch, shuffle: true, seed: 0)
    let t0 = now()
    var batches = 0
    for (bx, _) in iter { batches += bx.shape[0] > 0 ? 1 : 0 }
    let epoch = Double(now() - t0) / 1e6
    print(String(format: "  batch assembly: %.2f ms per epoch (%d batches), %.3f ms per batch", epoch, batches, epoch / Double(batches)))
}
