import Foundation

/// A minimal SVG writer: elements are appended as text, coordinates are in points
/// (1/72 inch, the unit matplotlib lays figures out in) and the root element maps the
/// point-sized view box onto `inches × dpi` pixels.
struct SVGDocument {
    /// Figure size in points.
    let width: Double
    let height: Double
    /// Pixels per inch of the written file.
    let dpi: Double
    private(set) var defs: [String] = []
    private(set) var body: [String] = []
    private var nextID = 0

    init(widthInches: Double, heightInches: Double, dpi: Double = Figures.dpi) {
        width = widthInches * 72
        height = heightInches * 72
        self.dpi = dpi
    }

    /// A fresh id for clip paths, patterns, …
    mutating func uniqueID(_ prefix: String) -> String {
        nextID += 1
        return "\(prefix)\(nextID)"
    }

    /// Appends `<name attrs/>` or `<name attrs>content</name>`; `content` must already be escaped.
    mutating func add(_ name: String, _ attributes: [(String, String)], content: String? = nil) {
        body.append(SVGDocument.element(name, attributes, content: content))
    }

    mutating func addRaw(_ text: String) { body.append(text) }
    mutating func addDef(_ text: String) { defs.append(text) }

    static func element(_ name: String, _ attributes: [(String, String)], content: String? = nil) -> String {
        var s = "<" + name
        for (key, value) in attributes { s += " \(key)=\"\(xmlEscape(value))\"" }
        if let content { return s + ">" + content + "</\(name)>" }
        return s + "/>"
    }

    /// Text at (x, y) (baseline), with `anchor` start/middle/end. Newlines make extra lines
    /// below the first (or above, when `growUp`, so a title sits on the given baseline).
    mutating func text(_ string: String, x: Double, y: Double, size: Double, anchor: String = "middle",
                       rotate: Double? = nil, growUp: Bool = false, extra: [(String, String)] = []) {
        body.append(SVGDocument.textElement(string, x: x, y: y, size: size, anchor: anchor, rotate: rotate,
                                            growUp: growUp, extra: extra))
    }

    /// The `<text>` element that `text(...)` appends.
    static func textElement(_ string: String, x: Double, y: Double, size: Double, anchor: String = "middle",
                            rotate: Double? = nil, growUp: Bool = false, extra: [(String, String)] = []) -> String {
        let lines = string.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let lineHeight = size * 1.2
        let firstY = growUp ? y - Double(lines.count - 1) * lineHeight : y
        var attributes: [(String, String)] = [("x", fmt(x)), ("y", fmt(firstY)), ("font-size", fmt(size)),
                                              ("text-anchor", anchor)]
        if let rotate { attributes.append(("transform", "rotate(\(fmt(rotate)) \(fmt(x)) \(fmt(y)))")) }
        attributes += extra
        let content: String
        if lines.count == 1 {
            content = xmlEscape(string)
        } else {
            content = lines.enumerated().map { i, line in
                element("tspan", [("x", fmt(x)), ("dy", i == 0 ? "0" : fmt(lineHeight))], content: xmlEscape(line))
            }.joined()
        }
        return element("text", attributes, content: content)
    }

    /// The complete file text.
    func render() -> String {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\""
        s += " width=\"\(fmt(width / 72 * dpi))\" height=\"\(fmt(height / 72 * dpi))\""
        s += " viewBox=\"0 0 \(fmt(width)) \(fmt(height))\""
        s += " font-family=\"DejaVu Sans, Bitstream Vera Sans, Helvetica, Arial, sans-serif\">\n"
        if !defs.isEmpty { s += "<defs>\n" + defs.joined(separator: "\n") + "\n</defs>\n" }
        s += "<rect x=\"0\" y=\"0\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" fill=\"#ffffff\"/>\n"
        s += body.joined(separator: "\n")
        s += "\n</svg>\n"
        return s
    }

    /// Writes the file (creating its folder) and returns its URL.
    @discardableResult
    func write(to url: URL) throws -> URL {
        try Figures.write(render(), to: url)
        return url
    }
}

/// Escapes the five XML special characters.
func xmlEscape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(c)
        }
    }
    return out
}

/// A coordinate with at most two decimals and no trailing zeros ("12.5", "3", "-0.25").
func fmt(_ x: Double) -> String {
    if !x.isFinite { return "0" }
    let scaled = (x * 100).rounded()
    if scaled == 0 { return "0" }
    if scaled.magnitude >= 1e15 { return String(x) }
    let units = Int64(scaled)
    let sign = units < 0 ? "-" : ""
    let whole = units.magnitude / 100, frac = units.magnitude % 100
    if frac == 0 { return sign + String(whole) }
    if frac % 10 == 0 { return sign + String(whole) + "." + String(frac / 10) }
    return sign + String(whole) + "." + (frac < 10 ? "0" : "") + String(frac)
}

/// Rough width of `text` in points at font size `size` (DejaVu Sans proportions), used to
/// leave room for tick labels and legends. Multi-line text: the widest line.
func textWidth(_ text: String, size: Double) -> Double {
    var widest = 0.0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var em = 0.0
        for c in line {
            switch c {
            case "i", "l", ".", ",", ":", ";", "'", "|", "!", "j", "I": em += 0.30
            case " ", "f", "t", "r", "(", ")", "[", "]", "-": em += 0.38
            case "m", "w", "M", "W", "%": em += 0.92
            case "0"..."9", "−", "+", "=", "<", ">": em += 0.64
            default: em += c.isUppercase ? 0.70 : (c.isASCII ? 0.60 : 1.0)
            }
        }
        widest = max(widest, em * size)
    }
    return widest
}
