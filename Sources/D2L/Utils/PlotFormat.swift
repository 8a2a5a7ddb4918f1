/// A matplotlib-style format string such as "-", "m--", "g-.", "r:", "o" or "bx-"
/// (book §2.4 `plot(..., fmts=('-', 'm--', 'g-.', 'r:'))`): optional colour letter,
/// optional line style, optional marker.
public struct PlotFormat: Equatable {
    public enum LineStyle: String { case solid = "-", dashed = "--", dashDot = "-.", dotted = ":" }
    public enum Marker: Character { case circle = "o", point = ".", cross = "x", plus = "+", square = "s", triangle = "^" }

    /// Hex colour, or nil to take the next colour of the default cycle.
    public var color: String?
    /// nil: no line (markers only).
    public var lineStyle: LineStyle?
    public var marker: Marker?

    /// The book's default formats.
    public static let bookDefaults = ["-", "m--", "g-.", "r:"]

    /// matplotlib's default colour cycle ("tab10").
    public static let colorCycle = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// matplotlib's single-letter colours.
    static let letterColors: [Character: String] = [
        "b": "#0000ff", "g": "#008000", "r": "#ff0000", "c": "#00bfbf",
        "m": "#bf00bf", "y": "#bfbf00", "k": "#000000", "w": "#ffffff",
    ]

    public init(color: String? = nil, lineStyle: LineStyle? = .solid, marker: Marker? = nil) {
        self.color = color
        self.lineStyle = lineStyle
        self.marker = marker
    }

    /// Parses a format string; unknown characters are a programmer error.
    public init(_ format: String, file: StaticString = #fileID, line: UInt = #line) {
        var color: String?
        var style: LineStyle?
        var marker: Marker?
        var rest = Substring(format)
        while let c = rest.first {
            if rest.hasPrefix("--") { style = .dashed; rest = rest.dropFirst(2); continue }
            if rest.hasPrefix("-.") { style = .dashDot; rest = rest.dropFirst(2); continue }
            if c == "-" { style = .solid } else if c == ":" { style = .dotted }
            else if let hex = PlotFormat.letterColors[c] { color = hex }
            else if let m = Marker(rawValue: c) { marker = m }
            else { fatalError("PlotFormat: unknown character '\(c)' in format \"\(format)\"", file: file, line: line) }
            rest = rest.dropFirst()
        }
        if style == nil && marker == nil { style = .solid }
        self.init(color: color, lineStyle: style, marker: marker)
    }

    /// SVG `stroke-dasharray` for a line of width `lw` (matplotlib's patterns scale with it).
    static func dashArray(_ style: LineStyle, lineWidth lw: Double) -> String? {
        let pattern: [Double]
        switch style {
        case .solid: return nil
        case .dashed: pattern = [3.7, 1.6]
        case .dashDot: pattern = [6.4, 1.6, 1.0, 1.6]
        case .dotted: pattern = [1.0, 1.65]
        }
        return pattern.map { fmt($0 * lw) }.joined(separator: ",")
    }

    /// Resolves the colours of several formats like matplotlib: a format without a colour
    /// letter takes the next colour of the cycle.
    static func resolveColors(_ formats: [PlotFormat]) -> [String] {
        var next = 0
        return formats.map { f in
            if let c = f.color { return c }
            defer { next += 1 }
            return colorCycle[next % colorCycle.count]
        }
    }
}
