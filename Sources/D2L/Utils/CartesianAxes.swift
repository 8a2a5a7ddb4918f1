/// One set of x/y axes on a figure, styled like the book's figures (matplotlib defaults as
/// set by `d2l.set_axes`: light grey grid at the major ticks, black frame, outward ticks,
/// 10 pt labels).
struct CartesianAxes {
    static let fontSize = 10.0
    static let tickLength = 3.5
    static let minorTickLength = 2.0
    static let tickPad = 3.5
    static let labelPad = 4.0
    static let gridColor = "#b0b0b0"

    var x: Axis
    var y: Axis
    var frame: ScreenRect
    var xTicks: [Tick]
    var yTicks: [Tick]
    var xlabel: String?
    var ylabel: String?
    var title: String?

    /// Lays out axes filling `area` (the whole figure or one cell of a grid), leaving room for
    /// tick labels, axis labels and an optional title.
    init(x: Axis, y: Axis, area: ScreenRect, xlabel: String?, ylabel: String?, title: String? = nil) {
        let f = CartesianAxes.fontSize
        let guessWidth = area.width * 0.75, guessHeight = area.height * 0.75
        var x = x, y = y
        x.p0 = 0; x.p1 = guessWidth; y.p0 = guessHeight; y.p1 = 0
        let xTicks = x.ticks(maxTicks: CartesianAxes.maxTicks(length: guessWidth, horizontal: true))
        let yTicks = y.ticks(maxTicks: CartesianAxes.maxTicks(length: guessHeight, horizontal: false))
        let yLabelWidth = yTicks.map { $0.label.approximateWidth(f) }.max() ?? 0
        let hasPower = xTicks.contains { if case .power = $0.label { return true } else { return false } }
        let xTickHeight = xTicks.contains { $0.label != .none } ? f * (hasPower ? 1.25 : 1.0) : 0

        var left = 4 + yLabelWidth + CartesianAxes.tickLength + CartesianAxes.tickPad
        if let ylabel, !ylabel.isEmpty { left += f * 1.2 * Double(ylabel.split(separator: "\n").count) + CartesianAxes.labelPad }
        var bottom = 4 + xTickHeight + CartesianAxes.tickLength + CartesianAxes.tickPad
        if let xlabel, !xlabel.isEmpty { bottom += f * 1.2 * Double(xlabel.split(separator: "\n").count) + CartesianAxes.labelPad }
        var top = 8.0
        if let title, !title.isEmpty { top += f * 1.2 * Double(title.split(separator: "\n").count) + 2 }
        let lastX = xTicks.last { $0.label != .none }.map { $0.label.approximateWidth(f) } ?? 0
        let right = max(10, lastX / 2 + 4)

        frame = ScreenRect(x: area.x + left, y: area.y + top,
                           width: max(area.width - left - right, 10), height: max(area.height - top - bottom, 10))
        x.p0 = frame.x; x.p1 = frame.maxX
        y.p0 = frame.maxY; y.p1 = frame.y
        self.x = x
        self.y = y
        self.xTicks = xTicks
        self.yTicks = yTicks
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.title = title
    }

    /// How many labelled ticks fit: about one per 30 pt horizontally, one per 25 pt vertically.
    static func maxTicks(length: Double, horizontal: Bool) -> Int {
        min(max(Int(length / (horizontal ? 30 : 25)), 3), 9)
    }

    /// Screen position of a data point (nil when either coordinate has none).
    func position(_ px: Double, _ py: Double) -> ScreenPoint? {
        guard let sx = x.position(px), let sy = y.position(py) else { return nil }
        return ScreenPoint(x: sx, y: sy)
    }

    /// Grid lines at the major ticks, drawn before the data.
    func drawGrid(into doc: inout SVGDocument) {
        var d = ""
        for t in xTicks where t.major {
            if let p = x.position(t.value), p >= frame.x - 0.01, p <= frame.maxX + 0.01 {
                d += "M\(fmt(p)) \(fmt(frame.y))V\(fmt(frame.maxY))"
            }
        }
        for t in yTicks where t.major {
            if let p = y.position(t.value), p >= frame.y - 0.01, p <= frame.maxY + 0.01 {
                d += "M\(fmt(frame.x)) \(fmt(p))H\(fmt(frame.maxX))"
            }
        }
        if !d.isEmpty {
            doc.add("path", [("class", "grid"), ("d", d), ("stroke", CartesianAxes.gridColor),
                             ("stroke-width", "0.8"), ("fill", "none")])
        }
    }

