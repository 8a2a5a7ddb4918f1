import D2L
import Foundation
import Tensor

// §11.3 gradient descent and §11.4 stochastic gradient descent on the book's toy functions.
// The traces are deterministic (except §11.4's noise) and print exactly as the book's; all in
// Double (float32 arithmetic would end the non-convex trace at −1.528165 instead of the book's
// −1.528166).

/// §11.3 `gd(eta, f_grad)`: ten steps `x ← x − η·f'(x)` from x = 10; prints `epoch 10, x: …`.
func gd(eta: Double, fGrad: (Double) -> Double, log: TextOutput) -> [Double] {
    var x = 10.0
    var results = [x]
    for _ in 0..<10 {
        x -= eta * fGrad(x)
        results.append(x)
    }
    log.write("epoch 10, x: \(String(format: "%f", x))\n")
    return results
}

/// §11.3 `newton(eta=1)`: ten steps `x ← x − η·f'(x)/f''(x)` from x = 10; prints `epoch 10, x: …`.
func newton(eta: Double = 1, fGrad: (Double) -> Double, fHess: (Double) -> Double, log: TextOutput) -> [Double] {
    var x = 10.0
    var results = [x]
    for _ in 0..<10 {
        x -= eta * fGrad(x) / fHess(x)
        results.append(x)
    }
    log.write("epoch 10, x: \(String(format: "%f", x))\n")
    return results
}

/// §11.3 `show_trace(results, f)`: f on [−n, n] (n = the largest |x| visited) and the trace.
func showTrace(_ results: [Double], _ f: (Double) -> Double, file: String, log: TextOutput, figures: Bool = true) {
    guard figures else { return }
    let n = max(abs(results.min()!), abs(results.max()!))
    let line = stride(from: -n, to: n, by: 0.01).map { $0 }
    var plot = LinePlot(xlabel: "x", ylabel: "f(x)")
    plot.add(x: line, y: line.map(f), format: "-")
    plot.add(x: results, y: results.map(f), format: "-o")
    save(plot, file, log)
}

/// Saves a figure (through `Figures.saveOrWarn`: a figure that cannot be written is a warning)
/// and prints its path.
func save(_ plot: LinePlot, _ file: String, _ log: TextOutput) {
    if let url = Figures.saveOrWarn(file, { try plot.save(file) }) { log.write("saved \(url.path)\n") }
}

/// Runs a 2-D trainer with `train2d` and draws `showTrace2d`.
func trace2d(_ f: (Double, Double) -> Double, _ trainer: (State2d) -> State2d, steps: Int = 20, file: String,
             log: TextOutput, figures: Bool = true) {
    let results = train2d(trainer, steps: steps, log: log)
    guard figures else { return }
    if let url = Figures.saveOrWarn(file, { try showTrace2d(f, results, file: file) }) { log.write("saved \(url.path)\n") }
}

/// The book's print (deterministic: no spread) under ours.
func book(_ printed: String, _ log: TextOutput) { log.write(BookResult(printed).line + "\n") }

/// §11.3: gradient descent on f(x) = x² with η = 0.2, 0.05, 1.1; on the non-convex
/// f(x) = x·cos(cx), c = 0.15π, with η = 2; on f(x1, x2) = x1² + 2·x2² with η = 0.1; Newton's method
/// on cosh(cx), c = 0.5, and on x·cos(cx) with η = 1 and 0.5.
func runGD(log: TextOutput, figures: Bool = true) {
    log.write("§11.3 gradient descent\n")
    let f = { (x: Double) in x * x }, fGrad = { (x: Double) in 2 * x }
    for (eta, printed) in [(0.2, "0.060466"), (0.05, "3.486784"), (1.1, "61.917364")] {
        log.write("gd(\(eta)): ")
        showTrace(gd(eta: eta, fGrad: fGrad, log: log), f, file: "ch10-gd-eta-\(eta)", log: log, figures: figures)
        book("epoch 10, x: \(printed)", log)
    }
    let c = 0.15 * Double.pi
    let g = { (x: Double) in x * cos(c * x) }
    log.write("non-convex x·cos(cx), gd(2): ")
    let res = gd(eta: 2, fGrad: { x in cos(c * x) - c * x * sin(c * x) }, log: log)
    showTrace(res, g, file: "ch10-gd-nonconvex", log: log, figures: figures)
    book("epoch 10, x: -1.528166", log)

    log.write("2-D f(x1, x2) = x1² + 2·x2², η = 0.1: ")
    let eta = 0.1
    trace2d({ $0 * $0 + 2 * $1 * $1 }, gd2d(eta: eta) { (2 * $0, 4 * $1) }, file: "ch10-gd-2d", log: log, figures: figures)
    book("epoch 20, x1: -0.057646, x2: -0.000073", log)

    let cn = 0.5
    log.write("Newton on cosh(0.5x): ")
    let rn = newton(fGrad: { cn * sinh(cn * $0) }, fHess: { cn * cn * cosh(cn * $0) }, log: log)
    showTrace(rn, { cosh(0.5 * $0) }, file: "ch10-gd-newton-cosh", log: log, figures: figures)
    book("epoch 10, x: tensor(0.)", log)
    let fg = { (x: Double) in cos(c * x) - c * x * sin(c * x) }
    let fh = { (x: Double) in -2 * c * sin(c * x) - x * c * c * cos(c * x) }
    for (eta, printed) in [(1.0, "26.8341"), (0.5, "7.2699")] {
        log.write("Newton on x·cos(cx), η = \(eta): ")
        showTrace(newton(eta: eta, fGrad: fg, fHess: fh, log: log), g, file: "ch10-gd-newton-nonconvex-eta-\(eta)", log: log, figures: figures)
        book("epoch 10, x: tensor(\(printed))", log)
    }
}

/// §11.4: SGD on f(x1, x2) = x1² + 2·x2² with gradient noise N(0, 1) per coordinate, η = 0.1 and
/// a constant (50 steps), exponential `e^(−0.1t)` (1000 steps) and polynomial `(1 + 0.1t)^(−½)`
/// (50 steps) learning-rate schedule. The noise makes every run different (the book's too).
func runSGD(log: TextOutput, figures: Bool = true) {
    log.write("§11.4 stochastic gradient descent (noisy gradients: ours and the book's differ run to run)\n")
    let f = { (x1: Double, x2: Double) in x1 * x1 + 2 * x2 * x2 }
    let eta = 0.1
    func sgd(_ lr: @escaping () -> Double) -> (State2d) -> State2d {
        { s in
            let g1 = 2 * s.x1 + Double(Tensor.randn([1]).item()), g2 = 4 * s.x2 + Double(Tensor.randn([1]).item())
            let etaT = eta * lr()
            return (s.x1 - etaT * g1, s.x2 - etaT * g2, 0, 0)
        }
    }
    log.write("constant learning rate: ")
    trace2d(f, sgd { 1 }, steps: 50, file: "ch10-sgd-constant", log: log, figures: figures)
    var t = 1.0
    log.write("exponential decay: ")
    trace2d(f, sgd { t += 1; return exp(-0.1 * t) }, steps: 1000, file: "ch10-sgd-exponential", log: log, figures: figures)
    t = 1
    log.write("polynomial decay: ")
    trace2d(f, sgd { t += 1; return pow(1 + 0.1 * t, -0.5) }, steps: 50, file: "ch10-sgd-polynomial", log: log, figures: figures)
    book("(random) the constant rate keeps wandering near (0, 0); the exponential decay stalls early (x1 ≈ −0.8); the polynomial decay gets close", log)
}
