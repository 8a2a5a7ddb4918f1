import Foundation
import Tensor

/// Shows a grid of heatmaps with one shared colour bar (book §10.1 `d2l.show_heatmaps`), e.g.
/// attention weights with queries down and keys across. Writes `figures/<file>.svg`.
///
/// All panels share one colour scale (the min and max over every matrix), so the colour bar is
/// right for all of them. (The book's version scales each panel separately and labels the bar
/// with the last panel's range.) Cells are `<rect>`s when a matrix has at most 10,000 of them,
/// otherwise the matrix is embedded as an RGB PNG.
///
/// - Parameters:
///   - matrices: rows × cols of 2-D (h, w) matrices; row i of a matrix is drawn at the top.
///   - titles: one per column (the book sets `titles[j]` on every row).
///   - figsize: the whole figure in inches (the book's default 2.5 × 2.5).
@discardableResult
public func showHeatmaps(_ matrices: [[Tensor]], xlabel: String, ylabel: String, titles: [String] = [],
                         figsize: (Double, Double) = (2.5, 2.5), cmap: Colormap = .reds, file: String) throws -> URL {
    try heatmapDocument(matrices, xlabel: xlabel, ylabel: ylabel, titles: titles, figsize: figsize, cmap: cmap)
        .write(to: Figures.url(file))
}

/// `showHeatmaps` for a 4-D tensor of shape (rows, cols, h, w), as the book passes it.
@discardableResult
public func showHeatmaps(_ matrices: Tensor, xlabel: String, ylabel: String, titles: [String] = [],
                         figsize: (Double, Double) = (2.5, 2.5), cmap: Colormap = .reds, file: String,
                         sourceFile: StaticString = #fileID, line: UInt = #line) throws -> URL {
    let s = matrices.shape
    guard s.count == 4 else {
        fatalError("showHeatmaps: expected a (rows, cols, h, w) tensor, got \(describeShape(s))", file: sourceFile, line: line)
    }
    let all = matrices.scalars, size = s[2] * s[3]
    let grid = (0..<s[0]).map { r in
        (0..<s[1]).map { c in
            let start = (r * s[1] + c) * size
            return Tensor(shape: [s[2], s[3]], scalars: Array(all[start ..< start + size]))
        }
    }
    return try showHeatmaps(grid, xlabel: xlabel, ylabel: ylabel, titles: titles, figsize: figsize, cmap: cmap, file: file)
}

