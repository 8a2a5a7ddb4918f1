import Foundation

/// Softmax and log-softmax (book §3.4.3, §3.7.2 "softmax revisited"), stable for large
/// logits: each row is shifted by its maximum before exponentiating, so `exp` never
/// overflows (`softmax([100, 101])` is fine), and log-softmax is `x − max − log Σ e^{x−max}`
/// rather than `log(softmax)`, which would give `-inf` for tiny probabilities.
///
/// Both are fused row kernels with their own backward:
/// - softmax `y`: `dx = y ⊙ (g − Σ g⊙y)`;
/// - log-softmax `y`: `dx = g − eʸ · Σ g`.
extension Tensor {
    /// Softmax along `axis` (default: the last): `exp(xᵢ) / Σⱼ exp(xⱼ)`.
    public func softmax(axis: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        alongLastAxis(axis, op: "softmax", file: file, line: line) { $0.softmaxLastAxis(log: false) }
    }

    /// Log-softmax along `axis` (default: the last): `xᵢ − log Σⱼ exp(xⱼ)`.
    public func logSoftmax(axis: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        alongLastAxis(axis, op: "logSoftmax", file: file, line: line) { $0.softmaxLastAxis(log: true) }
    }

    /// Applies a last-axis op along any axis by moving that axis last and back.
    func alongLastAxis(_ axis: Int, op: String, file: StaticString, line: UInt, _ f: (Tensor) -> Tensor) -> Tensor {
        shapeCheck(rank >= 1, "\(op): needs at least one axis, got a scalar", file: file, line: line)
        let a = normalizeAxis(axis, rank: rank, op: op, file: file, line: line)
        if a == rank - 1 { return f(self) }
        var perm = Array(0..<rank)
        perm.remove(at: a)
        perm.append(a)
        var inverse = [Int](repeating: 0, count: rank)
        for (d, p) in perm.enumerated() { inverse[p] = d }
        return f(permuted(perm)).permuted(inverse)
    }

    func softmaxLastAxis(log: Bool) -> Tensor {
        let n = shape[rank - 1], rows = n == 0 ? 0 : count / n
        let out = TensorStorage(uninitializedCount: count)
        Kernels.softmaxRows(storage.pointer, rows: rows, n: n, out.pointer, log: log)
        let r = Tensor(shape: shape, storage: out)
        let rv = r.detached()
        return Tensor.record(log ? "logSoftmax" : "softmax", r, inputs: [self]) { g, _ in
            let gs = TensorStorage(uninitializedCount: rv.count)
            Kernels.softmaxBackwardRows(rv.storage.pointer, g.storage.pointer, rows: rows, n: n, gs.pointer, log: log)
            return [Tensor(shape: rv.shape, storage: gs)]
        }
    }
}

extension Kernels {
    /// Row-wise max of `n` contiguous floats (SIMD16).
    @inline(__always)
    static func maxRow(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var m = -Float.infinity
        var i = 0
        if n >= 16 {
            let raw = UnsafeRawPointer(x)
            var v = SIMD16<Float>(repeating: -.infinity)
            // A lane mask, not pointwiseMax (a call per vector): keeps v where x is not greater, so a
            // NaN in v stays and a NaN in x is skipped, as Swift.max(v, x) does.
            while i &+ 16 <= n {
                let x = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                v.replace(with: x, where: x .> v)
                i &+= 16
            }
            m = v.max()
        }
        while i < n { m = Swift.max(m, x[i]); i &+= 1 }
        return m
    }

