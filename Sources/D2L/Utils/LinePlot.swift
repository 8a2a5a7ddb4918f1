import Foundation

/// A line chart written as a standalone SVG file: the Swift counterpart of the book's
/// `d2l.plot` / `d2l.set_axes` (§2.4). Several series, legend, axis labels, limits (data outside
/// them is clipped at the frame), linear or log scales, the book's formats and colours.
///
///     var fig = LinePlot(xlabel: "epoch", ylabel: "loss", yscale: .log)
///     fig.add(x: epochs, y: trainLoss, label: "train")
///     fig.add(x: epochs, y: testLoss, label: "test")
///     print("saved", try fig.save("weight-decay").path)
public struct LinePlot {
    public struct Series {
        public var x: [Double]
        public var y: [Double]
        public var label: String?
        /// nil: the next format of `fmts`.
        public var format: PlotFormat?

        public init(x: [Double], y: [Double], label: String? = nil, format: PlotFormat? = nil) {
            self.x = x
            self.y = y
            self.label = label
            self.format = format
        }
    }

    public var series: [Series] = []
    public var xlabel: String?
    public var ylabel: String?
    public var title: String?
    /// Labels given to the series in order (the book's `legend=`); a series' own label wins.
    public var legend: [String]
    public var xlim: ClosedRange<Double>?
    public var ylim: ClosedRange<Double>?
    public var xscale: AxisScale
    public var yscale: AxisScale
    /// Formats cycled over the series (the book's `fmts=`).
    public var fmts: [String]
    /// Width and height in inches (the book's `figsize=(3.5, 2.5)`).
    public var figsize: (Double, Double)

    public init(xlabel: String? = nil, ylabel: String? = nil, legend: [String] = [],
                xlim: ClosedRange<Double>? = nil, ylim: ClosedRange<Double>? = nil,
                xscale: AxisScale = .linear, yscale: AxisScale = .linear,
                fmts: [String] = PlotFormat.bookDefaults, figsize: (Double, Double) = (3.5, 2.5),
                title: String? = nil) {
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.legend = legend
        self.xlim = xlim
        self.ylim = ylim
        self.xscale = xscale
        self.yscale = yscale
        self.fmts = fmts.isEmpty ? ["-"] : fmts
        self.figsize = figsize
        self.title = title
    }

    /// Adds a series; `x` and `y` must have the same length.
    public mutating func add<T: BinaryFloatingPoint>(x: [T], y: [T], label: String? = nil, format: String? = nil,
                                                     file: StaticString = #fileID, line: UInt = #line) {
        if x.count != y.count {
            fatalError("LinePlot.add: x has \(x.count) values but y has \(y.count)", file: file, line: line)
        }
        series.append(Series(x: x.map { Double($0) }, y: y.map { Double($0) }, label: label,
                             format: format.map { PlotFormat($0, file: file, line: line) }))
    }

    /// The SVG text of the figure.
    public func svg() -> String {
        var doc = SVGDocument(widthInches: figsize.0, heightInches: figsize.1)
        draw(into: &doc, area: ScreenRect(x: 0, y: 0, width: doc.width, height: doc.height))
        return doc.render()
    }

    /// Writes the figure to `url` and returns it.
    @discardableResult
    public func save(to url: URL) throws -> URL {
        var doc = SVGDocument(widthInches: figsize.0, heightInches: figsize.1)
        draw(into: &doc, area: ScreenRect(x: 0, y: 0, width: doc.width, height: doc.height))
        return try doc.write(to: url)
    }

    /// Writes the figure to `Figures.url(file)` (by default `figures/<file>.svg`) and returns it.
    @discardableResult
    public func save(_ file: String) throws -> URL { try save(to: Figures.url(file)) }

    func draw(into doc: inout SVGDocument, area: ScreenRect) {
        let formats = series.enumerated().map { i, s in s.format ?? PlotFormat(fmts[i % fmts.count]) }
        let colors = PlotFormat.resolveColors(formats)
        let xLimits = xlim.map { ($0.lowerBound, $0.upperBound) }
            ?? Axis.autoLimits(series.flatMap(\.x), scale: xscale)
        let yLimits = ylim.map { ($0.lowerBound, $0.upperBound) }
            ?? Axis.autoLimits(series.flatMap(\.y), scale: yscale)
        let axes = CartesianAxes(x: Axis(scale: xscale, limits: LinePlot.usable(xLimits, xscale)),
                                 y: Axis(scale: yscale, limits: LinePlot.usable(yLimits, yscale)),
                                 area: area, xlabel: xlabel, ylabel: ylabel, title: title)
        axes.drawGrid(into: &doc)

        var allRuns: [[ScreenPoint]] = []
        var entries: [Legend.Entry] = []
        for (i, s) in series.enumerated() {
            let format = formats[i], color = colors[i]
            let points = zip(s.x, s.y).map { axes.position($0, $1) }
            var group = ""
            if let style = format.lineStyle {
                let runs = visibleRuns(points, in: axes.frame)
                allRuns += runs
                for run in runs {
                    var attributes = [("points", run.map { "\(fmt($0.x)),\(fmt($0.y))" }.joined(separator: " ")),
                                      ("fill", "none"), ("stroke", color), ("stroke-width", "1.5"),
                                      ("stroke-linecap", "square"), ("stroke-linejoin", "round")]
                    if let dash = PlotFormat.dashArray(style, lineWidth: 1.5) {
                        attributes.append(("stroke-dasharray", dash))
                        attributes[4] = ("stroke-linecap", "butt")
                    }
                    group += SVGDocument.element("polyline", attributes)
                }
            }
            if let marker = format.marker {
                let inside = points.compactMap { $0 }.filter { axes.frame.contains($0) }
                allRuns.append(inside)
                for p in inside { group += markerElement(marker, at: p, color: color) }
            }
            let label = s.label ?? (i < legend.count ? legend[i] : nil)
            doc.addRaw(SVGDocument.element("g", [("class", "series"), ("data-label", label ?? "")], content: group))
            if let label, !label.isEmpty { entries.append(Legend.Entry(label: label, handle: .line(color: color, format: format))) }
        }
        axes.drawFrame(into: &doc)
        if !entries.isEmpty {
            let legend = Legend(entries: entries)
            legend.draw(at: legend.bestOrigin(in: axes.frame, avoiding: allRuns), into: &doc)
        }
    }

