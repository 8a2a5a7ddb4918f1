import Foundation

/// What a training loop measured (the one history type of `trainCh3`, `trainCh6`, and the
/// loops to come): one `Epoch` per epoch, the animator's intermediate points, the figure.
///
/// For the sequence loops (`trainCh8`, `trainSeq2seq`) `trainLoss` is the mean loss per token,
/// `examples` counts tokens, and `perplexity` is `exp(trainLoss)`; they leave the accuracies nil.
public struct TrainingHistory {
    /// The numbers of one epoch.
    public struct Epoch {
        /// Mean training loss over the epoch's examples (computed while training, as the book does).
        public var trainLoss: Double
        /// Fraction of the epoch's training examples classified correctly (nil: not a classifier).
        public var trainAcc: Double?
        /// Fraction of the test set classified correctly after the epoch (nil: not measured).
        public var testAcc: Double?
        /// Seconds of training (what each loop times: see its documentation).
        public var seconds: Double
        /// Training examples (tokens, for sequence models) seen in the epoch.
        public var examples: Int

        public init(trainLoss: Double, trainAcc: Double? = nil, testAcc: Double? = nil, seconds: Double = 0,
                    examples: Int = 0) {
            self.trainLoss = trainLoss
            self.trainAcc = trainAcc
            self.testAcc = testAcc
            self.seconds = seconds
            self.examples = examples
        }

        /// `exp(trainLoss)`: the perplexity of a mean cross-entropy per token (book §9.3).
        public var perplexity: Double { exp(trainLoss) }

        /// `loss 0.469, train acc 0.823, test acc 0.779` (the parts that were measured).
        public func summary(lossDecimals: Int = 3) -> String {
            var parts = ["loss \(formatFixed(trainLoss, decimals: lossDecimals))"]
            if let trainAcc { parts.append("train acc \(formatFixed(trainAcc, decimals: 3))") }
            if let testAcc { parts.append("test acc \(formatFixed(testAcc, decimals: 3))") }
            return parts.joined(separator: ", ")
        }
    }

    public var epochs: [Epoch] = []
    /// Points the animator drew inside epochs: x in epochs (fractional), running loss and accuracy.
    public var logged: [(x: Double, loss: Double, acc: Double?)] = []
    /// Where the training-curve figure was written, if it was.
    public var figure: URL?

    public init() {}

    /// The last epoch (what the book prints). Stops with a message if no epoch ran.
    public var final: Epoch {
        guard let last = epochs.last else { fatalError("TrainingHistory.final: no epoch was recorded") }
        return last
    }

    /// Per-epoch series, for plots and tests.
    public var trainLoss: [Double] { epochs.map(\.trainLoss) }
    public var trainAcc: [Double] { epochs.compactMap(\.trainAcc) }
    public var testAcc: [Double] { epochs.compactMap(\.testAcc) }
    public var epochSeconds: [Double] { epochs.map(\.seconds) }

    /// Total seconds of training over all epochs.
    public var trainingSeconds: Double { epochs.reduce(0) { $0 + $1.seconds } }

    /// Mean seconds of training per epoch.
    public var secondsPerEpoch: Double { epochs.isEmpty ? 0 : trainingSeconds / Double(epochs.count) }

    /// Training examples (or tokens) per second of training time, over all epochs.
    public var examplesPerSecond: Double {
        let seconds = trainingSeconds
        return seconds > 0 ? Double(epochs.reduce(0) { $0 + $1.examples }) / seconds : 0
    }
}
