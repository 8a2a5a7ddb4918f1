import Tensor

/// A building block of a network (PyTorch's `nn.Module`, book §5.1): it owns parameters,
/// buffers (state that is saved but not trained, such as batch norm's running statistics) and
/// sub-modules, and knows whether it is in training or evaluation mode.
///
/// There is no reflection: a module lists what it holds. A custom block writes
///
/// ```swift
/// final class MLP: ModuleBase, Layer {
///     let hidden = Linear(inputSize: 20, outputSize: 256)
///     let output = Linear(inputSize: 256, outputSize: 10)
///     var children: [(name: String, module: Module)] { [("hidden", hidden), ("output", output)] }
///     func callAsFunction(_ x: Tensor) -> Tensor { output(relu(hidden(x))) }
/// }
/// ```
///
/// and gets `parameters()`, `namedParameters()` (`hidden.weight`, `hidden.bias`, …),
/// `namedBuffers()`, `train()` / `eval()`, `apply(_:)`, `print(net)` and `saveParameters(to:)`
/// for free. `ModuleBase` holds the training flag; a class that does not inherit from it
/// declares `var isTraining = true` itself.
public protocol Module: AnyObject, CustomStringConvertible {
    /// Direct sub-modules with their names (default: none).
    var children: [(name: String, module: Module)] { get }
    /// Parameters held directly by this module, e.g. `[("weight", w), ("bias", b)]` (default: none).
    var ownParameters: [(name: String, parameter: Parameter)] { get }
    /// Buffers held directly by this module under their PyTorch names, e.g.
    /// `[("running_mean", runningMean), ("running_var", runningVar)]` (default: none). See `Buffer`.
    var ownBuffers: [(name: String, buffer: Buffer)] { get }
    /// Training mode (true) or evaluation mode; `Dropout` and batch norm read it. Set it with
    /// `train()` / `eval()`, which set it on every descendant. `ModuleBase` stores it.
    var isTraining: Bool { get set }
    /// The settings shown inside the parentheses by `print(module)`, e.g.
    /// `inputSize: 784, outputSize: 256, bias: true` (PyTorch's `extra_repr`). Default: empty.
    var extraDescription: String { get }
}

extension Module {
    public var children: [(name: String, module: Module)] { [] }
    public var ownParameters: [(name: String, parameter: Parameter)] { [] }
    public var ownBuffers: [(name: String, buffer: Buffer)] { [] }
    public var extraDescription: String { "" }

    /// Every parameter of this module and its descendants with a dotted path name, like
    /// PyTorch's `named_parameters()`: `["0.weight", "0.bias", "2.weight", …]`.
    /// A parameter reachable twice (tied weights) is listed once, under its first name.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        collectNamed { $0.ownParameters.map { ($0.name, $0.parameter) } }.map { (name: $0.0, parameter: $0.1) }
    }

    /// What `own` lists for this module and its descendants, depth first, under dotted paths;
    /// an object reachable twice is listed once, under its first name.
    private func collectNamed<T: AnyObject>(_ own: (Module) -> [(String, T)]) -> [(String, T)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(String, T)] = []
        func visit(_ m: Module, _ prefix: String) {
            for (name, x) in own(m) where seen.insert(ObjectIdentifier(x)).inserted { result.append((prefix + name, x)) }
            for (name, child) in m.children { visit(child, prefix + name + ".") }
        }
        visit(self, "")
        return result
    }

    /// Every buffer of this module and its descendants with a dotted path name, like PyTorch's
    /// `named_buffers()`: `["1.running_mean", "1.running_var", "1.num_batches_tracked", …]`.
    /// A buffer reachable twice is listed once, under its first name.
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        collectNamed { $0.ownBuffers.map { ($0.name, $0.buffer) } }.map { (name: $0.0, buffer: $0.1) }
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

/// The base class of the library's layers: it stores the one training flag that `train()` /
/// `eval()` set (PyTorch's `Module.training`), so a layer does not declare its own. Subclass it
/// and conform to `Layer` (or `Module`):
///
/// ```swift
/// final class Residual: ModuleBase, Layer { … }
/// ```
///
/// (`ModuleBase` itself does not conform to `Module`, so a subclass's `ownParameters`,
/// `ownBuffers` and `children` are the ones the protocol sees.)
open class ModuleBase {
    /// Training mode (true, the initial state) or evaluation mode.
    public var isTraining = true
    public init() {}
}

/// A module that maps one tensor to one tensor; what `Sequential` chains.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}
