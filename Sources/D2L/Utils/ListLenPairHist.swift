import Foundation

/// Side-by-side histogram of two sets of lengths (book §9.5 `d2l.show_list_len_pair_hist`):
/// e.g. tokens per English and per French sentence. Like `plt.hist([xs, ys])`: 10 equal bins
/// over the combined range, the two bars of a bin side by side (together 80 % of the bin),
/// the first in the first cycle colour, the second in the second colour with "/" hatching.
/// Writes `figures/<file>.svg`.
@discardableResult
public func showListLenPairHist(legend: [String], xlabel: String, ylabel: String,
                                xlengths: [Int], ylengths: [Int], bins: Int = 10, file: String) throws -> URL {
    try listLenPairHistDocument(legend: legend, xlabel: xlabel, ylabel: ylabel, xlengths: xlengths,
                                ylengths: ylengths, bins: bins).write(to: Figures.url(file))
}

/// `showListLenPairHist` for token lists: histograms of `xlist[i].count` and `ylist[i].count`.
@discardableResult
public func showListLenPairHist<T>(legend: [String], xlabel: String, ylabel: String,
                                   xlist: [[T]], ylist: [[T]], bins: Int = 10, file: String) throws -> URL {
    try showListLenPairHist(legend: legend, xlabel: xlabel, ylabel: ylabel, xlengths: xlist.map(\.count),
                            ylengths: ylist.map(\.count), bins: bins, file: file)
}

/// Counts per bin for `bins` equal bins over [lo, hi]; the last bin includes hi (numpy's rule).
func histogramCounts(_ values: [Int], lo: Double, hi: Double, bins: Int) -> [Int] {
    var counts = Array(repeating: 0, count: bins)
    let width = (hi - lo) / Double(bins)
    for v in values {
        let k = width > 0 ? Int((Double(v) - lo) / width) : 0
        counts[min(max(k, 0), bins - 1)] += 1
    }
    return counts
}

func listLenPairHistDocument(legend: [String], xlabel: String, ylabel: String, xlengths: [Int], ylengths: [Int],
                             bins: Int, figsize: (Double, Double) = (3.5, 2.5)) -> SVGDocument {
    let bins = max(bins, 1)
    let all = xlengths + ylengths
    var lo = Double(all.min() ?? 0), hi = Double(all.max() ?? 1)
    if hi == lo { lo -= 0.5; hi += 0.5 }
    let counts = [histogramCounts(xlengths, lo: lo, hi: hi, bins: bins), histogramCounts(ylengths, lo: lo, hi: hi, bins: bins)]
    let binWidth = (hi - lo) / Double(bins)
    let top = Double(counts.flatMap { $0 }.max() ?? 1)

    var doc = SVGDocument(widthInches: figsize.0, heightInches: figsize.1)
    let axes = CartesianAxes(x: Axis(scale: .linear, limits: (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))),
                             y: Axis(scale: .linear, limits: (0, max(top, 1) * 1.05)),
                             area: ScreenRect(x: 0, y: 0, width: doc.width, height: doc.height),
                             xlabel: xlabel, ylabel: ylabel)
    let colors = [PlotFormat.colorCycle[0], PlotFormat.colorCycle[1]]
    let hatchID = doc.uniqueID("hatch")
    doc.addDef(SVGDocument.element("pattern", [("id", hatchID), ("patternUnits", "userSpaceOnUse"), ("width", "6"), ("height", "6")],
                                   content: SVGDocument.element("rect", [("width", "6"), ("height", "6"), ("fill", colors[1])])
                                       + SVGDocument.element("path", [("d", "M-1 1L1 -1M0 6L6 0M5 7L7 5"), ("stroke", "#000000"),
                                                                      ("stroke-width", "0.8")])))
    let fills = [colors[0], "url(#\(hatchID))"]
    axes.drawGrid(into: &doc)
    var bars: [ScreenPoint] = []
    for (set, setCounts) in counts.enumerated() {
        var group = ""
        for (k, count) in setCounts.enumerated() where count > 0 {
            let barWidth = 0.8 * binWidth / 2
            let x0 = lo + Double(k) * binWidth + 0.1 * binWidth + Double(set) * barWidth
            guard let a = axes.position(x0, Double(count)), let b = axes.position(x0 + barWidth, 0) else { continue }
            group += SVGDocument.element("rect", [("class", "bar"), ("x", fmt(a.x)), ("y", fmt(a.y)), ("width", fmt(b.x - a.x)),
                                                  ("height", fmt(b.y - a.y)), ("fill", fills[set])])
            bars += [a, ScreenPoint(x: b.x, y: a.y), ScreenPoint(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)]
        }
        doc.addRaw(SVGDocument.element("g", [("class", "series"), ("data-label", set < legend.count ? legend[set] : "")],
                                       content: group))
    }
    axes.drawFrame(into: &doc)
    let entries = zip(legend.prefix(2), fills).map { Legend.Entry(label: $0, handle: .patch(fill: $1, stroke: "none")) }
    if !entries.isEmpty {
        let box = Legend(entries: entries)
        box.draw(at: box.bestOrigin(in: axes.frame, avoiding: bars.map { [$0] }), into: &doc)
    }
    return doc
}
