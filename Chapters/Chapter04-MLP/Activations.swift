import D2L
import Foundation
import Tensor

// §4.1.2 Activation functions: ReLU, sigmoid and tanh on x ∈ [−8, 8) and their derivatives
// from autograd (`y.backward(gradient: ones)` puts dy/dx in x.grad).

/// The three activations, as the book plots them.
let activations: [(name: String, f: (Tensor) -> Tensor)] = [
    ("relu", { $0.relu() }), ("sigmoid", { $0.sigmoid() }), ("tanh", { $0.tanh() }),
]

/// Values and autograd derivatives of `f` on x = −8, −7.9, …, 7.9.
func activationCurve(_ f: (Tensor) -> Tensor) -> (x: [Float], y: [Float], grad: [Float]) {
    var x = Tensor.arange(-8, 8, step: 0.1)
    x.requiresGrad = true
    let y = f(x)
    y.backward(gradient: Tensor.ones(like: y))
    return (x.scalars, y.scalars, x.grad!.scalars)
}

/// Saves `ch04-<name>.svg` and `ch04-<name>-grad.svg` for each activation; returns the files.
func plotActivations() throws -> [URL] {
    var urls: [URL] = []
    for (name, f) in activations {
        let (x, y, grad) = activationCurve(f)
        urls.append(try plot(x: x, y: [y], xlabel: "x", ylabel: "\(name)(x)", figsize: (5, 2.5), file: "ch04-\(name)"))
        urls.append(try plot(x: x, y: [grad], xlabel: "x", ylabel: "grad of \(name)", figsize: (5, 2.5),
                             file: "ch04-\(name)-grad"))
    }
    return urls
}
