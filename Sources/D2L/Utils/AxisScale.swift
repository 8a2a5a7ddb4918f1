import Foundation

/// Linear or logarithmic axis (the book's `xscale` / `yscale`: 'linear' or 'log').
public enum AxisScale: String {
    case linear, log
}

/// A tick: position in data units, label (possibly empty) and whether it is a major tick.
struct Tick {
    var value: Double
    var label: TickLabel
    var major: Bool
}

/// A tick label: plain text, or a power of ten drawn as "10" with a superscript exponent.
enum TickLabel: Equatable {
    case none
    case text(String)
    case power(Int)

    var approximateWidth: (Double) -> Double {
        { size in
            switch self {
            case .none: return 0
            case .text(let s): return textWidth(s, size: size)
            case .power(let e): return textWidth("10", size: size) + textWidth(String(e), size: size * 0.7)
            }
        }
    }
}

/// One axis: data limits, scale, and the mapping onto a pixel range.
struct Axis {
    var scale: AxisScale
    /// Data limits (for log: both > 0).
    var lower: Double
    var upper: Double
    /// Screen coordinates of `lower` and `upper` (for y, lower maps to the bottom: p0 > p1).
    var p0: Double = 0
    var p1: Double = 1

    init(scale: AxisScale, limits: (Double, Double)) {
        self.scale = scale
        (lower, upper) = limits
    }

    private func transform(_ v: Double) -> Double { scale == .log ? log10(v) : v }

    /// Screen position of a data value; nil when it has no position (non-positive on a log axis,
    /// NaN or infinite).
    func position(_ v: Double) -> Double? {
        guard v.isFinite, scale == .linear || v > 0 else { return nil }
        let a = transform(lower), b = transform(upper)
        return p0 + (transform(v) - a) / (b - a) * (p1 - p0)
    }

    /// Limits from data like matplotlib's autoscaling: the data range plus 5 % on each side
    /// (in log space for log axes). Values without a position (≤ 0 on log axes) are ignored.
    static func autoLimits(_ values: [Double], scale: AxisScale, margin: Double = 0.05) -> (Double, Double) {
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var lo = usable.min(), var hi = usable.max() else { return scale == .log ? (1, 10) : (0, 1) }
        if scale == .log { lo = log10(lo); hi = log10(hi) }
        if lo == hi {
            let pad = scale == .log ? 0.5 : (lo == 0 ? 1 : abs(lo) * 0.05)
            lo -= pad; hi += pad
        } else {
            let pad = (hi - lo) * margin
            lo -= pad; hi += pad
        }
        return scale == .log ? (pow(10, lo), pow(10, hi)) : (lo, hi)
    }

    /// Ticks inside the limits; about `maxTicks` labelled ones.
    func ticks(maxTicks: Int) -> [Tick] {
        scale == .log ? Axis.logTicks(lower, upper, maxTicks: maxTicks)
                      : Axis.linearTicks(lower, upper, maxTicks: maxTicks)
    }

    /// "Nice" ticks: the smallest step of the form {1, 2, 2.5, 5} × 10^k that gives at most
    /// `maxTicks` ticks between the limits.
    static func linearTicks(_ a: Double, _ b: Double, maxTicks: Int) -> [Tick] {
        let lo = min(a, b), hi = max(a, b)
        guard hi > lo, lo.isFinite, hi.isFinite else { return [] }
        let raw = (hi - lo) / Double(max(maxTicks, 2))
        var magnitude = pow(10, floor(log10(raw)))
        var step = magnitude
        search: while true {
            for m in [1.0, 2.0, 2.5, 5.0] {
                step = m * magnitude
                let count = floor(hi / step + 1e-9) - ceil(lo / step - 1e-9) + 1
                if count <= Double(maxTicks) { break search }
            }
            magnitude *= 10
        }
        let first = ceil(lo / step - 1e-9), last = floor(hi / step + 1e-9)
        var values: [Double] = []
        var k = first
        while k <= last { values.append(k * step); k += 1 }
        let labels = tickLabels(values, step: step)
        return zip(values, labels).map { Tick(value: $0, label: .text($1), major: true) }
    }