    /// `out = softmax(x)` (or `logSoftmax`) of each row of `n`, shifted by the row max.
    public static func softmaxRows(_ x: UnsafePointer<Float>, rows: Int, n: Int, _ out: UnsafeMutablePointer<Float>, log: Bool) {
        Parallel.forRanges(rows, minChunk: Swift.max(1, 8_192 / Swift.max(n, 1))) { rs in
            for row in rs {
                let xp = x + row &* n, op = out + row &* n
                let xr = UnsafeRawPointer(xp), orw = UnsafeMutableRawPointer(op)
                let m = maxRow(xp, n)
                let vm = SIMD16<Float>(repeating: m)
                var acc = SIMD16<Float>()
                var i = 0
                while i &+ 16 <= n {
                    let e = VectorMath.exp(xr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) - vm)
                    if !log { orw.storeBytes(of: e, toByteOffset: i &* 4, as: SIMD16<Float>.self) }
                    acc += e
                    i &+= 16
                }
                var s = acc.sum()
                while i < n {
                    let e = Foundation.exp(xp[i] - m)
                    if !log { op[i] = e }
                    s += e
                    i &+= 1
                }
                if log {
                    // (x − m) − log s: subtracting the max first keeps the small result exact.
                    let logS = Foundation.log(s), vlog = SIMD16<Float>(repeating: logS)
                    i = 0
                    while i &+ 16 <= n {
                        orw.storeBytes(of: (xr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self) - vm) - vlog,
                                       toByteOffset: i &* 4, as: SIMD16<Float>.self)
                        i &+= 16
                    }
                    while i < n { op[i] = (xp[i] - m) - logS; i &+= 1 }
                } else {
                    let inv = 1 / s, vinv = SIMD16<Float>(repeating: inv)
                    i = 0
                    while i &+ 16 <= n {
                        orw.storeBytes(of: orw.load(fromByteOffset: i &* 4, as: SIMD16<Float>.self) * vinv,
                                       toByteOffset: i &* 4, as: SIMD16<Float>.self)
                        i &+= 16
                    }
                    while i < n { op[i] *= inv; i &+= 1 }
                }
            }
        }
    }

    /// Backward of `softmaxRows` from its output `y` and the incoming gradient `g`:
    /// softmax `dx = y ⊙ (g − Σ g⊙y)`, log-softmax `dx = g − eʸ Σ g`.
    public static func softmaxBackwardRows(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, rows: Int, n: Int,
                                           _ dx: UnsafeMutablePointer<Float>, log: Bool) {
        Parallel.forRanges(rows, minChunk: Swift.max(1, 8_192 / Swift.max(n, 1))) { rs in
            for row in rs {
                let yp = y + row &* n, gp = g + row &* n, dp = dx + row &* n
                let yr = UnsafeRawPointer(yp), gr = UnsafeRawPointer(gp), dr = UnsafeMutableRawPointer(dp)
                var acc = SIMD16<Float>()
                var i = 0
                while i &+ 16 <= n {
                    let gv = gr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                    acc += log ? gv : gv * yr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                    i &+= 16
                }
                var s = acc.sum()
                while i < n { s += log ? gp[i] : gp[i] * yp[i]; i &+= 1 }
                let vs = SIMD16<Float>(repeating: s)
                i = 0
                while i &+ 16 <= n {
                    let gv = gr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                    let yv = yr.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
                    let d = log ? gv - VectorMath.exp(yv) * vs : yv * (gv - vs)
                    dr.storeBytes(of: d, toByteOffset: i &* 4, as: SIMD16<Float>.self)
                    i &+= 16
                }
                while i < n { dp[i] = log ? gp[i] - Foundation.exp(yp[i]) * s : yp[i] * (gp[i] - s); i &+= 1 }
            }
        }
    }

    /// Reference softmax/log-softmax of rows, in `Double`.
    public static func softmaxRowsNaive(_ x: UnsafePointer<Float>, rows: Int, n: Int, _ out: UnsafeMutablePointer<Float>, log: Bool) {
        for row in 0..<rows {
            let p = x + row * n
            var m = -Double.infinity
            for i in 0..<n { m = Swift.max(m, Double(p[i])) }
            var s = 0.0
            for i in 0..<n { s += Foundation.exp(Double(p[i]) - m) }
            for i in 0..<n {
                let v = Double(p[i]) - m
                out[row * n + i] = Float(log ? v - Foundation.log(s) : Foundation.exp(v) / s)
            }
        }
    }
}
