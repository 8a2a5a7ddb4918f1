import Foundation

/// A learning-rate schedule (book §11.11; PyTorch's `torch.optim.lr_scheduler`). A scheduler
/// knows the optimizer's initial rate `baseLR` and gives the rate for each epoch; `step()`,
/// called once per epoch after the optimizer's steps, advances the epoch and writes the new
/// rate into `optimizer.lr` (groups with their own `lr` keep it).
///
/// ```swift
/// let scheduler = StepLR(optimizer: trainer, stepSize: 10, gamma: 0.5)
/// for epoch in 0..<numEpochs { trainEpoch(); scheduler.step() }
/// ```
public protocol LRScheduler: AnyObject {
    var optimizer: Optimizer { get }
    /// The learning rate at epoch 0.
    var baseLR: Float { get }
    /// Epochs completed (PyTorch's `last_epoch`).
    var epoch: Int { get set }
    /// The rate for `epoch` (closed form).
    func lr(at epoch: Int) -> Float
}

extension LRScheduler {
    /// Ends an epoch: `epoch += 1` and `optimizer.lr = lr(at: epoch)`.
    public func step() {
        epoch += 1
        optimizer.lr = lr(at: epoch)
    }

    /// The rates of epochs `0..<n`.
    public func lrs(_ n: Int) -> [Float] { (0..<n).map { lr(at: $0) } }
}

/// `η_e = η₀ · γ^⌊e / stepSize⌋` (PyTorch `StepLR`).
public final class StepLR: LRScheduler {
    public let optimizer: Optimizer
    public let baseLR: Float
    public var epoch = 0
    public let stepSize: Int
    public let gamma: Float

    public init(optimizer: Optimizer, stepSize: Int, gamma: Float = 0.1) {
        guard stepSize > 0 else { fatalError("StepLR: stepSize must be positive, got \(stepSize)") }
        self.optimizer = optimizer
        baseLR = optimizer.lr
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func lr(at epoch: Int) -> Float { baseLR * Float(Foundation.pow(Double(gamma), Double(epoch / stepSize))) }
}

/// `η_e = η₀ · γ^(number of milestones ≤ e)` (PyTorch `MultiStepLR`; the book's
/// `MultiFactorScheduler` uses milestones [15, 30], γ = 0.5).
public final class MultiStepLR: LRScheduler {
    public let optimizer: Optimizer
    public let baseLR: Float
    public var epoch = 0
    public let milestones: [Int]
    public let gamma: Float

    public init(optimizer: Optimizer, milestones: [Int], gamma: Float = 0.1) {
        self.optimizer = optimizer
        baseLR = optimizer.lr
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func lr(at epoch: Int) -> Float {
        baseLR * Float(Foundation.pow(Double(gamma), Double(milestones.filter { $0 <= epoch }.count)))
    }
}

/// Cosine annealing with an optional linear warm-up (PyTorch `CosineAnnealingLR`'s closed form,
/// preceded by `warmupEpochs` of linear increase from `warmupStartLR`, as the book's
/// `CosineScheduler` does):
///
///     e < w:        η_e = η_start + (η₀ − η_start)·e / w
///     w ≤ e ≤ T:    η_e = η_min + (η₀ − η_min)·(1 + cos(π(e − w)/(T − w))) / 2
///     e > T:        η_e = η_min
public final class CosineAnnealingLR: LRScheduler {
    public let optimizer: Optimizer
    public let baseLR: Float
    public var epoch = 0
    public let tMax: Int
    public let etaMin: Float
    public let warmupEpochs: Int
    public let warmupStartLR: Float

    public init(optimizer: Optimizer, tMax: Int, etaMin: Float = 0, warmupEpochs: Int = 0, warmupStartLR: Float = 0) {
        guard tMax > warmupEpochs, warmupEpochs >= 0 else {
            fatalError("CosineAnnealingLR: need tMax > warmupEpochs ≥ 0, got tMax \(tMax), warmupEpochs \(warmupEpochs)")
        }
        self.optimizer = optimizer
        baseLR = optimizer.lr
        self.tMax = tMax
        self.etaMin = etaMin
        self.warmupEpochs = warmupEpochs
        self.warmupStartLR = warmupStartLR
    }

    public func lr(at epoch: Int) -> Float {
        if epoch < warmupEpochs {
            return warmupStartLR + (baseLR - warmupStartLR) * Float(epoch) / Float(warmupEpochs)
        }
        if epoch > tMax { return etaMin }
        let progress = Double(epoch - warmupEpochs) / Double(tMax - warmupEpochs)
        return etaMin + (baseLR - etaMin) * Float((1 + cos(Double.pi * progress)) / 2)
    }
}
