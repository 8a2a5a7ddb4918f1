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

/// Saves `<prefix>-<name>.svg` and `<prefix>-<name>-grad.svg` for each activation (a figure that
/// cannot be written is a warning); returns the files written.
func plotActivations(prefix: String = "ch04-activations", warnings: TextOutput = .standardError) -> [URL] {
    var urls: [URL] = []
    for (name, f) in activations {
        let (x, y, grad) = activationCurve(f)
        let curves: [(String, [Float], String)] = [("\(prefix)-\(name)", y, "\(name)(x)"),
                                                   ("\(prefix)-\(name)-grad", grad, "grad of \(name)")]
        for (file, values, ylabel) in curves {
            if let url = Figures.saveOrWarn(file, warnings: warnings, {
                try plot(x: x, y: [values], xlabel: "x", ylabel: ylabel, figsize: (5, 2.5), file: file)
            }) { urls.append(url) }
        }
    }
    return urls
}
