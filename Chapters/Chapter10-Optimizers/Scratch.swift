import Foundation
import D2L
import NN
import Tensor

// The book's from-scratch optimizers (§11.3–11.10).
// - The 2-D trainers of the toy demonstrations (`gd_2d`, `momentum_2d`, `adagrad_2d`,
//   `rmsprop_2d`): one step on (x1, x2, s1, s2), in Double as the book's Python floats, run by
//   `train2d`.
// - The airfoil trainers: each a pair `init_…_states(feature_dim)` + `trainer(params, states,
//   hyperparams)` written with tensor primitives, run by `trainCh11`. Every trainer updates
//   `p.value` under `withNoGrad` and clears the gradient, as the book's `p.grad.data.zero_()`.
//   `params` is `[w, b]` with w: (featureDim, 1), b: (1).

// MARK: 2-D trainers

/// f(x1, x2) = 0.1·x1² + 2·x2² of §11.6–11.8 (an ill-conditioned quadratic).
func f2d(_ x1: Double, _ x2: Double) -> Double { 0.1 * x1 * x1 + 2 * x2 * x2 }

/// ∇f2d = (0.2·x1, 4·x2).
func f2dGrad(_ x1: Double, _ x2: Double) -> (Double, Double) { (0.2 * x1, 4 * x2) }

/// §11.3 / §11.6 `gd_2d`: `x ← x − η·∇f(x)` for the gradient `fGrad` (default: of `f2d`).
func gd2d(eta: Double, fGrad: @escaping (Double, Double) -> (Double, Double) = f2dGrad) -> (State2d) -> State2d {
    { s in
        let (g1, g2) = fGrad(s.x1, s.x2)
        return (s.x1 - eta * g1, s.x2 - eta * g2, 0, 0)
    }
}

/// §11.6 `momentum_2d` on `f2d`: `v ← βv + ∇f`, `x ← x − η·v` (s1, s2 hold v).
func momentum2d(eta: Double, beta: Double) -> (State2d) -> State2d {
    { s in
        let (g1, g2) = f2dGrad(s.x1, s.x2)
        let v1 = beta * s.s1 + g1, v2 = beta * s.s2 + g2
        return (s.x1 - eta * v1, s.x2 - eta * v2, v1, v2)
    }
}

/// §11.7 `adagrad_2d` on `f2d`: `s ← s + g²`, `x ← x − η·g / √(s + ε)`, ε = 1e-6.
func adagrad2d(eta: Double) -> (State2d) -> State2d {
    { s in
        let eps = 1e-6, (g1, g2) = f2dGrad(s.x1, s.x2)
        let s1 = s.s1 + g1 * g1, s2 = s.s2 + g2 * g2
        return (s.x1 - eta / (s1 + eps).squareRoot() * g1, s.x2 - eta / (s2 + eps).squareRoot() * g2, s1, s2)
    }
}

/// §11.8 `rmsprop_2d` on `f2d`: `s ← γs + (1 − γ)g²`, `x ← x − η·g / √(s + ε)`, ε = 1e-6.
func rmsprop2d(eta: Double, gamma: Double) -> (State2d) -> State2d {
    { s in
        let eps = 1e-6, (g1, g2) = f2dGrad(s.x1, s.x2)
        let s1 = gamma * s.s1 + (1 - gamma) * g1 * g1, s2 = gamma * s.s2 + (1 - gamma) * g2 * g2
        return (s.x1 - eta / (s1 + eps).squareRoot() * g1, s.x2 - eta / (s2 + eps).squareRoot() * g2, s1, s2)
    }
}

// MARK: Airfoil trainers

/// §11.5 `sgd`: `p ← p − η·∇p` (the loss is already a batch mean; no state).
func sgd(_ params: [Parameter], _ states: inout Void, _ hyperparams: inout Hyperparams) {
    withNoGrad {
        for p in params {
            p.value = p.value - hyperparams["lr"]! * p.grad!
            p.zeroGrad()
        }
    }
}

/// §11.6 `init_momentum_states`: one velocity per parameter, zeros.
func initMomentumStates(featureDim: Int) -> [Tensor] { [Tensor.zeros([featureDim, 1]), Tensor.zeros([1])] }

/// §11.6 `sgd_momentum`: `v ← βv + g`, `p ← p − η·v`.
func sgdMomentum(_ params: [Parameter], _ states: inout [Tensor], _ hyperparams: inout Hyperparams) {
    withNoGrad {
        for (i, p) in params.enumerated() {
            states[i] = hyperparams["momentum"]! * states[i] + p.grad!
            p.value = p.value - hyperparams["lr"]! * states[i]
            p.zeroGrad()
        }
    }
}

/// §11.7 `init_adagrad_states`: the running sum of squared gradients, zeros.
func initAdagradStates(featureDim: Int) -> [Tensor] { [Tensor.zeros([featureDim, 1]), Tensor.zeros([1])] }

/// §11.7 `adagrad`: `s ← s + g²`, `p ← p − η·g / √(s + ε)`, ε = 1e-6 (inside the root, unlike PyTorch).
func adagrad(_ params: [Parameter], _ states: inout [Tensor], _ hyperparams: inout Hyperparams) {
    let eps: Float = 1e-6
    withNoGrad {
        for (i, p) in params.enumerated() {
            let g = p.grad!
            states[i] = states[i] + g.square()
            p.value = p.value - hyperparams["lr"]! * g / (states[i] + eps).sqrt()
            p.zeroGrad()
        }
    }
}

