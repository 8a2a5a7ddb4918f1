import Foundation

// Number formatting shared by the progress line, tick labels and colour bars.

/// Four significant decimals like the book's printouts (`0.4475`), or scientific when tiny/huge.
func formatMetric(_ value: Double) -> String {
    if !value.isFinite { return String(describing: value) }
    let magnitude = abs(value)
    if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6) { return formatScientific(value, digits: 3) }
    return formatFixed(value, decimals: 4)
}

/// `value` with exactly `decimals` digits after the point (no Foundation `String(format:)`).
func formatFixed(_ value: Double, decimals: Int) -> String {
    if !value.isFinite { return String(describing: value) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    if rounded >= 9e15 { return String(describing: value) }
    let units = UInt64(rounded)
    let sign = value < 0 && units != 0 ? "-" : ""
    let whole = units / UInt64(scale)
    if decimals == 0 { return sign + String(whole) }
    let frac = String(units % UInt64(scale))
    return sign + String(whole) + "." + String(repeating: "0", count: decimals - frac.count) + frac
}

/// `value` as `d.dde±XX` with `digits` digits after the point.
func formatScientific(_ value: Double, digits: Int) -> String {
    if value == 0 || !value.isFinite { return formatFixed(value, decimals: digits) }
    var exponent = Int((log10(abs(value))).rounded(.down))
    var mantissa = value / pow(10, Double(exponent))
    if abs(mantissa) >= 10 - 0.5 * pow(10, Double(-digits)) { mantissa /= 10; exponent += 1 }
    if abs(mantissa) < 1 { mantissa *= 10; exponent -= 1 }
    let e = exponent < 0 ? "-" + (abs(exponent) < 10 ? "0" : "") + String(-exponent)
                         : "+" + (exponent < 10 ? "0" : "") + String(exponent)
    return formatFixed(mantissa, decimals: digits) + "e" + e
}

/// Seconds as `m:ss` or `h:mm:ss`.
func formatDuration(_ seconds: Double) -> String {
    let total = Int(seconds.isFinite ? max(seconds, 0).rounded() : 0)
    let h = total / 3600, m = (total / 60) % 60, s = total % 60
    let ss = s < 10 ? "0\(s)" : "\(s)"
    if h > 0 { return "\(h):" + (m < 10 ? "0\(m)" : "\(m)") + ":" + ss }
    return "\(m):" + ss
}
