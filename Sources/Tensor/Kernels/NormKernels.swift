import Foundation

/// Normalisation kernels: batch normalisation (book §7.5) and layer normalisation (§10.7).
///
/// **Batch norm** sees its input as `(N, C, S)`: `N` examples, `C` channels and `S` positions
/// per channel (`S = H·W` for images, `S = 1` for fully connected features). Each channel is
/// normalised with the mean and the *biased* variance over its `M = N·S` values:
///
///     μ_c = (1/M) Σ x,   σ²_c = (1/M) Σ (x − μ_c)²,   x̂ = (x − μ_c) / √(σ²_c + ε),   y = γ_c·x̂ + β_c
///
/// and the gradients, with `g = ∂L/∂y` (training mode, where μ and σ² depend on x):
///
///     ∂L/∂β_c = Σ g,   ∂L/∂γ_c = Σ g·x̂,   ∂L/∂x = (γ_c / √(σ²_c + ε)) · (g − (1/M)Σ g − x̂·(1/M)Σ g·x̂)
///
/// In inference mode μ and σ² are given constants (the running statistics) and
/// `∂L/∂x = γ_c·g / √(σ²_c + ε)`.
///
/// The fast kernels make as few passes over memory as the math allows: the statistics come
/// from one pass of *shifted* sums Σ(x − K) and Σ(x − K)² (K = the channel's first value, so
/// the sum of squares does not cancel catastrophically), accumulated in `SIMD16<Float>` within
/// a plane and in `Double` across planes; the output is one fused pass `y = a_c·x + b_c`. The
/// backward pass reads `x` and `g` once for the two sums and once more to write `∂L/∂x`.
/// Work is split over cores by contiguous runs of planes (or rows when `S = 1`), each with
/// its own per-channel partial sums, merged at the end.
///
/// **Layer norm** normalises each row of `D` contiguous values (the last axes) with its own
/// mean and biased variance, then applies the per-position `γ_i`, `β_i`:
///
///     ∂L/∂x_i = (1/σ) · (ĝ_i − (1/D)Σ ĝ − x̂_i·(1/D)Σ ĝ·x̂),   ĝ = γ ⊙ g,
///     ∂L/∂γ_i = Σ_rows g_i·x̂_i,   ∂L/∂β_i = Σ_rows g_i.
///
/// Every fast kernel has a `…Naive` reference in `Double` beside it; the tests compare them
/// on odd sizes.
extension Kernels {
    typealias NormVector = SIMD16<Float>

    // MARK: Batch norm: per-channel sums

    /// Number of parallel chunks for `work` elements split into `units` independent runs.
    @inline(__always)
    static func normChunks(units: Int, work: Int) -> Int {
        Swift.max(1, Swift.min(Parallel.threads, Swift.min(units, work / 65_536)))
    }