func heatmapDocument(_ matrices: [[Tensor]], xlabel: String, ylabel: String, titles: [String],
                     figsize: (Double, Double), cmap: Colormap) -> SVGDocument {
    let numRows = matrices.count, numCols = matrices.map(\.count).max() ?? 0
    guard numRows > 0, numCols > 0 else { fatalError("showHeatmaps: no matrices") }
    for row in matrices {
        for m in row where m.shape.count != 2 {
            fatalError("showHeatmaps: every matrix must be 2-D, got \(describeShape(m.shape))")
        }
    }
    let values = matrices.flatMap { $0.flatMap(\.scalars) }.map(Double.init).filter(\.isFinite)
    var vmin = values.min() ?? 0, vmax = values.max() ?? 1
    if vmax <= vmin { vmax = vmin + 1 }
    if vmin == vmax { vmin -= 0.5 }

    var doc = SVGDocument(widthInches: figsize.0, heightInches: figsize.1)
    let f = CartesianAxes.fontSize
    // Colour bar column on the right.
    let barAxis = Axis(scale: .linear, limits: (vmin, vmax))
    let barTicks = Axis.linearTicks(vmin, vmax, maxTicks: 5)
    let barLabelWidth = barTicks.map { $0.label.approximateWidth(f) }.max() ?? 0
    let barWidth = 0.05 * doc.width
    let barColumn = barWidth + 2 * CartesianAxes.tickLength + barLabelWidth + 12
    let gridArea = ScreenRect(x: 0, y: 0, width: doc.width - barColumn, height: doc.height)

    // One uniform layout for all panels: room for y tick labels and the y label on the left,
    // x tick labels and the x label at the bottom, a title above each row; square cells.
    let maxH = matrices.flatMap { $0.map { $0.shape[0] } }.max() ?? 1
    let maxW = matrices.flatMap { $0.map { $0.shape[1] } }.max() ?? 1
    let yTickWidth = textWidth(String(maxH - 1), size: f)
    let left = 4 + 1.2 * f + CartesianAxes.labelPad + yTickWidth + CartesianAxes.tickLength + CartesianAxes.tickPad
    let bottom = 4 + 1.2 * f + CartesianAxes.labelPad + f + CartesianAxes.tickLength + CartesianAxes.tickPad
    let titleHeight = titles.isEmpty ? 0 : 1.2 * f + 6
    let gap = 10.0
    let cellSize = min((gridArea.width - left - Double(numCols - 1) * gap - 4) / Double(numCols * maxW),
                       (gridArea.height - bottom - 6 - Double(numRows) * titleHeight - Double(numRows - 1) * gap)
                           / Double(numRows * maxH))
    let panelWidth = cellSize * Double(maxW), panelHeight = cellSize * Double(maxH)
    let usedWidth = left + Double(numCols) * panelWidth + Double(numCols - 1) * gap
    let usedHeight = 6 + Double(numRows) * (panelHeight + titleHeight) + Double(numRows - 1) * gap + bottom
    let originX = gridArea.x + max(gridArea.width - usedWidth, 0) / 2 + left
    let originY = gridArea.y + max(gridArea.height - usedHeight, 0) / 2 + 6 + titleHeight

    var frames: [ScreenRect] = []
    for (r, row) in matrices.enumerated() {
        for (c, matrix) in row.enumerated() {
            let h = matrix.shape[0], w = matrix.shape[1]
            // Axes: x from −0.5 to w − 0.5, y from h − 0.5 (bottom) to −0.5 (top), like imshow.
            var axes = CartesianAxes(x: Axis(scale: .linear, limits: (-0.5, Double(w) - 0.5)),
                                     y: Axis(scale: .linear, limits: (Double(h) - 0.5, -0.5)),
                                     area: gridArea, xlabel: r == numRows - 1 ? xlabel : nil,
                                     ylabel: c == 0 ? ylabel : nil,
                                     title: c < titles.count ? titles[c] : nil)
            axes.frame = ScreenRect(x: originX + Double(c) * (panelWidth + gap),
                                    y: originY + Double(r) * (panelHeight + titleHeight + gap),
                                    width: cellSize * Double(w), height: cellSize * Double(h))
            axes.x.p0 = axes.frame.x; axes.x.p1 = axes.frame.maxX
            axes.y.p0 = axes.frame.maxY; axes.y.p1 = axes.frame.y
            axes.xTicks = integerTicks(w, maxTicks: CartesianAxes.maxTicks(length: axes.frame.width, horizontal: true))
            axes.yTicks = integerTicks(h, maxTicks: CartesianAxes.maxTicks(length: axes.frame.height, horizontal: false))
            if r != numRows - 1 { axes.xTicks = axes.xTicks.map { Tick(value: $0.value, label: .none, major: true) } }
            if c != 0 { axes.yTicks = axes.yTicks.map { Tick(value: $0.value, label: .none, major: true) } }
            frames.append(axes.frame)
            drawCells(matrix, frame: axes.frame, vmin: vmin, vmax: vmax, cmap: cmap, into: &doc)
            axes.drawFrame(into: &doc)
        }
    }

    // The colour bar: 60 % of the grid's height, centred on the panels.
    let top = frames.map(\.y).min() ?? 0, lowest = frames.map(\.maxY).max() ?? doc.height
    let barHeight = (lowest - top) * 0.6
    let bar = ScreenRect(x: (frames.map(\.maxX).max() ?? gridArea.maxX) + 12, y: top + (lowest - top - barHeight) / 2, width: barWidth, height: barHeight)
    let gradientID = doc.uniqueID("cmap")
    let stops = (0...10).map { i -> String in
        let t = Double(i) / 10
        return SVGDocument.element("stop", [("offset", fmt(t)), ("stop-color", cmap.hex(t))])
    }.joined()
    doc.addDef(SVGDocument.element("linearGradient", [("id", gradientID), ("x1", "0"), ("y1", "1"), ("x2", "0"), ("y2", "0")],
                                   content: stops))
    doc.add("rect", [("class", "colorbar"), ("x", fmt(bar.x)), ("y", fmt(bar.y)), ("width", fmt(bar.width)),
                     ("height", fmt(bar.height)), ("fill", "url(#\(gradientID))"), ("stroke", "#000000"),
                     ("stroke-width", "0.8")])
    var barAxisOnScreen = barAxis
    barAxisOnScreen.p0 = bar.maxY; barAxisOnScreen.p1 = bar.y
    var tickPath = ""
    for t in barTicks {
        guard let p = barAxisOnScreen.position(t.value) else { continue }
        tickPath += "M\(fmt(bar.maxX)) \(fmt(p))h\(fmt(CartesianAxes.tickLength))"
        CartesianAxes.drawTickLabel(t.label, x: bar.maxX + 2 * CartesianAxes.tickLength, y: p + 0.36 * f,
                                    anchor: "start", into: &doc)
    }
    doc.add("path", [("d", tickPath), ("stroke", "#000000"), ("stroke-width", "0.8"), ("fill", "none")])
    return doc
}

