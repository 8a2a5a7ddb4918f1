/// Why a training loop stopped early.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// The loss of a batch was NaN or infinite: the run diverged (epoch and batch count from 1).
    case nonFiniteLoss(value: Double, epoch: Int, batch: Int)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let value, let epoch, let batch):
            return "training diverged: the loss is \(value) at epoch \(epoch), batch \(batch); "
                + "the learning rate is probably too large: try a smaller --lr"
        }
    }
}

/// The divergence check every training loop runs on each batch loss (epoch and batch count
/// from 1): NaN or ±∞ throws `TrainingError.nonFiniteLoss`, so a diverged run stops at once
/// with one clear line instead of printing `loss nan` for the remaining epochs.
@inline(__always)
public func checkFinite(_ loss: Double, epoch: Int, batch: Int) throws {
    if !loss.isFinite { throw TrainingError.nonFiniteLoss(value: loss, epoch: epoch, batch: batch) }
}