    /// Limits that an axis can use: increasing, non-degenerate, positive on log axes.
    static func usable(_ limits: (Double, Double), _ scale: AxisScale) -> (Double, Double) {
        var (lo, hi) = limits
        if scale == .log {
            if hi <= 0 { return (1, 10) }
            if lo <= 0 { lo = hi / 1000 }
        }
        if lo == hi { return scale == .log ? (lo / 10, hi * 10) : (lo - 1, hi + 1) }
        return (lo, hi)
    }
}

/// Plots several series against one shared `x` (the book's `d2l.plot(x, [y1, y2], ...)`) and
/// writes `figures/<file>.svg`; returns the file's URL for the caller to print.
@discardableResult
public func plot<T: BinaryFloatingPoint>(
    x: [T], y: [[T]], xlabel: String? = nil, ylabel: String? = nil, legend: [String] = [],
    xlim: ClosedRange<Double>? = nil, ylim: ClosedRange<Double>? = nil,
    xscale: AxisScale = .linear, yscale: AxisScale = .linear,
    fmts: [String] = PlotFormat.bookDefaults, figsize: (Double, Double) = (3.5, 2.5),
    file: String, sourceFile: StaticString = #fileID, line: UInt = #line
) throws -> URL {
    try plot(xs: Array(repeating: x, count: y.count), ys: y, xlabel: xlabel, ylabel: ylabel, legend: legend,
             xlim: xlim, ylim: ylim, xscale: xscale, yscale: yscale, fmts: fmts, figsize: figsize,
             file: file, sourceFile: sourceFile, line: line)
}

/// Plots series that each have their own x values (`xs[i]` against `ys[i]`).
@discardableResult
public func plot<T: BinaryFloatingPoint>(
    xs: [[T]], ys: [[T]], xlabel: String? = nil, ylabel: String? = nil, legend: [String] = [],
    xlim: ClosedRange<Double>? = nil, ylim: ClosedRange<Double>? = nil,
    xscale: AxisScale = .linear, yscale: AxisScale = .linear,
    fmts: [String] = PlotFormat.bookDefaults, figsize: (Double, Double) = (3.5, 2.5),
    file: String, sourceFile: StaticString = #fileID, line: UInt = #line
) throws -> URL {
    if xs.count != ys.count {
        fatalError("plot: \(xs.count) x series but \(ys.count) y series", file: sourceFile, line: line)
    }
    var figure = LinePlot(xlabel: xlabel, ylabel: ylabel, legend: legend, xlim: xlim, ylim: ylim,
                          xscale: xscale, yscale: yscale, fmts: fmts, figsize: figsize)
    for (x, y) in zip(xs, ys) { figure.add(x: x, y: y, file: sourceFile, line: line) }
    return try figure.save(file)
}

/// Plots each series against its index 0, 1, 2, … (the book's `d2l.plot(Y)` with no X).
@discardableResult
public func plot<T: BinaryFloatingPoint>(
    y: [[T]], xlabel: String? = nil, ylabel: String? = nil, legend: [String] = [],
    xlim: ClosedRange<Double>? = nil, ylim: ClosedRange<Double>? = nil,
    xscale: AxisScale = .linear, yscale: AxisScale = .linear,
    fmts: [String] = PlotFormat.bookDefaults, figsize: (Double, Double) = (3.5, 2.5),
    file: String, sourceFile: StaticString = #fileID, line: UInt = #line
) throws -> URL {
    try plot(xs: y.map { series in (0..<series.count).map { T($0) } }, ys: y, xlabel: xlabel, ylabel: ylabel,
             legend: legend, xlim: xlim, ylim: ylim, xscale: xscale, yscale: yscale, fmts: fmts,
             figsize: figsize, file: file, sourceFile: sourceFile, line: line)
}
