/// A point on the figure, in points from the top-left corner.
struct ScreenPoint: Equatable {
    var x: Double
    var y: Double
}

/// A rectangle on the figure (y grows downwards).
struct ScreenRect {
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }

    func contains(_ p: ScreenPoint, tolerance: Double = 1e-6) -> Bool {
        p.x >= x - tolerance && p.x <= maxX + tolerance && p.y >= y - tolerance && p.y <= maxY + tolerance
    }

    /// Liang–Barsky clipping: the part of the segment a→b inside the rectangle, or nil.
    /// With p(t) = a + t·(b − a), each edge gives an inequality t·pₖ ≤ qₖ; the visible part is
    /// t ∈ [max of the entering bounds, min of the leaving bounds] ∩ [0, 1].
    func clip(_ a: ScreenPoint, _ b: ScreenPoint) -> (ScreenPoint, ScreenPoint)? {
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0
        for (p, q) in [(-dx, a.x - x), (dx, maxX - a.x), (-dy, a.y - y), (dy, maxY - a.y)] {
            if p == 0 {
                if q < 0 { return nil }                  // parallel to this edge and outside it
            } else {
                let t = q / p
                if p < 0 { if t > t1 { return nil }; t0 = max(t0, t) }
                else { if t < t0 { return nil }; t1 = min(t1, t) }
            }
        }
        return (ScreenPoint(x: a.x + t0 * dx, y: a.y + t0 * dy), ScreenPoint(x: a.x + t1 * dx, y: a.y + t1 * dy))
    }
}

/// Splits a polyline into the visible runs inside `rect`. `nil` points (values that have no
/// position, e.g. ≤ 0 on a log axis) break the line.
func visibleRuns(_ points: [ScreenPoint?], in rect: ScreenRect) -> [[ScreenPoint]] {
    var runs: [[ScreenPoint]] = []
    var run: [ScreenPoint] = []
    func flush() { if run.count >= 2 { runs.append(run) }; run = [] }
    var previous: ScreenPoint?
    for point in points {
        guard let p = point else { flush(); previous = nil; continue }
        if let a = previous {
            if let (ca, cb) = rect.clip(a, p) {
                if let last = run.last, abs(last.x - ca.x) < 1e-9, abs(last.y - ca.y) < 1e-9 {
                    run.append(cb)
                } else {
                    flush()
                    run = [ca, cb]
                }
            } else {
                flush()
            }
        }
        previous = p
    }
    flush()
    return runs
}
