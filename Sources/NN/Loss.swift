import Tensor

/// How a loss combines the per-example values (PyTorch's `reduction`).
public enum Reduction {
    /// The mean over all elements (the default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one loss per element (per example for cross-entropy).
    case none

    /// Applies the reduction to a tensor of per-element losses.
    public func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}

/// Squared error `(ŷ − y)²`, averaged by default (book §3.3, PyTorch's `nn.MSELoss`).
/// Unlike the scratch `squaredLoss` of §3.2 it has no ½.
///
/// ```swift
/// let loss = MSELoss()
/// let l = loss(net(X), y)
/// ```
public struct MSELoss {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func callAsFunction(_ prediction: Tensor, _ target: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(prediction.shape == target.shape,
                   "MSELoss: prediction shape \(describeShape(prediction.shape)) and target shape "
                   + "\(describeShape(target.shape)) differ (reshape the target, e.g. y.reshaped(to: [-1, 1]))",
                   file: file, line: line)
        let d = prediction - target
        return reduction.apply(d * d)
    }
}

/// Huber loss (book §3.3 exercise; PyTorch's `nn.HuberLoss` / `SmoothL1Loss` with `beta`):
/// `½d²/β` where `|d| < β`, else `|d| − ½β`, with `d = ŷ − y`. Quadratic near zero, linear
/// (robust to outliers) far from it; the gradient is `clamp(d/β, −1, 1)`.
public struct HuberLoss {
    public var beta: Float
    public var reduction: Reduction
    public init(beta: Float = 1, reduction: Reduction = .mean) {
        self.beta = beta
        self.reduction = reduction
    }

    public func callAsFunction(_ prediction: Tensor, _ target: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(prediction.shape == target.shape,
                   "HuberLoss: prediction shape \(describeShape(prediction.shape)) and target shape "
                   + "\(describeShape(target.shape)) differ", file: file, line: line)
        shapeCheck(beta > 0, "HuberLoss: beta must be positive, got \(beta)", file: file, line: line)
        let n = prediction.count, beta = self.beta
        let d = TensorStorage(uninitializedCount: n), out = TensorStorage(uninitializedCount: n)
        let pp = prediction.storage.pointer, pt = target.storage.pointer
        for i in 0..<n {
            let di = pp[i] - pt[i]
            d.pointer[i] = di
            let a = abs(di)
            out.pointer[i] = a < beta ? 0.5 * di * di / beta : a - 0.5 * beta
        }
        let diff = Tensor(shape: prediction.shape, storage: d)
        let losses = Tensor.record("huber", Tensor(shape: prediction.shape, storage: out),
                                   inputs: [prediction, target]) { g, needs in
            // ∂/∂ŷ = clamp(d/β, −1, 1); ∂/∂y is its negative.
            let s = TensorStorage(uninitializedCount: n)
            for i in 0..<n { s.pointer[i] = min(1, max(-1, diff.storage.pointer[i] / beta)) }
            let gp = g * Tensor(shape: diff.shape, storage: s)
            return [needs[0] ? gp : nil, needs[1] ? -gp : nil]
        }
        return reduction.apply(losses)
    }
}

/// Cross-entropy of logits against class labels (book §3.7, PyTorch's `nn.CrossEntropyLoss`):
/// `ℓᵢ = −log softmax(oᵢ)[yᵢ] = log Σⱼ exp(oᵢⱼ) − oᵢ,yᵢ`, computed from the logits with the
/// stable `logSoftmax` (the book's "LogSumExp trick", §3.7.2), so large logits do not overflow.
/// Its gradient with respect to the logits is `softmax(oᵢ) − onehot(yᵢ)` (§3.4.6.2).
///
/// Logits are `(n, C)` (or `(…, C)`, flattened to rows); labels are `n` class indices, as
/// `[Int]` or a tensor of whole-number `Float`s. With `.none` the result has the leading shape.
///
/// ```swift
/// let loss = CrossEntropyLoss(reduction: .none)   // train_ch3 then takes .mean()
/// let l = loss(net(X), y)
/// ```
public struct CrossEntropyLoss {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }

    public func callAsFunction(_ logits: Tensor, _ labels: [Int],
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(logits.rank >= 1 && shapeCount(Array(logits.shape.dropLast())) == labels.count,
                   "CrossEntropyLoss: logits of shape \(describeShape(logits.shape)) need one label per row, got \(labels.count) labels",
                   file: file, line: line)
        let classes = logits.shape.last!
        for (i, l) in labels.enumerated() where l < 0 || l >= classes {
            fatalError("CrossEntropyLoss: label \(l) at position \(i) is out of range for \(classes) classes "
                       + "(logits of shape \(describeShape(logits.shape)))", file: file, line: line)
        }
        let rows = logits.rank == 2 ? logits : logits.reshaped(to: [labels.count, classes])
        let losses = -rows.logSoftmax(axis: -1, file: file, line: line).pick(labels, file: file, line: line)
        if reduction == .none && logits.rank != 2 { return losses.reshaped(to: Array(logits.shape.dropLast())) }
        return reduction.apply(losses)
    }

    public func callAsFunction(_ logits: Tensor, _ labels: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        callAsFunction(logits, labels.indexValues(op: "CrossEntropyLoss", what: "label", file: file, line: line),
                       file: file, line: line)
    }
}
