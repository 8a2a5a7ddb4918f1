import Foundation

/// Contour lines of a function over a grid with a trace drawn on top: the figure of the book's
/// `show_trace_2d` (§11.3), `plt.contour(x1, x2, f(x1, x2), colors='#1f77b4')` under
/// `plt.plot(*zip(*results), '-o', color='#ff7f0e')`.
///
/// Lines come from marching squares: each grid cell whose corners straddle a level gets one
/// segment (two for a saddle cell) between the interpolated crossing points of its edges.
/// Levels are "nice" numbers spread over the function's range, as matplotlib picks about 7.
public struct ContourPlot {
    public var xs: [Double]
    public var ys: [Double]
    /// `z[j][i] = f(xs[i], ys[j])`.
    public var z: [[Double]]
    public var levels: [Double]
    public var trace: [(Double, Double)] = []
    public var xlabel: String? = "x1"
    public var ylabel: String? = "x2"
    public var figsize: (Double, Double) = (3.5, 2.5)
    public var lineColor = "#1f77b4"
    public var traceColor = "#ff7f0e"

    /// Samples `f` on `xs × ys` and picks the levels.
    public init(xs: [Double], ys: [Double], levelCount: Int = 7, _ f: (Double, Double) -> Double) {
        self.xs = xs
        self.ys = ys
        z = ys.map { y in xs.map { x in f(x, y) } }
        let all = z.flatMap { $0 }.filter(\.isFinite)
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        levels = Axis.linearTicks(lo, hi, maxTicks: levelCount).map(\.value).filter { $0 > lo && $0 < hi }
    }

    /// The contour segments at `level`, in data coordinates.
    public func segments(at level: Double) -> [((Double, Double), (Double, Double))] {
        var out: [((Double, Double), (Double, Double))] = []
        guard xs.count > 1, ys.count > 1 else { return out }
        for j in 0..<(ys.count - 1) {
            for i in 0..<(xs.count - 1) {
                // corners counter-clockwise: (i,j) (i+1,j) (i+1,j+1) (i,j+1)
                let c = [(xs[i], ys[j], z[j][i]), (xs[i + 1], ys[j], z[j][i + 1]),
                         (xs[i + 1], ys[j + 1], z[j + 1][i + 1]), (xs[i], ys[j + 1], z[j + 1][i])]
                var crossings: [(Double, Double)] = []
                for e in 0..<4 {
                    let a = c[e], b = c[(e + 1) % 4]
                    if (a.2 < level) != (b.2 < level) {
                        let t = (level - a.2) / (b.2 - a.2)
                        crossings.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)))
                    }
                }
                if crossings.count == 2 { out.append((crossings[0], crossings[1])) }
                if crossings.count == 4 { out.append((crossings[0], crossings[1])); out.append((crossings[2], crossings[3])) }
            }
        }
        return out
    }

    /// The SVG text of the figure.
    public func svg() -> String {
        var doc = SVGDocument(widthInches: figsize.0, heightInches: figsize.1)
        draw(into: &doc)
        return doc.render()
    }

    /// Writes `Figures.url(file)` and returns it.
    @discardableResult
    public func save(_ file: String) throws -> URL {
        var doc = SVGDocument(widthInches: figsize.0, heightInches: figsize.1)
        draw(into: &doc)
        return try doc.write(to: Figures.url(file))
    }

    func draw(into doc: inout SVGDocument) {
        let xl = (min(xs.first ?? 0, xs.last ?? 1), max(xs.first ?? 0, xs.last ?? 1))
        let yl = (min(ys.first ?? 0, ys.last ?? 1), max(ys.first ?? 0, ys.last ?? 1))
        let axes = CartesianAxes(x: Axis(scale: .linear, limits: xl), y: Axis(scale: .linear, limits: yl),
                                 area: ScreenRect(x: 0, y: 0, width: doc.width, height: doc.height),
                                 xlabel: xlabel, ylabel: ylabel)
        var d = ""
        for level in levels {
            for (a, b) in segments(at: level) {
                guard let p = axes.position(a.0, a.1), let q = axes.position(b.0, b.1) else { continue }
                d += "M\(fmt(p.x)) \(fmt(p.y))L\(fmt(q.x)) \(fmt(q.y))"
            }
        }
        if !d.isEmpty {
            doc.add("path", [("class", "contour"), ("d", d), ("stroke", lineColor), ("stroke-width", "1"), ("fill", "none")])
        }
        let points = trace.map { axes.position($0.0, $0.1) }
        var group = ""
        for run in visibleRuns(points, in: axes.frame) {
            group += SVGDocument.element("polyline", [("points", run.map { "\(fmt($0.x)),\(fmt($0.y))" }.joined(separator: " ")),
                                                      ("fill", "none"), ("stroke", traceColor), ("stroke-width", "1.5")])
        }
        for p in points.compactMap({ $0 }) where axes.frame.contains(p) { group += markerElement(.circle, at: p, color: traceColor) }
        doc.addRaw(SVGDocument.element("g", [("class", "series"), ("data-label", "trace")], content: group))
        axes.drawFrame(into: &doc)
    }
}
