import Dispatch
import Foundation
import NN
import Tensor

/// Training-step speed of the character-level language models of book §8.6 and §9.1–9.4, with
/// the names, shapes and line format of `../shared/reference/torch_bench.py` (run both in the
/// same minute and compare the ratio): batch 32 × 35 one-hot tokens over 28 characters, a full
/// step = forward, mean cross-entropy over the 1120 targets, zeroGrad, backward, gradient
/// clipping to norm 1, SGD. Median of 10 steps after 2 warm-up steps, on random tokens.
/// `swift run -c release Benchmarks char-step` (all six), or `D2L_BENCH_MODEL=lstm-char` for one;
/// `D2L_THREADS=1` for one thread.
func runCharStepBenchmark() {
    let models: [(name: String, build: () -> RNNModel, lr: Float)] = [
        ("rnn512-char", { RNNModel(RNN(inputSize: 28, hiddenSize: 512), vocabSize: 28) }, 1),
        ("rnn-char", { RNNModel(RNN(inputSize: 28, hiddenSize: 256), vocabSize: 28) }, 1),
        ("gru-char", { RNNModel(GRU(inputSize: 28, hiddenSize: 256), vocabSize: 28) }, 1),
        ("lstm-char", { RNNModel(LSTM(inputSize: 28, hiddenSize: 256), vocabSize: 28) }, 1),
        ("deep-lstm-char", { RNNModel(LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2), vocabSize: 28) }, 2),
        ("bi-lstm-char", { RNNModel(LSTM(inputSize: 28, hiddenSize: 256, numLayers: 2, bidirectional: true),
                                    vocabSize: 28) }, 1),
    ]
    let env = ProcessInfo.processInfo.environment
    let only = env["D2L_BENCH_MODEL"]
    if let t = env["D2L_THREADS"].flatMap(Int.init), t > 0 { Parallel.threads = t }   // torch_bench.py's --threads
    let (B, T, V, steps) = (32, 35, 28, 10)
    for m in models where only == nil || only == m.name {
        Tensor.manualSeed(0)
        let net = m.build()
        let X = Tensor(shape: [B, T], scalars: (0..<(B * T)).map { _ in Float(Int.random(in: 0..<V, using: &GlobalRandom.generator)) })
        let Y = Tensor(shape: [B, T], scalars: (0..<(B * T)).map { _ in Float(Int.random(in: 0..<V, using: &GlobalRandom.generator)) })
        let y = Y.transposed().reshaped(to: [-1])
        let optimizer = SGD(parameters: net.parameters(), lr: m.lr)
        let loss = CrossEntropyLoss()
        func step() {
            optimizer.zeroGrad()
            let (logits, _) = net(X, net.beginState(batchSize: B))
            loss(logits, y).backward()
            gradClipping(net, theta: 1)
            optimizer.step()
        }
        for _ in 0..<2 { step() }
        var times: [Double] = []
        for _ in 0..<steps {
            let start = DispatchTime.now().uptimeNanoseconds
            step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let sorted = times.sorted(), ms = (sorted[(steps - 1) / 2] + sorted[steps / 2]) / 2   // statistics.median
        print("\(m.name): \(String(format: "%.1f", ms)) ms/step, \(Int((Double(B * T) / ms * 1000).rounded())) tokens/s "
              + "(batch \(B), \(T) steps, threads \(Parallel.threads), median of \(steps))")
    }
}
