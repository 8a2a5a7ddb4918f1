import Tensor

/// The book's masked softmax cross-entropy for sequences (§9.7.2 `MaskedSoftmaxCELoss`):
/// `pred` `(B, T, V)` logits, `label` `(B, T)` token ids, `validLen` `(B)`; returns one loss per
/// sequence `(B)`, the mean over **all** `T` steps of the token cross-entropy times the mask
/// (1 for `t < validLen[b]`, else 0). So padding adds nothing, and a sequence's loss is its summed
/// valid-token loss divided by `T`, not by its length (as in the book).
///
/// ```swift
/// let loss = MaskedSoftmaxCELoss()
/// loss(Tensor.ones([3, 4, 10]), Tensor.ones([3, 4]), validLen: [4, 2, 0])   // [2.3026, 1.1513, 0]
/// ```
public struct MaskedSoftmaxCELoss {
    public init() {}

    public func callAsFunction(_ pred: Tensor, _ label: Tensor, validLen: [Int],
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(pred.rank == 3 && label.shape == Array(pred.shape.prefix(2)),
                   "MaskedSoftmaxCELoss: pred \(describeShape(pred.shape)) must be (batch, steps, vocab) and label "
                   + "\(describeShape(label.shape)) (batch, steps)", file: file, line: line)
        let weights = sequenceMask(Tensor.ones(label.shape), validLen: validLen, file: file, line: line)
        let unweighted = CrossEntropyLoss(reduction: .none)(pred, label, file: file, line: line)
        return (unweighted * weights).mean(alongAxes: [1])
    }

    public func callAsFunction(_ pred: Tensor, _ label: Tensor, validLen: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        callAsFunction(pred, label, validLen: validLen.scalars.map { Int($0) }, file: file, line: line)
    }
}

/// Cross-entropy that skips the targets equal to `ignoreIndex` (PyTorch's
/// `F.cross_entropy(logits, labels, ignore_index=…)`, the concise way to mask padding): logits
/// `(…, C)`, one label per row. `.mean` averages over the targets that are not ignored; `.none`
/// gives 0 at ignored positions.
public func crossEntropy(_ logits: Tensor, _ labels: [Int], ignoreIndex: Int, reduction: Reduction = .mean,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let kept = labels.map { $0 == ignoreIndex ? Float(0) : 1 }
    let safe = labels.map { $0 == ignoreIndex ? 0 : $0 }
    let losses = CrossEntropyLoss(reduction: .none)(logits, safe, file: file, line: line)
    let masked = losses * Tensor(shape: losses.shape, scalars: kept)
    switch reduction {
    case .none: return masked
    case .sum: return masked.sum()
    case .mean: return masked.sum() / Swift.max(kept.reduce(0, +), 1)
    }
}