    /// Per channel `c`, over an `(N, C, S)` block: `sumU[c] = Σ (u − ku[c])` and
    /// `sumUX[c] = Σ (u − ku[c])·(x − kx[c])`, in `Double`. `ku == nil` means zero shifts.
    /// The statistics use `u = x` shifted by the channel's first value; the backward pass uses
    /// `u = g` (unshifted) and `x` shifted by the mean.
    static func channelSums(_ u: UnsafePointer<Float>, ku: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
                            kx: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                            sumU: UnsafeMutablePointer<Double>, sumUX: UnsafeMutablePointer<Double>) {
        sumU.initialize(repeating: 0, count: c)
        sumUX.initialize(repeating: 0, count: c)
        let units = s == 1 ? n : n &* c
        let chunks = normChunks(units: units, work: n &* c &* s)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks &* c &* 2) { buffer in
            let partial = buffer.baseAddress!
            partial.initialize(repeating: 0, count: chunks &* c &* 2)
            let step = (units + chunks - 1) / chunks
            Parallel.forEach(chunks) { k in
                let lo = k &* step, hi = Swift.min(units, lo &+ step)
                guard lo < hi else { return }
                let pu = partial + k &* 2 &* c, pux = pu + c
                if s == 1 {
                    rowSums(u, ku: ku, x, kx: kx, rows: lo..<hi, c: c, pu, pux)
                } else {
                    for plane in lo..<hi {
                        let ch = plane % c
                        let (a, b) = planeSums(u + plane &* s, ku?[ch] ?? 0, x + plane &* s, kx[ch], s)
                        pu[ch] += Double(a)
                        pux[ch] += Double(b)
                    }
                }
            }
            for k in 0..<chunks {
                let pu = partial + k &* 2 &* c, pux = pu + c
                for ch in 0..<c { sumU[ch] += pu[ch]; sumUX[ch] += pux[ch] }
            }
        }
    }

    /// `(Σ (u − ku), Σ (u − ku)(x − kx))` over `s` contiguous values, two SIMD16 accumulators each.
    @inline(__always)
    static func planeSums(_ u: UnsafePointer<Float>, _ ku: Float, _ x: UnsafePointer<Float>, _ kx: Float,
                          _ s: Int) -> (Float, Float) {
        let ur = UnsafeRawPointer(u), xr = UnsafeRawPointer(x)
        let vku = NormVector(repeating: ku), vkx = NormVector(repeating: kx)
        var a0 = NormVector(), a1 = NormVector(), b0 = NormVector(), b1 = NormVector()
        var i = 0
        while i &+ 32 <= s {
            let d0 = ur.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vku
            let d1 = ur.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: NormVector.self) - vku
            let e0 = xr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vkx
            let e1 = xr.loadUnaligned(fromByteOffset: (i &+ 16) &* 4, as: NormVector.self) - vkx
            a0 += d0; a1 += d1
            b0.addProduct(d0, e0); b1.addProduct(d1, e1)
            i &+= 32
        }
        if i &+ 16 <= s {
            let d0 = ur.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vku
            let e0 = xr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vkx
            a0 += d0
            b0.addProduct(d0, e0)
            i &+= 16
        }
        var a = (a0 + a1).sum(), b = (b0 + b1).sum()
        while i < s {
            let d = u[i] - ku
            a += d
            b += d * (x[i] - kx)
            i &+= 1
        }
        return (a, b)
    }

    /// `S = 1` layout: rows of `c` contiguous channels. Sums 16 channels at a time down blocks
    /// of up to 256 rows in registers, adding each block's sums into the `Double` partials.
    static func rowSums(_ u: UnsafePointer<Float>, ku: UnsafePointer<Float>?, _ x: UnsafePointer<Float>,
                        kx: UnsafePointer<Float>, rows: Range<Int>, c: Int,
                        _ pu: UnsafeMutablePointer<Double>, _ pux: UnsafeMutablePointer<Double>) {
        var r0 = rows.lowerBound
        while r0 < rows.upperBound {
            let r1 = Swift.min(rows.upperBound, r0 &+ 256)
            var j = 0
            while j &+ 16 <= c {
                let vku = ku.map { UnsafeRawPointer($0).loadUnaligned(fromByteOffset: j &* 4, as: NormVector.self) }
                    ?? NormVector()
                let vkx = UnsafeRawPointer(kx).loadUnaligned(fromByteOffset: j &* 4, as: NormVector.self)
                var a = NormVector(), b = NormVector()
                for r in r0..<r1 {
                    let off = (r &* c &+ j) &* 4
                    let d = UnsafeRawPointer(u).loadUnaligned(fromByteOffset: off, as: NormVector.self) - vku
                    let e = UnsafeRawPointer(x).loadUnaligned(fromByteOffset: off, as: NormVector.self) - vkx
                    a += d
                    b.addProduct(d, e)
                }
                for l in 0..<16 { pu[j &+ l] += Double(a[l]); pux[j &+ l] += Double(b[l]) }
                j &+= 16
            }
            while j < c {
                let k1 = ku?[j] ?? 0, k2 = kx[j]
                var a: Float = 0, b: Float = 0
                for r in r0..<r1 {
                    let d = u[r &* c &+ j] - k1
                    a += d
                    b += d * (x[r &* c &+ j] - k2)
                }
                pu[j] += Double(a); pux[j] += Double(b)
                j &+= 1
            }
            r0 = r1
        }
    }

    // MARK: Batch norm: per-channel affine passes

    /// `out = a_c·u + b_c·v + shift_c` per channel over an `(N, C, S)` block (`v == nil`: no `v` term).
    /// The forward pass is `a = γ/σ`, `shift = β − μ·a` on `u = x`; the backward pass adds `v = x`.
    static func channelCombine(_ u: UnsafePointer<Float>, a: UnsafePointer<Float>, _ v: UnsafePointer<Float>?,
                               b: UnsafePointer<Float>, shift: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                               _ out: UnsafeMutablePointer<Float>) {
        let units = s == 1 ? n : n &* c
        let chunks = normChunks(units: units, work: n &* c &* s)
        let step = (units + chunks - 1) / chunks
        Parallel.forEach(chunks) { k in
            let lo = k &* step, hi = Swift.min(units, lo &+ step)
            guard lo < hi else { return }
            if s == 1 {
                // Rows of c channels: the coefficients are vectors along the row.
                for r in lo..<hi {
                    let base = r &* c
                    combineRun(u + base, a, v.map { $0 + base }, b, shift, c, out + base, perElement: true)
                }
            } else {
                for plane in lo..<hi {
                    let ch = plane % c, base = plane &* s
                    combineRun(u + base, a + ch, v.map { $0 + base }, b + ch, shift + ch, s, out + base, perElement: false)
                }
            }
        }
    }

    /// `out[i] = a·u[i] + b·v[i] + c` for `i < len`; the coefficients are scalars
    /// (`perElement == false`) or arrays indexed like `u` (`true`).
    @inline(__always)
    static func combineRun(_ u: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>?,
                           _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ len: Int,
                           _ out: UnsafeMutablePointer<Float>, perElement: Bool) {
        let ur = UnsafeRawPointer(u), orw = UnsafeMutableRawPointer(out)
        @inline(__always) func coef(_ p: UnsafePointer<Float>, _ i: Int) -> NormVector {
            perElement ? UnsafeRawPointer(p).loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self)
                       : NormVector(repeating: p[0])
        }
        var i = 0
        if let v {
            let vr = UnsafeRawPointer(v)
            while i &+ 16 <= len {
                var y = coef(c, i)
                y.addProduct(coef(a, i), ur.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self))
                y.addProduct(coef(b, i), vr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self))
                orw.storeBytes(of: y, toByteOffset: i &* 4, as: NormVector.self)
                i &+= 16
            }
            while i < len {
                let k = perElement ? i : 0
                out[i] = a[k] * u[i] + b[k] * v[i] + c[k]
                i &+= 1
            }
        } else {
            while i &+ 16 <= len {
                var y = coef(c, i)
                y.addProduct(coef(a, i), ur.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self))
                orw.storeBytes(of: y, toByteOffset: i &* 4, as: NormVector.self)
                i &+= 16
            }
            while i < len {
                let k = perElement ? i : 0
                out[i] = a[k] * u[i] + c[k]
                i &+= 1
            }
        }
    }

    // MARK: Batch norm: forward and backward

    /// Training-mode batch norm forward over `x (N, C, S)`: writes `y`, the batch `mean` and the
    /// biased `variance` (each `C`). `gamma`/`beta` nil mean 1 and 0 (no affine transform).
    public static func batchNormForward(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                                        gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                        _ y: UnsafeMutablePointer<Float>,
                                        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        guard c > 0 else { return }
        let m = Double(n &* s)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 &* c) { sums in
            let s1 = sums.baseAddress!, s2 = s1 + c
            // Shift each channel by its first value (x[0, ch, 0]); stored in `mean` until the end.
            for ch in 0..<c { mean[ch] = x[ch &* s] }
            channelSums(x, ku: mean, x, kx: mean, n: n, c: c, s: s, sumU: s1, sumUX: s2)
            for ch in 0..<c {
                let d = s1[ch] / m
                variance[ch] = Float(Swift.max(0, s2[ch] / m - d * d))
                mean[ch] = Float(Double(mean[ch]) + d)
            }
        }
        batchNormInference(x, n: n, c: c, s: s, mean: mean, variance: variance, gamma: gamma, beta: beta, eps: eps, y)
    }

    /// Batch norm with given statistics (inference mode, or the second pass of training mode):
    /// `y = γ_c·(x − mean_c)/√(variance_c + ε) + β_c`, as one pass `y = a_c·x + b_c`.
    public static func batchNormInference(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                                          mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                          gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                          _ y: UnsafeMutablePointer<Float>) {
        guard c > 0 else { return }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 &* c) { coef in
            let a = coef.baseAddress!, b = a + c
            for ch in 0..<c {
                a[ch] = (gamma?[ch] ?? 1) / (variance[ch] + eps).squareRoot()
                b[ch] = (beta?[ch] ?? 0) - mean[ch] * a[ch]
            }
            channelCombine(x, a: a, nil, b: b, shift: b, n: n, c: c, s: s, y)
        }
    }

    /// Batch norm backward over `x, g (N, C, S)` given the `mean` and `variance` used in the
    /// forward pass. `training` says whether they were the batch's own statistics (then `∂L/∂x`
    /// has the two extra terms) or constants. Writes (overwrites) the outputs that are non-nil.
    public static func batchNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                                         mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                         gamma: UnsafePointer<Float>?, eps: Float, training: Bool,
                                         dx: UnsafeMutablePointer<Float>?,
                                         dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?) {
        guard c > 0 else { return }
        let m = Double(n &* s)
        let needSums = dgamma != nil || dbeta != nil || (dx != nil && training)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 &* c) { sums in
            let sg = sums.baseAddress!, sgx = sg + c
            if needSums {
                channelSums(g, ku: nil, x, kx: mean, n: n, c: c, s: s, sumU: sg, sumUX: sgx)
            }
            for ch in 0..<c {
                let invStd = 1 / Double(variance[ch] + eps).squareRoot()
                dgamma?[ch] = Float(sgx[ch] * invStd)
                dbeta?[ch] = Float(sg[ch])
            }
            guard let dx else { return }
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 &* c) { coef in
                let k1 = coef.baseAddress!, k2 = k1 + c, k3 = k2 + c
                for ch in 0..<c {
                    let invStd = 1 / Double(variance[ch] + eps).squareRoot()
                    let scale = Double(gamma?[ch] ?? 1) * invStd
                    k1[ch] = Float(scale)
                    if training {
                        // dx = scale·(g − Σg/M − (x − μ)·invStd²·Σg(x − μ)/M) = k1·g + k2·x + k3
                        let q = -scale * invStd * invStd * sgx[ch] / m
                        k2[ch] = Float(q)
                        k3[ch] = Float(-scale * sg[ch] / m - q * Double(mean[ch]))
                    } else {
                        k2[ch] = 0; k3[ch] = 0
                    }
                }
                channelCombine(g, a: k1, training ? x : nil, b: k2, shift: k3, n: n, c: c, s: s, dx)
            }
        }
    }

    /// Reference training-mode forward in `Double`, two passes per channel.
    public static func batchNormForwardNaive(_ x: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                                             gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                             _ y: UnsafeMutablePointer<Float>,
                                             mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        let m = Double(n * s)
        for ch in 0..<c {
            var mu = 0.0
            for i in 0..<n { for j in 0..<s { mu += Double(x[(i * c + ch) * s + j]) } }
            mu /= m
            var v = 0.0
            for i in 0..<n { for j in 0..<s { let d = Double(x[(i * c + ch) * s + j]) - mu; v += d * d } }
            v /= m
            mean[ch] = Float(mu); variance[ch] = Float(v)
            let invStd = 1 / (v + Double(eps)).squareRoot()
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    y[k] = Float((Double(x[k]) - mu) * invStd * Double(gamma?[ch] ?? 1) + Double(beta?[ch] ?? 0))
                }
            }
        }
    }

    /// Reference backward in `Double`, from the formulas in the header.
    public static func batchNormBackwardNaive(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, n: Int, c: Int, s: Int,
                                              mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
                                              gamma: UnsafePointer<Float>?, eps: Float, training: Bool,
                                              dx: UnsafeMutablePointer<Float>,
                                              dgamma: UnsafeMutablePointer<Float>, dbeta: UnsafeMutablePointer<Float>) {
        let m = Double(n * s)
        for ch in 0..<c {
            let invStd = 1 / (Double(variance[ch]) + Double(eps)).squareRoot()
            var sg = 0.0, sgxhat = 0.0
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    sg += Double(g[k])
                    sgxhat += Double(g[k]) * (Double(x[k]) - Double(mean[ch])) * invStd
                }
            }
            dgamma[ch] = Float(sgxhat); dbeta[ch] = Float(sg)
            let gm = Double(gamma?[ch] ?? 1)
            for i in 0..<n {
                for j in 0..<s {
                    let k = (i * c + ch) * s + j
                    let xhat = (Double(x[k]) - Double(mean[ch])) * invStd
                    let d = training ? Double(g[k]) - sg / m - xhat * sgxhat / m : Double(g[k])
                    dx[k] = Float(gm * invStd * d)
                }
            }
        }
    }

    // MARK: Layer norm

    /// Layer norm forward over `rows` rows of `d` contiguous values: writes `y` and each row's
    /// `mean` and reciprocal standard deviation `rstd = 1/√(σ² + ε)` (saved for the backward pass).
    public static func layerNormForward(_ x: UnsafePointer<Float>, rows: Int, d: Int,
                                        gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                        _ y: UnsafeMutablePointer<Float>,
                                        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        guard d > 0 else { return }
        let chunks = normChunks(units: rows, work: rows &* d)
        let step = (rows + chunks - 1) / chunks
        Parallel.forEach(chunks) { k in
            let lo = k &* step, hi = Swift.min(rows, lo &+ step)
            guard lo < hi else { return }
            for r in lo..<hi {
                let xp = x + r &* d, yp = y + r &* d
                let mu = sumRow(xp, d) / Float(d)
                let (_, q) = planeSums(xp, mu, xp, mu, d)
                let inv = 1 / (q / Float(d) + eps).squareRoot()
                mean[r] = mu; rstd[r] = inv
                let xr = UnsafeRawPointer(xp), yr = UnsafeMutableRawPointer(yp)
                let vmu = NormVector(repeating: mu), vinv = NormVector(repeating: inv)
                var i = 0
                while i &+ 16 <= d {
                    var v = (xr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vmu) * vinv
                    if let gamma { v *= UnsafeRawPointer(gamma).loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) }
                    if let beta { v += UnsafeRawPointer(beta).loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) }
                    yr.storeBytes(of: v, toByteOffset: i &* 4, as: NormVector.self)
                    i &+= 16
                }
                while i < d {
                    yp[i] = (xp[i] - mu) * inv * (gamma?[i] ?? 1) + (beta?[i] ?? 0)
                    i &+= 1
                }
            }
        }
    }

    /// Layer norm backward from the saved `mean` and `rstd`; writes (overwrites) the non-nil
    /// outputs. `∂L/∂γ` and `∂L/∂β` are column sums over the rows, split over cores with a
    /// partial sum per chunk.
    public static func layerNormBackward(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, rows: Int, d: Int,
                                         mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                         gamma: UnsafePointer<Float>?,
                                         dx: UnsafeMutablePointer<Float>?,
                                         dgamma: UnsafeMutablePointer<Float>?, dbeta: UnsafeMutablePointer<Float>?) {
        guard d > 0 else { return }
        let wantParams = dgamma != nil || dbeta != nil
        let chunks = normChunks(units: rows, work: rows &* d)
        let step = (rows + chunks - 1) / chunks
        withUnsafeTemporaryAllocation(of: Float.self, capacity: wantParams ? chunks &* 2 &* d : 1) { buffer in
            let partial = buffer.baseAddress!
            if wantParams { partial.initialize(repeating: 0, count: chunks &* 2 &* d) }
            Parallel.forEach(chunks) { k in
                let lo = k &* step, hi = Swift.min(rows, lo &+ step)
                guard lo < hi else { return }
                let pg = partial + k &* 2 &* d, pb = pg + d
                for r in lo..<hi {
                    layerNormBackwardRow(x + r &* d, g + r &* d, d, mean[r], rstd[r], gamma,
                                         dx.map { $0 + r &* d }, wantParams ? pg : nil, wantParams ? pb : nil)
                }
            }
            guard wantParams else { return }
            for i in 0..<d {
                var sgam: Float = 0, sbet: Float = 0
                for k in 0..<chunks { sgam += partial[k &* 2 &* d &+ i]; sbet += partial[k &* 2 &* d &+ d &+ i] }
                dgamma?[i] = sgam; dbeta?[i] = sbet
            }
        }
    }

    /// One row of the layer norm backward: adds `g·x̂` into `pg` and `g` into `pb`, writes `dx`.
    @inline(__always)
    static func layerNormBackwardRow(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ d: Int,
                                     _ mu: Float, _ inv: Float, _ gamma: UnsafePointer<Float>?,
                                     _ dx: UnsafeMutablePointer<Float>?,
                                     _ pg: UnsafeMutablePointer<Float>?, _ pb: UnsafeMutablePointer<Float>?) {
        let xr = UnsafeRawPointer(x), gr = UnsafeRawPointer(g)
        let vmu = NormVector(repeating: mu), vinv = NormVector(repeating: inv)
        @inline(__always) func gam(_ i: Int) -> NormVector {
            gamma.map { UnsafeRawPointer($0).loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) }
                ?? NormVector(repeating: 1)
        }
        // Pass 1: Σ ĝ and Σ ĝ·x̂ (ĝ = γ·g), and the parameter gradients.
        var sa = NormVector(), sb = NormVector()
        var i = 0
        while i &+ 16 <= d {
            let xh = (xr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vmu) * vinv
            let gv = gr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self)
            let gh = gv * gam(i)
            sa += gh
            sb.addProduct(gh, xh)
            if let pg, let pb {
                let pgr = UnsafeMutableRawPointer(pg), pbr = UnsafeMutableRawPointer(pb)
                var a = pgr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self)
                a.addProduct(gv, xh)
                pgr.storeBytes(of: a, toByteOffset: i &* 4, as: NormVector.self)
                pbr.storeBytes(of: pbr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) + gv,
                               toByteOffset: i &* 4, as: NormVector.self)
            }
            i &+= 16
        }
        var sumG = sa.sum(), sumGX = sb.sum()
        while i < d {
            let xh = (x[i] - mu) * inv
            let gh = g[i] * (gamma?[i] ?? 1)
            sumG += gh
            sumGX += gh * xh
            if let pg, let pb { pg[i] += g[i] * xh; pb[i] += g[i] }
            i &+= 1
        }
        guard let dx else { return }
        // Pass 2: dx = rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)).
        let ma = sumG / Float(d), mb = sumGX / Float(d)
        let vma = NormVector(repeating: ma), vmb = NormVector(repeating: mb)
        let dr = UnsafeMutableRawPointer(dx)
        i = 0
        while i &+ 16 <= d {
            let xh = (xr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) - vmu) * vinv
            let gh = gr.loadUnaligned(fromByteOffset: i &* 4, as: NormVector.self) * gam(i)
            dr.storeBytes(of: (gh - vma - xh * vmb) * vinv, toByteOffset: i &* 4, as: NormVector.self)
            i &+= 16
        }
        while i < d {
            let xh = (x[i] - mu) * inv
            dx[i] = (g[i] * (gamma?[i] ?? 1) - ma - xh * mb) * inv
            i &+= 1
        }
    }

    /// Reference layer norm forward in `Double`.
    public static func layerNormForwardNaive(_ x: UnsafePointer<Float>, rows: Int, d: Int,
                                             gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?, eps: Float,
                                             _ y: UnsafeMutablePointer<Float>,
                                             mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            var mu = 0.0
            for i in 0..<d { mu += Double(x[r * d + i]) }
            mu /= Double(d)
            var v = 0.0
            for i in 0..<d { let e = Double(x[r * d + i]) - mu; v += e * e }
            let inv = 1 / (v / Double(d) + Double(eps)).squareRoot()
            mean[r] = Float(mu); rstd[r] = Float(inv)
            for i in 0..<d {
                y[r * d + i] = Float((Double(x[r * d + i]) - mu) * inv * Double(gamma?[i] ?? 1) + Double(beta?[i] ?? 0))
            }
        }
    }

    /// Reference layer norm backward in `Double`, from the formulas in the header.
    public static func layerNormBackwardNaive(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>, rows: Int, d: Int,
                                              mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                              gamma: UnsafePointer<Float>?,
                                              dx: UnsafeMutablePointer<Float>,
                                              dgamma: UnsafeMutablePointer<Float>, dbeta: UnsafeMutablePointer<Float>) {
        var dg = [Double](repeating: 0, count: d), db = [Double](repeating: 0, count: d)
        for r in 0..<rows {
            let mu = Double(mean[r]), inv = Double(rstd[r])
            var sa = 0.0, sb = 0.0
            for i in 0..<d {
                let xh = (Double(x[r * d + i]) - mu) * inv, gv = Double(g[r * d + i])
                let gh = gv * Double(gamma?[i] ?? 1)
                sa += gh; sb += gh * xh
                dg[i] += gv * xh; db[i] += gv
            }
            for i in 0..<d {
                let xh = (Double(x[r * d + i]) - mu) * inv
                let gh = Double(g[r * d + i]) * Double(gamma?[i] ?? 1)
                dx[r * d + i] = Float(inv * (gh - sa / Double(d) - xh * sb / Double(d)))
            }
        }
        for i in 0..<d { dgamma[i] = Float(dg[i]); dbeta[i] = Float(db[i]) }
    }
}
