import Foundation

/// Where a training loop reports: the one "reporting options" value every loop of the book
/// takes (`trainCh3`, `trainCh6`, and next `trainCh8`, `trainSeq2seq`, `trainCh11`).
///
/// The shared vocabulary of the training loops:
/// - `Layer` is the one network type (a scratch model is wrapped as a `Layer`, like
///   `DropoutMLPScratch`, so `train()` / `eval()` work the same for both versions);
/// - `Reporting` says where the lines, the progress bar and the figure go;
/// - `TrainingHistory` is what every loop returns: one `TrainingHistory.Epoch` per epoch plus
///   the animator's points;
/// - `checkFinite(_:epoch:batch:)` is called on every batch loss: a NaN or infinite loss stops
///   the loop with `TrainingError.nonFiniteLoss`, naming the epoch and batch.
///
/// Each loop body stays explicit and named after the book (the minibatch step, `Accumulator`,
/// `Animator`, `Timer`); only these four pieces are shared.
///
///     let report = Reporting(figure: "ch05-lenet-concise")          // lines on stdout, bar on stderr
///     let history = try trainCh6(net: lenet(), trainIter: train, testIter: test,
///                                numEpochs: 10, lr: 0.9, report: report)
///     print(history.final.summary())
public struct Reporting {
    /// Where the result lines (`epoch 1, loss …`) go.
    public var output: TextOutput
    /// Where the per-epoch progress bar goes; nil draws none.
    public var progress: TextOutput?
    /// The training-curve figure's file name (in `Figures.directory`, or a path); nil writes none.
    public var figure: String?
    /// Where warnings go (a figure that cannot be written).
    public var warnings: TextOutput

    public init(output: TextOutput = .standardOutput, progress: TextOutput? = .standardError,
                figure: String? = nil, warnings: TextOutput = .standardError) {
        self.output = output
        self.progress = progress
        self.figure = figure
        self.warnings = warnings
    }

    /// Nothing printed, no bar, no figure (tests).
    public static var silent: Reporting {
        let discard = TextOutput(isTerminal: false) { _ in }
        return Reporting(output: discard, progress: nil, figure: nil, warnings: discard)
    }

    /// This reporting with another figure name.
    public func figure(_ name: String?) -> Reporting {
        var r = self
        r.figure = name
        return r
    }

    /// Writes one line (a newline is added).
    public func say(_ line: String) { output.write(line + "\n") }

    /// A progress bar for one epoch, if progress is shown.
    public func progressBar(total: Int, title: String) -> ProgressBar? {
        progress.map { ProgressBar(total: max(total, 1), title: title, output: $0) }
    }

    /// Saves the animator to `figure` (if set); on failure warns once per call and returns nil.
    public func save(_ animator: Animator) -> URL? {
        guard let figure else { return nil }
        return Figures.saveOrWarn(figure, warnings: warnings) { try animator.plot.save(figure) }
    }
}
