import Tensor

/// A building block of a network (PyTorch's `nn.Module`, book §5.1): it owns parameters
/// and sub-modules, and knows whether it is in training or evaluation mode.
///
/// There is no reflection: a module lists what it holds. A custom block writes
///
/// ```swift
/// final class MLP: Layer {
///     let hidden = Linear(inputSize: 20, outputSize: 256)
///     let output = Linear(inputSize: 256, outputSize: 10)
///     var isTraining = true
///     var children: [(name: String, module: Module)] { [("hidden", hidden), ("output", output)] }
///     func callAsFunction(_ x: Tensor) -> Tensor { output(relu(hidden(x))) }
/// }
/// ```
///
/// and gets `parameters()`, `namedParameters()` (`hidden.weight`, `hidden.bias`, …),
/// `train()` / `eval()`, `apply(_:)`, `print(net)` and `saveParameters(to:)` for free.
public protocol Module: AnyObject, CustomStringConvertible {
    /// Direct sub-modules with their names (default: none).
    var children: [(name: String, module: Module)] { get }
    /// Parameters held directly by this module, e.g. `[("weight", w), ("bias", b)]` (default: none).
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// Training mode (true) or evaluation mode; `Dropout` reads it. Set it with `train()` / `eval()`.
    var isTraining: Bool { get set }
    /// The settings shown inside the parentheses by `print(module)`, e.g.
    /// `inputSize: 784, outputSize: 256, bias: true` (PyTorch's `extra_repr`). Default: empty.
    var extraDescription: String { get }
}

extension Module {
    public var children: [(name: String, module: Module)] { [] }
    public var ownParameters: [(name: String, parameter: Parameter)] { [] }
    public var extraDescription: String { "" }

    /// Every parameter of this module and its descendants with a dotted path name, like
    /// PyTorch's `named_parameters()`: `["0.weight", "0.bias", "2.weight", …]`.
    /// A parameter reachable twice (tied weights) is listed once, under its first name.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, parameter: Parameter)] = []
        collectParameters(prefix: "", seen: &seen, into: &result)
        return result
    }

    private func collectParameters(prefix: String, seen: inout Set<ObjectIdentifier>,
                                   into result: inout [(name: String, parameter: Parameter)]) {
        for (name, p) in ownParameters where seen.insert(ObjectIdentifier(p)).inserted {
            result.append((prefix + name, p))
        }
        for (name, child) in children {
            child.collectParameters(prefix: prefix + name + ".", seen: &seen, into: &result)
        }
    }

    /// All parameters (each once, even if shared), in `namedParameters()` order; pass them to an optimizer.
    public func parameters() -> [Parameter] { namedParameters().map { $0.parameter } }

    /// This module and all its descendants, depth first, parents before children
    /// (a module used twice is listed once).
    public func modules() -> [Module] {
        var seen = Set<ObjectIdentifier>()
        var result: [Module] = []
        var stack: [Module] = [self]
        while let m = stack.popLast() {
            guard seen.insert(ObjectIdentifier(m)).inserted else { continue }
            result.append(m)
            stack.append(contentsOf: m.children.map { $0.module }.reversed())
        }
        return result
    }

    /// Calls `body` on every descendant and then on this module (PyTorch's `net.apply(fn)`,
    /// used for initialisation in book §5.2.2):
    ///
    /// ```swift
    /// net.apply { m in
    ///     if let l = m as? Linear { Init.normal(l.weight, std: 0.01); Init.zeros(l.bias!) }
    /// }
    /// ```
    public func apply(_ body: (Module) -> Void) {
        for m in modules().reversed() { body(m) }
    }

    /// Sets training mode on this module and all descendants (enables `Dropout`).
    public func train(_ mode: Bool = true) {
        for m in modules() { m.isTraining = mode }
    }

    /// Sets evaluation mode on this module and all descendants (`Dropout` becomes the identity).
    public func eval() { train(false) }

    /// Clears the gradients of all parameters.
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    /// Total number of scalars in all parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// One line per parameter with its name and shape, then the total, e.g.
    ///
    /// ```
    /// 1.weight  (256, 784)
    /// 1.bias    (256)
    /// total: 203530 parameters
    /// ```
    public func parameterSummary() -> String {
        let named = namedParameters()
        let width = named.map { $0.name.count }.max() ?? 0
        var lines = named.map { name, p in
            name + String(repeating: " ", count: width - name.count + 2) + describeShape(p.shape)
        }
        lines.append("total: \(parameterCount) parameters")
        return lines.joined(separator: "\n")
    }

    /// The readable nested summary printed by `print(net)`, like PyTorch's:
    ///
    /// ```
    /// Sequential(
    ///   (0): Flatten()
    ///   (1): Linear(inputSize: 784, outputSize: 256, bias: true)
    ///   (2): ReLU()
    ///   (3): Linear(inputSize: 256, outputSize: 10, bias: true)
    /// )
    /// ```
    public var moduleDescription: String {
        let name = String(describing: type(of: self))
        let kids = children
        if kids.isEmpty { return "\(name)(\(extraDescription))" }
        var lines = ["\(name)(" + (extraDescription.isEmpty ? "" : extraDescription)]
        for (childName, child) in kids {
            let text = child.description.split(separator: "\n", omittingEmptySubsequences: false)
                .joined(separator: "\n  ")
            lines.append("  (\(childName)): \(text)")
        }
        lines.append(")")
        return lines.joined(separator: "\n")
    }

    public var description: String { moduleDescription }
}

/// A module that maps one tensor to one tensor; what `Sequential` chains.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}
