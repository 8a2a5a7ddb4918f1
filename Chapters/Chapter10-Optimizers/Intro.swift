import D2L
import Foundation

// §11.1 optimization and deep learning, §11.2 convexity: the figures of the two sections.

/// `stride(from:to:by:)` as an array (the book's `torch.arange(a, b, step)`).
func arange(_ a: Double, _ b: Double, _ step: Double) -> [Double] { stride(from: a, to: b, by: step).map { $0 } }

/// A one-series (or several-series) plot of `fs` over `x`, saved as `file`.
func plotFunctions(_ x: [Double], _ fs: [(Double) -> Double], legend: [String] = [], xlabel: String = "x",
                   ylabel: String = "f(x)", file: String, log: TextOutput, figures: Bool = true) {
    guard figures else { return }
    var plot = LinePlot(xlabel: xlabel, ylabel: ylabel, legend: legend)
    for f in fs { plot.add(x: x, y: x.map(f)) }
    save(plot, file, log)
}

/// §11.1: risk f(x) = x·cos(πx) against the empirical risk g(x) = f(x) + 0.2·cos(5πx); the local
/// and global minimum of f on [−1, 2]; the saddle point of x³ at 0; the saddle of x² − y²
/// (contours); the vanishing gradient of tanh.
func runIntro(log: TextOutput, figures: Bool = true) {
    log.write("§11.1 optimization and deep learning\n")
    let f = { (x: Double) in x * cos(Double.pi * x) }, g = { (x: Double) in f(x) + 0.2 * cos(5 * Double.pi * x) }
    let near = arange(0.5, 1.5, 0.01)
    plotFunctions(near, [f, g], legend: ["risk", "empirical risk"], ylabel: "risk", file: "ch10-intro-risk", log: log, figures: figures)
    log.write(String(format: "min of risk at x = %.2f, min of empirical risk at x = %.2f\n",
                     near.min { f($0) < f($1) }!, near.min { g($0) < g($1) }!))
    let x = arange(-1.0, 2.0, 0.01)
    let local = arange(-1.0, 0.5, 0.01).min { f($0) < f($1) }!, global = x.min { f($0) < f($1) }!
    log.write(String(format: "x·cos(πx) on [−1, 2]: local minimum at x = %.2f (f = %.3f), global minimum at x = %.2f (f = %.3f)\n",
                     local, f(local), global, f(global)))
    plotFunctions(x, [f], file: "ch10-intro-local-minima", log: log, figures: figures)
    plotFunctions(arange(-2.0, 2.0, 0.01), [{ $0 * $0 * $0 }], file: "ch10-intro-saddle", log: log, figures: figures)
    var saddle = ContourPlot(xs: arange(-1.0, 1.0, 0.02), ys: arange(-1.0, 1.0, 0.02), levelCount: 9) { $0 * $0 - $1 * $1 }
    saddle.xlabel = "x"; saddle.ylabel = "y"
    if figures, let url = Figures.saveOrWarn("ch10-intro-saddle-2d", { try saddle.save("ch10-intro-saddle-2d") }) {
        log.write("saved \(url.path) (contours of x² − y²; the book draws a 3-D surface)\n")
    }
    plotFunctions(arange(-2.0, 5.0, 0.01), [{ tanh($0) }], file: "ch10-intro-vanishing-gradient", log: log, figures: figures)
    log.write(String(format: "tanh'(4) = %.4f: the gradient vanishes far from 0\n", 1 - pow(tanh(4.0), 2)))
}

/// §11.2: three functions with the secant between x = −1.5 and 1 (convex 0.5x², non-convex
/// cos(πx), convex exp(0.5x)) and f(x) = (x − 1)², whose local minimum is global.
func runConvexity(log: TextOutput, figures: Bool = true) {
    log.write("§11.2 convexity\n")
    let x = arange(-2.0, 2.0, 0.01), segment = [-1.5, 1.0]
    let fs: [(String, (Double) -> Double)] = [("0.5x^2", { 0.5 * $0 * $0 }), ("cos(pi x)", { cos(Double.pi * $0) }),
                                              ("exp(0.5x)", { exp(0.5 * $0) })]
    for (name, f) in fs {
        var plot = LinePlot(xlabel: "x", ylabel: name)
        plot.add(x: x, y: x.map(f))
        plot.add(x: segment, y: segment.map(f))
        if figures { save(plot, Figures.name("ch10-convexity", name), log) }
        // convex ⇔ the secant lies above the graph: check at the midpoint λ = ½
        let mid = (segment[0] + segment[1]) / 2, chord = (f(segment[0]) + f(segment[1])) / 2
        log.write("\(name): " + String(format: "f(midpoint) = %.3f, secant at the midpoint = %.3f", f(mid), chord)
                  + (f(mid) <= chord ? " (below the secant, as convexity requires)\n" : " (above the secant: not convex)\n"))
    }
    let f = { (x: Double) in (x - 1) * (x - 1) }
    var plot = LinePlot(xlabel: "x", ylabel: "f(x)")
    plot.add(x: x, y: x.map(f))
    plot.add(x: segment, y: segment.map(f))
    if figures { save(plot, "ch10-convexity-local-is-global", log) }
}
