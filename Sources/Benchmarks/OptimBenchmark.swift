import D2L
import Foundation
import NN
import Tensor

/// `Benchmarks optim`: one step of each optimizer over a 10 M-parameter model (four weight
/// matrices of 2.5 M floats), as GB/s of the bytes each fused sweep must move — reads of the
/// parameter, its gradient and every state buffer, writes of the parameter and the state —
/// against a plain copy kernel (`Kernels.copy`: one read, one write) measured in the same run as
/// the machine's usable bandwidth. Bytes count only what the algorithm reads and writes, the same
/// way for the copy, so the ratio is fair (the stores' read-for-ownership is not counted).
///
/// The copy is counted as 3 transfers per element (read the source, read the destination line for
/// ownership, write it back); an optimizer's stores hit lines it has just read, so they cost no
/// extra read. The runs are interleaved (copy, then every optimizer, 30 rounds) and each keeps
/// its fastest round. Times are the process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`), divided by
/// the thread count, so that other processes sharing the cores do not count against a run
/// (wall-clock time on a busy machine varied 3× between rounds); on 1 thread and on all threads.
func runOptimBenchmark() {
    let shapes = [[1000, 2500], [2500, 1000], [1250, 2000], [2000, 1250]]
    let total = shapes.reduce(0) { $0 + $1.reduce(1, *) }
    Tensor.manualSeed(0)
    let src = Tensor.randn([total])
    var dst = Tensor.zeros([total])
    // name, optimizer factory, floats moved per parameter element (reads + writes)
    let cases: [(String, ([Parameter]) -> Optimizer, Int)] = [
        ("SGD", { SGD(parameters: $0, lr: 0.01) }, 3),
        ("SGD momentum", { SGD(parameters: $0, lr: 0.01, momentum: 0.9) }, 5),
        ("SGD Nesterov + wd", { SGD(parameters: $0, lr: 0.01, momentum: 0.9, weightDecay: 1e-4, nesterov: true) }, 5),
        ("Adagrad", { Adagrad(parameters: $0, lr: 0.01) }, 5),
        ("RMSprop", { RMSprop(parameters: $0, lr: 0.01) }, 5),
        ("Adadelta", { Adadelta(parameters: $0) }, 7),
        ("Adam", { Adam(parameters: $0) }, 7),
        ("AdamW", { AdamW(parameters: $0) }, 7),
        ("Yogi", { Yogi(parameters: $0) }, 7),
    ]
    let models = cases.map { c -> (params: [Parameter], grads: [Tensor], opt: Optimizer) in
        let params = shapes.map { Parameter(Tensor.randn($0) * 0.01) }
        return (params, shapes.map { Tensor.randn($0) }, c.1(params))
    }
    func step(_ k: Int) {
        let m = models[k]
        withNoGrad { for (p, g) in zip(m.params, m.grads) { m.opt.update(p, gradient: g, lr: m.opt.lr, weightDecay: m.opt.weightDecay) } }
    }
    let allThreads = Parallel.threads
    for threads in Array(Set([1, allThreads])).sorted() {
        Parallel.threads = threads
        var best = [Double](repeating: .infinity, count: cases.count + 1)   // [copy] + cases
        for k in cases.indices { step(k) }                                   // creates the state
        func time(_ body: () -> Void) -> Double { let t0 = cpuSeconds(); body(); return (cpuSeconds() - t0) / Double(threads) }
        for _ in 0..<30 {
            best[0] = min(best[0], time { dst.withUnsafeMutableBufferPointer { Kernels.copy(total, src.storage.pointer, $0.baseAddress!) } })
            for k in cases.indices { best[k + 1] = min(best[k + 1], time { step(k) }) }
        }
        let copyGBs = Double(3 * 4 * total) / best[0] / 1e9
        print("one optimizer step over \(total / 1_000_000) M parameters, \(threads) thread\(threads == 1 ? "" : "s"), best of 30 interleaved rounds (CPU time)")
        print("copy".padding(toLength: 20, withPad: " ", startingAt: 0) + String(format: "%7.2f ms  %6.1f GB/s  (the yardstick)", best[0] * 1e3, copyGBs))
        for (k, c) in cases.enumerated() {
            let gbs = Double(c.2 * 4 * total) / best[k + 1] / 1e9
            print(c.0.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "%7.2f ms  %6.1f GB/s  %3.0f%% of copy", best[k + 1] * 1e3, gbs, 100 * gbs / copyGBs))
        }
    }
    Parallel.threads = allThreads
}

/// CPU seconds used by this process (all threads).
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
