import Foundation

/// PyTorch-style printing (`print(x)` shows what the book shows, plus the shape):
///
/// ```
/// tensor([[0., 1., 2.],
///         [3., 4., 5.]], shape: (2, 3))
/// ```
///
/// - One format for all shown elements: whole numbers print as `0.`; otherwise 4 decimals
///   (`0.1235`); scientific (`1.0000e+05`) when the largest magnitude is ≥ 1e8, or the
///   ratio of largest to smallest nonzero magnitude exceeds 1000, or (for non-integers)
///   the smallest is below 1e-4 — PyTorch's rule (so `arange(2000)` prints in scientific
///   notation, as in PyTorch). Entries are right-aligned to one width.
/// - More than 1000 elements: only the first and last 3 entries of each axis are shown,
///   with `...` between them.
/// - Rows wrap at 80 columns, as in PyTorch.
/// - The shape is appended for tensors of rank ≥ 2 and for summarised ones (a vector's or
///   a scalar's shape is visible from the elements); tensors that take part in autograd end
///   with `, requiresGrad: true`.
public enum TensorFormatter {
    public static var threshold = 1000
    public static var edgeItems = 3
    public static var lineWidth = 80

    public static func format(_ t: Tensor) -> String {
        let summarise = t.count > threshold
        var suffix = ""
        if t.rank >= 2 || summarise || (t.count == 0 && t.rank != 1) { suffix += ", shape: \(describeShape(t.shape))" }
        if t.requiresGrad { suffix += ", requiresGrad: true" }
        if t.count == 0 { return "tensor([]\(suffix))" }
        let scalars = t.scalars
        let strides = contiguousStrides(t.shape)
        // Values that will be shown (edges only when summarising) decide the format.
        var shown: [Float] = []
        collect(t.shape, strides, 0, 0, summarise, scalars, &shown)
        let fmt = ElementFormat(shown)
        if t.rank == 0 { return "tensor(\(fmt.string(scalars[0]))\(suffix))" }
        let body = render(t.shape, strides, axis: 0, offset: 0, summarise: summarise, scalars, fmt, indent: 7)
        return "tensor(\(body)\(suffix))"
    }

    /// Indices shown along an axis of `size` (nil marks the `...`).
    static func shownIndices(_ size: Int, _ summarise: Bool) -> [Int?] {
        if summarise && size > 2 * edgeItems {
            return Array(0..<edgeItems).map { Optional($0) } + [nil] + Array((size - edgeItems)..<size).map { Optional($0) }
        }
        return Array(0..<size).map { Optional($0) }
    }

    static func collect(_ shape: [Int], _ strides: [Int], _ axis: Int, _ offset: Int, _ summarise: Bool,
                        _ s: [Float], _ out: inout [Float]) {
        if axis == shape.count { out.append(s[offset]); return }
        for i in shownIndices(shape[axis], summarise) {
            if let i = i { collect(shape, strides, axis + 1, offset + i * strides[axis], summarise, s, &out) }
        }
    }

    static func render(_ shape: [Int], _ strides: [Int], axis: Int, offset: Int, summarise: Bool,
                       _ s: [Float], _ fmt: ElementFormat, indent: Int) -> String {
        let items = shownIndices(shape[axis], summarise)
        if axis == shape.count - 1 {
            let parts = items.map { i -> String in
                guard let i = i else { return " ..." }
                return fmt.padded(s[offset + i * strides[axis]])
            }
            // Wrap long rows: as many entries per line as fit in the line width.
            let perLine = Swift.max(1, (lineWidth - indent - 1) / (fmt.width + 2))
            var lines: [String] = []
            var k = 0
            while k < parts.count {
                lines.append(parts[k..<Swift.min(k + perLine, parts.count)].joined(separator: ", "))
                k += perLine
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }
        let newlines = String(repeating: "\n", count: shape.count - axis - 1)
        let sep = "," + newlines + String(repeating: " ", count: indent + 1)
        let parts = items.map { i -> String in
            guard let i = i else { return "..." }
            return render(shape, strides, axis: axis + 1, offset: offset + i * strides[axis], summarise: summarise,
                          s, fmt, indent: indent + 1)
        }
        return "[" + parts.joined(separator: sep) + "]"
    }

    /// The one number format used for every element of a tensor.
    struct ElementFormat {
        enum Mode { case integer, fixed, scientific }
        let mode: Mode
        let width: Int

        init(_ values: [Float]) {
            let finite = values.filter { $0.isFinite }
            let nonzero = finite.filter { $0 != 0 }.map { Swift.abs($0) }
            let isInt = finite.allSatisfy { $0 == $0.rounded() }
            var m: Mode = isInt ? .integer : .fixed
            if let hi = nonzero.max(), let lo = nonzero.min() {
                if isInt {
                    if hi / lo > 1000 || hi > 1e8 { m = .scientific }
                } else if hi / lo > 1000 || hi > 1e8 || lo < 1e-4 {
                    m = .scientific
                }
            }
            mode = m
            // Like PyTorch, the width comes from the finite nonzero values (nan/inf are not padded for).
            var w = 1
            let probe = ElementFormat(mode: m, width: 0)
            for v in finite where v != 0 { w = Swift.max(w, probe.string(v).count) }
            width = w
        }

        init(mode: Mode, width: Int) { self.mode = mode; self.width = width }

        func string(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return v < 0 ? "-inf" : "inf" }
            switch mode {
            case .integer: return String(format: "%.0f.", Double(v))
            case .fixed: return String(format: "%.4f", Double(v))
            case .scientific: return String(format: "%.4e", Double(v))
            }
        }

        func padded(_ v: Float) -> String {
            let s = string(v)
            return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
        }
    }
}
