import D2L
import Foundation
import NN
import Tensor

// §11.6–11.10: each section's 2-D demonstration on f(x1, x2) = 0.1·x1² + 2·x2² (an
// ill-conditioned quadratic), its figures, then the airfoil runs (Airfoil.swift).

/// f(x1, x2) = 0.1·x1² + 2·x2² of §11.6–11.8.
func f2d(_ x1: Double, _ x2: Double) -> Double { 0.1 * x1 * x1 + 2 * x2 * x2 }

/// §11.6 momentum: gradient descent with η = 0.4 and 0.6 (it diverges in x2), momentum with
/// (η, β) = (0.6, 0.5) and (0.6, 0.25), the effective sample weights βᵗ, then the airfoil runs.
func runMomentum(_ ctx: AirfoilContext) throws {
    let log = ctx.log
    log.write("§11.6 momentum\n")
    for (eta, printed) in [(0.4, "x1: -0.943467, x2: -0.000073"), (0.6, "x1: -0.387814, x2: -1673.365109")] {
        log.write("gd_2d η = \(eta): ")
        trace2d(f2d, { s in (s.x1 - eta * 0.2 * s.x1, s.x2 - eta * 4 * s.x2, 0, 0) }, file: "ch10-momentum-gd-eta-\(eta)", log: log)
        book("epoch 20, \(printed)", log)
    }
    for (eta, beta, printed) in [(0.6, 0.5, "x1: 0.007188, x2: 0.002553"), (0.6, 0.25, "x1: -0.126340, x2: -0.186632")] {
        log.write("momentum_2d η = \(eta), β = \(beta): ")
        trace2d(f2d, { s in
            let v1 = beta * s.s1 + 0.2 * s.x1, v2 = beta * s.s2 + 4 * s.x2
            return (s.x1 - eta * v1, s.x2 - eta * v2, v1, v2)
        }, file: "ch10-momentum-2d-beta-\(beta)", log: log)
        book("epoch 20, \(printed)", log)
    }
    var weights = LinePlot(xlabel: "time", legend: [0.95, 0.9, 0.6, 0].map { "beta = \($0)" })
    let t = (0..<40).map(Double.init)
    for beta in [0.95, 0.9, 0.6, 0] { weights.add(x: t, y: t.map { pow(beta, $0) }) }
    save(weights, "ch10-momentum-weights", log)
    try runMomentumAirfoil(ctx)
}

/// §11.7 AdaGrad: `adagrad_2d` with η = 0.4 and 2, then the airfoil runs.
func runAdagrad(_ ctx: AirfoilContext) throws {
    let log = ctx.log
    log.write("§11.7 AdaGrad\n")
    for (eta, printed) in [(0.4, "x1: -2.382563, x2: -0.158591"), (2.0, "x1: -0.002295, x2: -0.000000")] {
        log.write("adagrad_2d η = \(eta): ")
        trace2d(f2d, { s in
            let eps = 1e-6, g1 = 0.2 * s.x1, g2 = 4 * s.x2
            let s1 = s.s1 + g1 * g1, s2 = s.s2 + g2 * g2
            return (s.x1 - eta / (s1 + eps).squareRoot() * g1, s.x2 - eta / (s2 + eps).squareRoot() * g2, s1, s2)
        }, file: "ch10-adagrad-2d-eta-\(eta)", log: log)
        book("epoch 20, \(printed)", log)
    }
    try runAdagradAirfoil(ctx)
}

/// §11.8 RMSProp: the weights (1 − γ)γᵗ, `rmsprop_2d` with η = 0.4, γ = 0.9, then the airfoil runs.
func runRMSprop(_ ctx: AirfoilContext) throws {
    let log = ctx.log
    log.write("§11.8 RMSProp\n")
    var weights = LinePlot(xlabel: "time", legend: [0.95, 0.9, 0.8, 0.7].map { "gamma = \($0)" })
    let t = (0..<40).map(Double.init)
    for gamma in [0.95, 0.9, 0.8, 0.7] { weights.add(x: t, y: t.map { (1 - gamma) * pow(gamma, $0) }) }
    save(weights, "ch10-rmsprop-weights", log)
    let eta = 0.4, gamma = 0.9
    log.write("rmsprop_2d η = 0.4, γ = 0.9: ")
    trace2d(f2d, { s in
        let eps = 1e-6, g1 = 0.2 * s.x1, g2 = 4 * s.x2
        let s1 = gamma * s.s1 + (1 - gamma) * g1 * g1, s2 = gamma * s.s2 + (1 - gamma) * g2 * g2
        return (s.x1 - eta / (s1 + eps).squareRoot() * g1, s.x2 - eta / (s2 + eps).squareRoot() * g2, s1, s2)
    }, file: "ch10-rmsprop-2d", log: log)
    book("epoch 20, x1: -0.010599, x2: 0.000000", log)
    try runRMSpropAirfoil(ctx)
}

/// §11.9 Adadelta: the airfoil runs only (the book has no 2-D demo).
func runAdadelta(_ ctx: AirfoilContext) throws {
    ctx.log.write("§11.9 Adadelta\n")
    try runAdadeltaAirfoil(ctx)
}

/// §11.10 Adam and Yogi: the airfoil runs.
func runAdam(_ ctx: AirfoilContext) throws {
    ctx.log.write("§11.10 Adam (and Yogi, §11.10.3)\n")
    try runAdamAirfoil(ctx)
}