    /// Frame, ticks, tick labels, axis labels and title, drawn after the data.
    func drawFrame(into doc: inout SVGDocument) {
        let f = CartesianAxes.fontSize
        doc.add("rect", [("class", "frame"), ("x", fmt(frame.x)), ("y", fmt(frame.y)), ("width", fmt(frame.width)),
                         ("height", fmt(frame.height)), ("fill", "none"), ("stroke", "#000000"),
                         ("stroke-width", "0.8"), ("stroke-linejoin", "miter")])
        var ticks = ""
        let labelY = frame.maxY + CartesianAxes.tickLength + CartesianAxes.tickPad + 0.76 * f
        for t in xTicks {
            guard let p = x.position(t.value), p >= frame.x - 0.01, p <= frame.maxX + 0.01 else { continue }
            let len = t.major ? CartesianAxes.tickLength : CartesianAxes.minorTickLength
            ticks += "M\(fmt(p)) \(fmt(frame.maxY))v\(fmt(len))"
            CartesianAxes.drawTickLabel(t.label, x: p, y: labelY, anchor: "middle", into: &doc)
        }
        let labelX = frame.x - CartesianAxes.tickLength - CartesianAxes.tickPad
        for t in yTicks {
            guard let p = y.position(t.value), p >= frame.y - 0.01, p <= frame.maxY + 0.01 else { continue }
            let len = t.major ? CartesianAxes.tickLength : CartesianAxes.minorTickLength
            ticks += "M\(fmt(frame.x)) \(fmt(p))h\(fmt(-len))"
            CartesianAxes.drawTickLabel(t.label, x: labelX, y: p + 0.36 * f, anchor: "end", into: &doc)
        }
        if !ticks.isEmpty {
            doc.add("path", [("class", "ticks"), ("d", ticks), ("stroke", "#000000"), ("stroke-width", "0.8"),
                             ("fill", "none")])
        }
        let hasPower = xTicks.contains { if case .power = $0.label { return true } else { return false } }
        if let xlabel, !xlabel.isEmpty {
            let hasLabels = xTicks.contains { $0.label != .none }
            let base = frame.maxY + CartesianAxes.tickLength + CartesianAxes.tickPad
                + (hasLabels ? f * (hasPower ? 1.25 : 1.0) : 0) + CartesianAxes.labelPad + 0.8 * f
            doc.text(xlabel, x: frame.x + frame.width / 2, y: base, size: f, extra: [("class", "xlabel")])
        }
        if let ylabel, !ylabel.isEmpty {
            let widest = yTicks.map { $0.label.approximateWidth(f) }.max() ?? 0
            let lines = Double(ylabel.split(separator: "\n").count)
            let base = labelX - widest - CartesianAxes.labelPad - (lines - 1) * 1.2 * f - 0.25 * f
            let cy = frame.y + frame.height / 2
            doc.text(ylabel, x: base, y: cy, size: f, rotate: -90, extra: [("class", "ylabel")])
        }
        if let title, !title.isEmpty {
            doc.text(title, x: frame.x + frame.width / 2, y: frame.y - 6, size: f, growUp: true,
                     extra: [("class", "title")])
        }
    }

    static func drawTickLabel(_ label: TickLabel, x: Double, y: Double, anchor: String, into doc: inout SVGDocument) {
        let f = fontSize
        switch label {
        case .none: return
        case .text(let s):
            doc.add("text", [("x", fmt(x)), ("y", fmt(y)), ("font-size", fmt(f)), ("text-anchor", anchor)],
                    content: xmlEscape(s))
        case .power(let e):
            let exponent = e < 0 ? "−\(-e)" : "\(e)"
            let sup = SVGDocument.element("tspan", [("dy", fmt(-0.45 * f)), ("font-size", fmt(0.7 * f))],
                                          content: xmlEscape(exponent))
            // The superscript is raised with dy; the baseline of the "10" stays at y.
            doc.add("text", [("x", fmt(x)), ("y", fmt(anchor == "end" ? y : y + 0.2 * f)), ("font-size", fmt(f)),
                             ("text-anchor", anchor)], content: "10" + sup)
        }
    }
}
