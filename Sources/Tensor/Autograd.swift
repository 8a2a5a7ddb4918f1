import Dispatch

/// Reverse-mode automatic differentiation on a dynamic graph (book §2.5), in the style
/// of micrograd: every op computes its result, then records its inputs and a closure
/// that maps the gradient of the result to the gradients of its inputs.
/// `backward()` sorts the graph topologically and walks it in reverse, adding (`+=`)
/// each input's share into its `.grad`.
///
/// Gradients accumulate: call `zeroGrad()` (or the optimizer's `zeroGrad()`) once per
/// step, as PyTorch requires, or a second `backward()` doubles them.

/// One recorded value in the graph.
final class GradNode {
    /// Name of the op that produced the value (for error messages).
    let op: String
    /// Shape of the value.
    let shape: [Int]
    /// The nodes of the inputs that need gradients (nil for inputs that do not).
    let inputs: [GradNode?]
    /// Maps the gradient of this value to gradients of the inputs (nil where
    /// `needs[i]` is false). Released after `backward()` to free the saved tensors.
    var backwardFn: ((Tensor, [Bool]) -> [Tensor?])?
    /// Accumulated gradient. Kept for leaves; freed for intermediate values after use.
    var grad: Tensor?
    /// A leaf is a tensor the user marked with `requiresGrad` (a parameter).
    let isLeaf: Bool
    /// Set once `backward()` has run through this node and released its closure.
    var released = false

    init(leafWithShape shape: [Int]) {
        op = "leaf"; self.shape = shape; inputs = []; backwardFn = nil; isLeaf = true
    }

    init(op: String, shape: [Int], inputs: [GradNode?], backward: @escaping (Tensor, [Bool]) -> [Tensor?]) {
        self.op = op; self.shape = shape; self.inputs = inputs; backwardFn = backward; isLeaf = false
    }
}

/// An optional hook that times each op's backward closure (benchmarks set it; nil, the
/// default, costs one check per node). Receives the op name and the nanoseconds it took.
public enum AutogradProfiler {
    public static var record: ((_ op: String, _ nanoseconds: UInt64) -> Void)?
}

/// Whether ops record the graph. Off inside `withNoGrad` (evaluation, parameter updates).
public enum GradMode {
    public static var isEnabled = true
}

/// Runs `body` without recording the autograd graph (PyTorch's `torch.no_grad()`):
/// use it for evaluation and for parameter updates.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let saved = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = saved }
    return try body()
}

extension Tensor {
    /// Whether gradients are computed for this tensor. Setting it to `true` makes the
    /// tensor a leaf of the graph (a parameter); `false` detaches it.
    public var requiresGrad: Bool {
        get { node != nil }
        set {
            if newValue {
                if node == nil || !(node!.isLeaf) { node = GradNode(leafWithShape: shape) }
            } else {
                node = nil
            }
        }
    }

    /// True for tensors made by the user (not by an op on tensors that require grad).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// The accumulated gradient of a leaf after `backward()`; nil before the first one.
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set { node?.grad = newValue }
    }

    /// Sets `.grad` to nil (the next `backward()` starts from zero).
    public func zeroGrad() { node?.grad = nil }

    /// The same values, cut from the graph: no gradient flows through the result.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Records `result` as computed by `op` from `inputs`, when grad mode is on and an input
    /// needs a gradient. `backward` receives the gradient of `result` and a flag per input
    /// telling whether that input needs one, and returns one gradient (or nil) per input,
    /// each of the input's shape. It must not capture `result` itself with its node
    /// (capture `result.detached()`), or the graph would keep itself alive.
    public static func record(_ op: String, _ result: Tensor, inputs: [Tensor],
                              backward: @escaping (_ grad: Tensor, _ needs: [Bool]) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return result }
        var r = result
        r.node = GradNode(op: op, shape: result.shape, inputs: inputs.map { $0.node }, backward: backward)
        return r
    }

    /// Back-propagates from a scalar (book §2.5): fills `.grad` of every leaf this value
    /// depends on, adding to what is there.
    public func backward(file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(count == 1,
                   "backward(): can only be called on a scalar (one element), but this tensor has shape "
                   + "\(describeShape(shape)); reduce it first, e.g. loss.sum().backward() or loss.mean().backward()",
                   file: file, line: line)
        backward(gradient: Tensor.ones(shape), file: file, line: line)
    }

    /// Back-propagates a given gradient of this value (of the same shape), like
    /// PyTorch's `y.backward(gradient)`.
    public func backward(gradient: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        guard let root = node else {
            fatalError("backward(): this tensor does not require grad: set requiresGrad = true on the "
                       + "parameters it is computed from (and compute it outside withNoGrad)", file: file, line: line)
        }
        shapeCheck(gradient.shape == shape,
                   "backward(gradient:): gradient shape \(describeShape(gradient.shape)) differs from the value's \(describeShape(shape))",
                   file: file, line: line)
        // Topological order by an iterative depth-first search (graphs of long RNN
        // unrolls are deep, so no recursion).
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, i) = stack.popLast() {
            if i < n.inputs.count {
                stack.append((n, i + 1))
                if let child = n.inputs[i], !visited.contains(ObjectIdentifier(child)) {
                    visited.insert(ObjectIdentifier(child))
                    stack.append((child, 0))
                }
            } else {
                order.append(n)
            }
        }
        withNoGrad {
            Tensor.accumulate(gradient.detached(), into: root)
            for n in order.reversed() where !n.isLeaf {
                guard let g = n.grad else { continue }
                guard let fn = n.backwardFn else {
                    fatalError("backward(): the graph through '\(n.op)' was already used by an earlier backward(); "
                               + "recompute the forward pass (the graph is freed after backward, as in PyTorch)",
                               file: file, line: line)
                }
                let needs = n.inputs.map { $0 != nil }
                let grads: [Tensor?]
                if let profile = AutogradProfiler.record {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    grads = fn(g, needs)
                    profile(n.op, DispatchTime.now().uptimeNanoseconds &- t0)
                } else {
                    grads = fn(g, needs)
                }
                shapeCheck(grads.count == n.inputs.count,
                           "autograd: op '\(n.op)' returned \(grads.count) gradients for \(n.inputs.count) inputs",
                           file: file, line: line)
                for (input, gi) in zip(n.inputs, grads) {
                    guard let input = input, let gi = gi else { continue }
                    shapeCheck(gi.shape == input.shape,
                               "autograd: op '\(n.op)' returned a gradient of shape \(describeShape(gi.shape)) "
                               + "for an input of shape \(describeShape(input.shape))", file: file, line: line)
                    Tensor.accumulate(gi, into: input)
                }
                n.grad = nil
                n.backwardFn = nil
                n.released = true
            }
        }
    }

    /// `node.grad += g` (in place when the gradient buffer is not shared).
    static func accumulate(_ g: Tensor, into node: GradNode) {
        if var existing = node.grad {
            node.grad = nil  // drop the node's reference so the add can run in place
            existing.addInPlace(g)
            node.grad = existing
        } else {
            node.grad = g.detached()
        }
    }

    /// `self += other` elementwise (same shape), in place, without recording a graph.
    public mutating func addInPlace(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(shape == other.shape,
                   "addInPlace: shapes \(describeShape(shape)) and \(describeShape(other.shape)) differ",
                   file: file, line: line)
        let n = count
        let src = other.storage.pointer
        withUnsafeMutableBufferPointer { dst in
            Kernels.addInPlace(dst.baseAddress!, src, n)
        }
    }
}
