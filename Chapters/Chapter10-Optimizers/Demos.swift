import D2L
import Foundation

// §11.6–11.8: each section's demonstration on f(x1, x2) = 0.1·x1² + 2·x2² (`f2d`) with the 2-D
// trainers of Scratch.swift, and its weight figures; the book's traces printed under ours.

/// Runs each 2-D trainer on `f2d` with `train2d` (printing `label: epoch 20, x1: …, x2: …`),
/// draws its trace over the contours as `file`, prints the book's trace under ours.
func traces(_ runs: [(label: String, trainer: (State2d) -> State2d, file: String, book: String)], log: TextOutput, figures: Bool) {
    for run in runs {
        log.write(run.label + ": ")
        trace2d(f2d, run.trainer, file: run.file, log: log, figures: figures)
        book("epoch 20, " + run.book, log)
    }
}

/// §11.6: gradient descent with η = 0.4 and 0.6 (it diverges in x2), momentum with (η, β) =
/// (0.6, 0.5) and (0.6, 0.25), the effective sample weights βᵗ.
func momentumDemos(log: TextOutput, figures: Bool = true) {
    log.write("§11.6 momentum\n")
    traces([("gd_2d η = 0.4", gd2d(eta: 0.4), "ch10-momentum-gd-eta-0.4", "x1: -0.943467, x2: -0.000073"),
            ("gd_2d η = 0.6", gd2d(eta: 0.6), "ch10-momentum-gd-eta-0.6", "x1: -0.387814, x2: -1673.365109"),
            ("momentum_2d η = 0.6, β = 0.5", momentum2d(eta: 0.6, beta: 0.5), "ch10-momentum-2d-beta-0.5",
             "x1: 0.007188, x2: 0.002553"),
            ("momentum_2d η = 0.6, β = 0.25", momentum2d(eta: 0.6, beta: 0.25), "ch10-momentum-2d-beta-0.25",
             "x1: -0.126340, x2: -0.186632")], log: log, figures: figures)
    if figures { plotWeights("beta", [0.95, 0.9, 0.6, 0], { beta, t in pow(beta, t) }, file: "ch10-momentum-weights", log: log) }
}

/// The weight of the gradient t steps back, for each value of the decay `name` (40 steps).
func plotWeights(_ name: String, _ values: [Double], _ weight: (Double, Double) -> Double, file: String, log: TextOutput) {
    var plot = LinePlot(xlabel: "time", legend: values.map { "\(name) = \($0)" })
    let t = (0..<40).map(Double.init)
    for v in values { plot.add(x: t, y: t.map { weight(v, $0) }) }
    save(plot, file, log)
}

/// §11.7: `adagrad_2d` with η = 0.4 and 2.
func adagradDemos(log: TextOutput, figures: Bool = true) {
    log.write("§11.7 AdaGrad\n")
    traces([("adagrad_2d η = 0.4", adagrad2d(eta: 0.4), "ch10-adagrad-2d-eta-0.4", "x1: -2.382563, x2: -0.158591"),
            ("adagrad_2d η = 2.0", adagrad2d(eta: 2), "ch10-adagrad-2d-eta-2.0", "x1: -0.002295, x2: -0.000000")],
           log: log, figures: figures)
}

/// §11.8: the weights (1 − γ)γᵗ, `rmsprop_2d` with η = 0.4, γ = 0.9.
func rmspropDemos(log: TextOutput, figures: Bool = true) {
    log.write("§11.8 RMSProp\n")
    if figures {
        plotWeights("gamma", [0.95, 0.9, 0.8, 0.7], { gamma, t in (1 - gamma) * pow(gamma, t) }, file: "ch10-rmsprop-weights", log: log)
    }
    traces([("rmsprop_2d η = 0.4, γ = 0.9", rmsprop2d(eta: 0.4, gamma: 0.9), "ch10-rmsprop-2d", "x1: -0.010599, x2: 0.000000")],
           log: log, figures: figures)
}