/// §11.8 `init_rmsprop_states`: the leaky average of squared gradients, zeros.
func initRMSpropStates(featureDim: Int) -> [Tensor] { [Tensor.zeros([featureDim, 1]), Tensor.zeros([1])] }

/// §11.8 `rmsprop`: `s ← γs + (1 − γ)g²`, `p ← p − η·g / √(s + ε)`, ε = 1e-6.
func rmsprop(_ params: [Parameter], _ states: inout [Tensor], _ hyperparams: inout Hyperparams) {
    let gamma = hyperparams["gamma"]!, eps: Float = 1e-6
    withNoGrad {
        for (i, p) in params.enumerated() {
            let g = p.grad!
            states[i] = gamma * states[i] + (1 - gamma) * g.square()
            p.value = p.value - hyperparams["lr"]! * g / (states[i] + eps).sqrt()
            p.zeroGrad()
        }
    }
}

/// §11.9 `init_adadelta_states`: per parameter (s, Δx), zeros.
func initAdadeltaStates(featureDim: Int) -> [(s: Tensor, delta: Tensor)] {
    [(Tensor.zeros([featureDim, 1]), Tensor.zeros([featureDim, 1])), (Tensor.zeros([1]), Tensor.zeros([1]))]
}

/// §11.9 `adadelta` (no learning rate): `s ← ρs + (1 − ρ)g²`, `g' = √(Δx + ε) / √(s + ε) · g`,
/// `p ← p − g'`, `Δx ← ρΔx + (1 − ρ)g'²`, ε = 1e-5.
func adadelta(_ params: [Parameter], _ states: inout [(s: Tensor, delta: Tensor)], _ hyperparams: inout Hyperparams) {
    let rho = hyperparams["rho"]!, eps: Float = 1e-5
    withNoGrad {
        for (i, p) in params.enumerated() {
            var (s, delta) = states[i]
            s = rho * s + (1 - rho) * p.grad!.square()
            let g = (delta + eps).sqrt() / (s + eps).sqrt() * p.grad!
            p.value = p.value - g
            delta = rho * delta + (1 - rho) * g * g
            states[i] = (s, delta)
            p.zeroGrad()
        }
    }
}

/// §11.10 `init_adam_states`: per parameter the moments (v, s), zeros.
func initAdamStates(featureDim: Int) -> [(v: Tensor, s: Tensor)] {
    [(Tensor.zeros([featureDim, 1]), Tensor.zeros([featureDim, 1])), (Tensor.zeros([1]), Tensor.zeros([1]))]
}

/// §11.10 `adam`: `v ← β₁v + (1 − β₁)g`, `s ← β₂s + (1 − β₂)g²`, `v̂ = v / (1 − β₁ᵗ)`,
/// `ŝ = s / (1 − β₂ᵗ)`, `p ← p − η·v̂ / (√ŝ + ε)`; β₁ = 0.9, β₂ = 0.999, ε = 1e-6 (PyTorch: 1e-8);
/// `t` (from 1) is in the hyper-parameters and goes up after each step.
func adam(_ params: [Parameter], _ states: inout [(v: Tensor, s: Tensor)], _ hyperparams: inout Hyperparams) {
    adamLike(params, &states, &hyperparams, eps: 1e-6) { s, g2 in 0.999 * s + (1 - 0.999) * g2 }
}

/// §11.10.3 `yogi`: Adam with `s ← s + (1 − β₂)·sign(g² − s)·g²` and ε = 1e-3.
func yogi(_ params: [Parameter], _ states: inout [(v: Tensor, s: Tensor)], _ hyperparams: inout Hyperparams) {
    adamLike(params, &states, &hyperparams, eps: 1e-3) { s, g2 in s + (1 - 0.999) * sign(g2 - s) * g2 }
}

/// The part `adam` and `yogi` share; `secondMoment(s, g²)` is the new s.
private func adamLike(_ params: [Parameter], _ states: inout [(v: Tensor, s: Tensor)], _ hyperparams: inout Hyperparams,
                      eps: Float, secondMoment: (Tensor, Tensor) -> Tensor) {
    let beta1: Float = 0.9, beta2: Float = 0.999, t = hyperparams["t"]!
    withNoGrad {
        for (i, p) in params.enumerated() {
            let g = p.grad!
            let v = beta1 * states[i].v + (1 - beta1) * g
            let s = secondMoment(states[i].s, g.square())
            states[i] = (v, s)
            let vHat = v / (1 - Float(Foundation.pow(Double(beta1), Double(t)))), sHat = s / (1 - Float(Foundation.pow(Double(beta2), Double(t))))
            p.value = p.value - hyperparams["lr"]! * vHat / (sHat.sqrt() + eps)
            p.zeroGrad()
        }
    }
    hyperparams["t"]! += 1
}

/// `sign(x)` from primitives: `(x > 0) − (x < 0)`.
func sign(_ x: Tensor) -> Tensor { (x .> 0) - (x .< 0) }
