/// A legend box like matplotlib's (`loc='best'`): white, slightly transparent, thin grey
/// edge, placed where it covers the fewest data points.
struct Legend {
    enum Handle {
        /// A line sample with the series' colour, dash pattern and marker.
        case line(color: String, format: PlotFormat)
        /// A filled swatch (bar charts); `fill` may be a pattern reference such as "url(#p1)".
        case patch(fill: String, stroke: String)
    }

    struct Entry {
        var label: String
        var handle: Handle
    }

    var entries: [Entry]
    static let fontSize = 10.0

    var size: (width: Double, height: Double) {
        let f = Legend.fontSize
        let textW = entries.map { textWidth($0.label, size: f) }.max() ?? 0
        let lines = entries.map { Double($0.label.split(separator: "\n").count) }
        let rows = lines.reduce(0, +)
        return (0.4 * f * 2 + 2.0 * f + 0.8 * f + textW,
                0.4 * f * 2 + rows * f * 1.1 + Double(max(entries.count - 1, 0)) * 0.5 * f)
    }

    /// Candidate boxes in matplotlib's order (upper right, upper left, lower left, lower right,
    /// right, center left, center right, lower center, upper center, center); the first one that
    /// covers the fewest points and crossing segments wins.
    func bestOrigin(in frame: ScreenRect, avoiding runs: [[ScreenPoint]]) -> ScreenPoint {
        let (w, h) = size
        let pad = 0.5 * Legend.fontSize
        let left = frame.x + pad, right = frame.maxX - pad - w, center = frame.x + (frame.width - w) / 2
        let top = frame.y + pad, bottom = frame.maxY - pad - h, middle = frame.y + (frame.height - h) / 2
        let candidates = [(right, top), (left, top), (left, bottom), (right, bottom), (right, middle),
                          (left, middle), (right, middle), (center, bottom), (center, top), (center, middle)]
        var best = ScreenPoint(x: right, y: top)
        var bestScore = Int.max
        for (cx, cy) in candidates {
            let box = ScreenRect(x: cx, y: cy, width: w, height: h)
            var score = 0
            for run in runs {
                for p in run where box.contains(p) { score += 1 }
                for i in 1..<max(run.count, 1) where box.clip(run[i - 1], run[i]) != nil { score += 1 }
            }
            if score < bestScore { bestScore = score; best = ScreenPoint(x: cx, y: cy) }
        }
        return best
    }

    func draw(at origin: ScreenPoint, into doc: inout SVGDocument) {
        let f = Legend.fontSize
        let (w, h) = size
        var group = SVGDocument.element("rect", [("x", fmt(origin.x)), ("y", fmt(origin.y)), ("width", fmt(w)),
                                                 ("height", fmt(h)), ("rx", "2"), ("fill", "#ffffff"),
                                                 ("fill-opacity", "0.8"), ("stroke", "#cccccc"),
                                                 ("stroke-width", "0.8")])
        var y = origin.y + 0.4 * f
        for entry in entries {
            let lines = Double(entry.label.split(separator: "\n").count)
            let rowHeight = lines * f * 1.1
            let cy = y + f * 0.55
            let hx = origin.x + 0.4 * f
            switch entry.handle {
            case .line(let color, let format):
                if let style = format.lineStyle {
                    var attributes = [("x1", fmt(hx)), ("y1", fmt(cy)), ("x2", fmt(hx + 2 * f)), ("y2", fmt(cy)),
                                      ("stroke", color), ("stroke-width", "1.5")]
                    if let dash = PlotFormat.dashArray(style, lineWidth: 1.5) { attributes.append(("stroke-dasharray", dash)) }
                    group += SVGDocument.element("line", attributes)
                }
                if let marker = format.marker {
                    group += markerElement(marker, at: ScreenPoint(x: hx + f, y: cy), color: color)
                }
            case .patch(let fill, let stroke):
                group += SVGDocument.element("rect", [("x", fmt(hx)), ("y", fmt(cy - 0.35 * f)), ("width", fmt(2 * f)),
                                                      ("height", fmt(0.7 * f)), ("fill", fill), ("stroke", stroke),
                                                      ("stroke-width", "0.5")])
            }
            group += SVGDocument.textElement(entry.label, x: hx + 2.8 * f, y: cy + 0.36 * f, size: f,
                                             anchor: "start")
            y += rowHeight + 0.5 * f
        }
        doc.addRaw(SVGDocument.element("g", [("class", "legend")], content: group))
    }
}

/// An SVG marker symbol of matplotlib's default size (6 pt) centred on `p`.
func markerElement(_ marker: PlotFormat.Marker, at p: ScreenPoint, color: String) -> String {
    let r = 3.0
    switch marker {
    case .circle:
        return SVGDocument.element("circle", [("cx", fmt(p.x)), ("cy", fmt(p.y)), ("r", fmt(r)), ("fill", color)])
    case .point:
        return SVGDocument.element("circle", [("cx", fmt(p.x)), ("cy", fmt(p.y)), ("r", fmt(r / 2)), ("fill", color)])
    case .square:
        return SVGDocument.element("rect", [("x", fmt(p.x - r)), ("y", fmt(p.y - r)), ("width", fmt(2 * r)),
                                            ("height", fmt(2 * r)), ("fill", color)])
    case .triangle:
        let d = "M\(fmt(p.x)) \(fmt(p.y - r))L\(fmt(p.x + r)) \(fmt(p.y + r))L\(fmt(p.x - r)) \(fmt(p.y + r))Z"
        return SVGDocument.element("path", [("d", d), ("fill", color)])
    case .cross:
        let d = "M\(fmt(p.x - r)) \(fmt(p.y - r))l\(fmt(2 * r)) \(fmt(2 * r))M\(fmt(p.x - r)) \(fmt(p.y + r))l\(fmt(2 * r)) \(fmt(-2 * r))"
        return SVGDocument.element("path", [("d", d), ("stroke", color), ("stroke-width", "1")])
    case .plus:
        let d = "M\(fmt(p.x - r)) \(fmt(p.y))h\(fmt(2 * r))M\(fmt(p.x)) \(fmt(p.y - r))v\(fmt(2 * r))"
        return SVGDocument.element("path", [("d", d), ("stroke", color), ("stroke-width", "1")])
    }
}