    /// Labels with the same number of decimals for all ticks (like matplotlib's ScalarFormatter),
    /// using the typographic minus sign.
    static func tickLabels(_ values: [Double], step: Double) -> [String] {
        let largest = values.map(abs).max() ?? 0
        if largest >= 1e5 || (largest > 0 && largest < 1e-4) {
            return values.map { v in
                v == 0 ? "0" : trimmedScientific(v).replacingOccurrences(of: "-", with: "−")
            }
        }
        var decimals = 0
        while decimals < 8 {
            let scale = pow(10, Double(decimals))
            if abs((step * scale).rounded() - step * scale) < 1e-6 * max(1, step * scale) { break }
            decimals += 1
        }
        return values.map { v in
            let cleaned = abs(v) < step * 1e-9 ? 0 : v
            return formatFixed(cleaned, decimals: decimals).replacingOccurrences(of: "-", with: "−")
        }
    }

    /// "1.5e6" style without redundant zeros.
    static func trimmedScientific(_ v: Double) -> String {
        let s = formatScientific(v, digits: 2)
        guard let e = s.firstIndex(of: "e") else { return s }
        var mantissa = String(s[..<e])
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
        var exponent = String(s[s.index(after: e)...])
        let sign = exponent.hasPrefix("-") ? "-" : ""
        exponent = String(exponent.drop { $0 == "+" || $0 == "-" || $0 == "0" })
        return mantissa + "e" + sign + (exponent.isEmpty ? "0" : exponent)
    }

    /// Log ticks: labelled decades 10^k (every n-th decade when there are many), unlabelled
    /// minor ticks at 2…9 × 10^k. When fewer than two decades fall inside the limits, the
    /// 1-2-5 ticks are labelled in plain notation so the axis still reads.
    static func logTicks(_ a: Double, _ b: Double, maxTicks: Int) -> [Tick] {
        let lo = min(a, b), hi = max(a, b)
        guard lo > 0, hi > lo, hi.isFinite else { return [] }
        let eLo = Int(floor(log10(lo) + 1e-9)), eHi = Int(ceil(log10(hi) - 1e-9))
        let inside = { (v: Double) in v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9) }
        let decades = (eLo...eHi).filter { inside(pow(10, Double($0))) }
        var ticks: [Tick] = []
        if decades.count >= 2 {
            let every = max(1, Int(ceil(Double(decades.count) / Double(max(maxTicks, 2) + 3))))
            for e in decades where e % every == 0 {
                ticks.append(Tick(value: pow(10, Double(e)), label: .power(e), major: true))
            }
            if every == 1 {
                for e in eLo...eHi {
                    for m in 2...9 {
                        let v = Double(m) * pow(10, Double(e))
                        if inside(v) { ticks.append(Tick(value: v, label: .none, major: false)) }
                    }
                }
            }
        } else {
            for e in eLo...eHi {
                for m in 1...9 {
                    let v = Double(m) * pow(10, Double(e))
                    guard inside(v) else { continue }
                    let labelled = m == 1 || m == 2 || m == 5
                    let text = labelled ? plainNumber(v).replacingOccurrences(of: "-", with: "−") : ""
                    ticks.append(Tick(value: v, label: labelled ? .text(text) : .none, major: labelled))
                }
            }
        }
        return ticks
    }

    /// Shortest plain decimal of a 1-2-5 × 10^k value ("0.02", "500").
    static func plainNumber(_ v: Double) -> String {
        for decimals in 0...12 {
            let s = formatFixed(v, decimals: decimals)
            if abs((Double(s) ?? .nan) - v) <= abs(v) * 1e-9 { return s }
        }
        return String(v)
    }
}
