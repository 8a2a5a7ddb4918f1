import Foundation

/// Plots data incrementally during training (book §3.6, `d2l.Animator`). Instead of redrawing
/// a notebook cell, `save()` rewrites an SVG file; call it after each epoch so the file is
/// always current, and once more at the end.
///
///     let animator = Animator(xlabel: "epoch", xlim: 1...10, ylim: 0.3...0.9,
///                             legend: ["train loss", "train acc", "test acc"], file: "ch3-softmax")
///     for epoch in 0..<10 {
///         ...
///         animator.add(Double(epoch + 1), [trainLoss, trainAcc, testAcc])
///         try animator.save()
///     }
///
/// `nil` in `add` skips that series for this x (the book logs train metrics several times per
/// epoch and the test accuracy once). `X[i]` / `Y[i]` hold series i.
public final class Animator {
    /// x values of each series.
    public private(set) var X: [[Double]] = []
    /// y values of each series.
    public private(set) var Y: [[Double]] = []
    /// The figure settings; `X`/`Y` become its series when drawn.
    public var figure: LinePlot
    /// Default file for `save()` (a name in `Figures.directory`, or a path).
    public var file: String

    public init(xlabel: String? = nil, ylabel: String? = nil, legend: [String] = [],
                xlim: ClosedRange<Double>? = nil, ylim: ClosedRange<Double>? = nil,
                xscale: AxisScale = .linear, yscale: AxisScale = .linear,
                fmts: [String] = PlotFormat.bookDefaults, figsize: (Double, Double) = (3.5, 2.5),
                file: String = "animator") {
        figure = LinePlot(xlabel: xlabel, ylabel: ylabel, legend: legend, xlim: xlim, ylim: ylim,
                          xscale: xscale, yscale: yscale, fmts: fmts, figsize: figsize)
        self.file = file
    }

    /// Appends the point (x, y[i]) to series i for every non-nil y[i]. The first call fixes
    /// the number of series.
    public func add(_ x: Double, _ y: [Double?], file: StaticString = #fileID, line: UInt = #line) {
        if X.isEmpty {
            X = Array(repeating: [], count: y.count)
            Y = Array(repeating: [], count: y.count)
        }
        if y.count != Y.count {
            fatalError("Animator.add: got \(y.count) values, but the animator has \(Y.count) series",
                       file: file, line: line)
        }
        for (i, value) in y.enumerated() {
            if let value {
                X[i].append(x)
                Y[i].append(value)
            }
        }
    }

    /// One-series form: `add(x, y)`.
    public func add(_ x: Double, _ y: Double) { add(x, [y]) }

    /// The current figure with all points added so far.
    public var plot: LinePlot {
        var figure = self.figure
        figure.series = zip(X, Y).map { LinePlot.Series(x: $0, y: $1) }
        return figure
    }

    /// The SVG text of the current figure.
    public func svg() -> String { plot.svg() }

    /// Writes the current figure to `file` (default `figures/animator.svg`) and returns its URL.
    @discardableResult
    public func save() throws -> URL { try plot.save(file) }

    /// Writes the current figure to `url` and returns it.
    @discardableResult
    public func save(to url: URL) throws -> URL { try plot.save(to: url) }
}