/// Ticks at integer cell indices 0, k, 2k, … with a nice step k.
private func integerTicks(_ n: Int, maxTicks: Int) -> [Tick] {
    Axis.linearTicks(0, Double(max(n - 1, 1)), maxTicks: maxTicks)
        .filter { $0.value == $0.value.rounded() && $0.value < Double(n) }
        .map { Tick(value: $0.value, label: .text(String(Int($0.value))), major: true) }
}

/// One `<rect>` per cell (class "cell"), or one embedded PNG for large matrices.
private func drawCells(_ matrix: Tensor, frame: ScreenRect, vmin: Double, vmax: Double, cmap: Colormap,
                       into doc: inout SVGDocument) {
    let h = matrix.shape[0], w = matrix.shape[1]
    let values = matrix.scalars
    let cw = frame.width / Double(w), ch = frame.height / Double(h)
    func t(_ v: Float) -> Double { (Double(v) - vmin) / (vmax - vmin) }
    if h * w <= 10_000 {
        var cells = ""
        cells.reserveCapacity(h * w * 90)
        for i in 0..<h {
            for j in 0..<w {
                cells += SVGDocument.element("rect", [("class", "cell"), ("x", fmt(frame.x + Double(j) * cw)),
                                                      ("y", fmt(frame.y + Double(i) * ch)), ("width", fmt(cw + 0.05)),
                                                      ("height", fmt(ch + 0.05)), ("fill", cmap.hex(t(values[i * w + j])))])
            }
        }
        doc.addRaw(SVGDocument.element("g", [("class", "heatmap"), ("shape-rendering", "crispEdges")], content: cells))
    } else {
        var rgb: [UInt8] = []
        rgb.reserveCapacity(h * w * 3)
        for v in values {
            let (r, g, b) = cmap.rgb(t(v))
            rgb += [r, g, b]
        }
        let uri = PNGEncoder.dataURI(width: w, height: h, pixels: rgb, color: .rgb)
        doc.add("image", [("class", "heatmap"), ("x", fmt(frame.x)), ("y", fmt(frame.y)), ("width", fmt(frame.width)),
                          ("height", fmt(frame.height)), ("preserveAspectRatio", "none"),
                          ("style", "image-rendering:pixelated"), ("href", uri), ("xlink:href", uri)])
    }
}
