/// A colour map: evenly spaced colour stops, linearly interpolated (matplotlib's
/// `LinearSegmentedColormap` built from a list). `reds` is matplotlib's "Reds" (ColorBrewer),
/// the book's choice for attention heatmaps (§10.1).
public struct Colormap {
    public let name: String
    /// RGB stops from low to high values.
    let stops: [(Double, Double, Double)]

    init(name: String, hex: [String]) {
        self.name = name
        stops = hex.map { h in
            let v = Int(h.dropFirst(), radix: 16)!
            return (Double(v >> 16) / 255, Double((v >> 8) & 0xFF) / 255, Double(v & 0xFF) / 255)
        }
    }

    public static let reds = Colormap(name: "Reds", hex: ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a",
                                                          "#ef3b2c", "#cb181d", "#a50f15", "#67000d"])
    public static let blues = Colormap(name: "Blues", hex: ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
                                                            "#4292c6", "#2171b5", "#08519c", "#08306b"])
    public static let gray = Colormap(name: "gray", hex: ["#000000", "#ffffff"])
    public static let viridis = Colormap(name: "viridis", hex: ["#440154", "#482878", "#3e4989", "#31688e", "#26828e",
                                                                "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"])

    /// The colour at `t` ∈ [0, 1] (clamped; NaN maps to 0) as 8-bit RGB.
    public func rgb(_ t: Double) -> (UInt8, UInt8, UInt8) {
        let u = t.isNaN ? 0 : min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(u), stops.count - 2), f = u - Double(i)
        let a = stops[i], b = stops[i + 1]
        func byte(_ x: Double, _ y: Double) -> UInt8 { UInt8(((x + (y - x) * f) * 255).rounded()) }
        return (byte(a.0, b.0), byte(a.1, b.1), byte(a.2, b.2))
    }

    /// The colour at `t` as "#rrggbb".
    public func hex(_ t: Double) -> String {
        let (r, g, b) = rgb(t)
        let digits = Array("0123456789abcdef")
        return "#" + [r, g, b].map { String(digits[Int($0 >> 4)]) + String(digits[Int($0 & 15)]) }.joined()
    }
}
