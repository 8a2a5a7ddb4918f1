/// A one-thread GEMM on caller-provided memory, for kernels that already run one independent
/// product per thread (a convolution over the images of a batch) and keep their buffers in a
/// `ThreadScratch`: the same blocking, packing and MR×NR micro-kernel as `gemm` (GEMM.swift),
/// `C[m×n] = op(A)·op(B) + beta·C`, but no thread split and no allocation.
extension Kernels {
    /// Floats of workspace `gemmSerial` needs: a packed `kc × nc` block of op(B), a packed
    /// `mc × kc` block of op(A) and one scratch register tile.
    static let gemmSerialWorkspace = gemmKC * gemmNC + gemmMC * gemmKC + gemmMR * gemmNR

    /// Depth of the equal blocks `k` is cut into: at most `gemmKC` (512 = 2×256, not 384 + 128).
    @inline(__always)
    static func gemmDepthBlock(_ k: Int) -> Int {
        let blocks = (k &+ gemmKC &- 1) / gemmKC
        return (k &+ blocks &- 1) / blocks
    }

    /// Floats of `op(A)` (`m × k`) packed whole by `packAWhole`: `m` rounded up to whole panels.
    static func gemmPackedACount(m: Int, k: Int) -> Int { (m &+ gemmMR &- 1) / gemmMR &* gemmMR &* k }

    /// Packs all of `op(A)` (`m × k`) once, for `gemmSerial(…, packedA:)` products that share it
    /// (a convolution's weights, multiplied by every image group's columns): depth block `pc` (of
    /// `gemmDepthBlock(k)`) starts at `pc·mPadded` and holds the `packA` panels of all `m` rows,
    /// so the panels of rows `ic…` start `ic·kc` further. The panels are split over threads.
    static func packAWhole(transA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                           into dst: UnsafeMutablePointer<Float>) {
        let mr = gemmMR, panels = (m &+ mr &- 1) / mr, mPadded = panels &* mr, kcMax = gemmDepthBlock(k)
        Parallel.forRanges(panels, minChunk: max(1, 65_536 / max(mr &* k, 1))) { range in
            var pc = 0
            while pc < k {
                let kc = min(kcMax, k &- pc)
                let i0 = range.lowerBound &* mr, rows = min(m, range.upperBound &* mr) &- i0
                packA(transA: transA, a, lda, i0, rows, pc, kc, dst + (pc &* mPadded &+ i0 &* kc))
                pc &+= kc
            }
        }
    }

    /// `C = op(A)·op(B) + beta·C` on one thread; `workspace` holds `gemmSerialWorkspace` floats.
    /// Loop order (Goto/BLIS): column blocks of `nc`, depth blocks of `kc` (op(B) packed once per
    /// block), row blocks of `mc` (op(A) packed), then the macro-kernel over the register tiles.
    /// With `packedA` (from `packAWhole` of the same `op(A)`) the row blocks are not packed again;
    /// the result is the same to the bit.
    static func gemmSerial(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float,
                           workspace: UnsafeMutablePointer<Float>, packedA: UnsafePointer<Float>? = nil) {
        if m <= 0 || n <= 0 || k <= 0 {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                 c: c, ldc: ldc, beta: beta, threads: 1)
            return
        }
        if m &* n &* k < gemmSmallWork {
            gemmSmall(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                      c: c, ldc: ldc, beta: beta)
            return
        }
        let nr = gemmNR
        // Equal depth blocks of at most gemmKC; column blocks of at most gemmNC, whole panels.
        let kcMax = gemmDepthBlock(k), mPadded = (m &+ gemmMR &- 1) / gemmMR &* gemmMR
        let nBlocks = (n &+ gemmNC &- 1) / gemmNC
        let ncMax = min(gemmNC, ((n &+ nBlocks &- 1) / nBlocks &+ nr &- 1) / nr &* nr)
        let bBuf = workspace, aBuf = workspace + gemmKC &* gemmNC, scratch = aBuf + gemmMC &* gemmKC
        var jc = 0
        while jc < n {
            let cols = min(ncMax, n &- jc)
            let bPanels = (cols &+ nr &- 1) / nr
            var pc = 0
            while pc < k {
                let kc = min(kcMax, k &- pc)
                packB(transB: transB, b, ldb, pc, kc, jc, cols, panels: 0..<bPanels, bBuf)
                let betaHere: Float = pc == 0 ? beta : 1
                var ic = 0
                while ic < m {
                    let rows = min(gemmMC, m &- ic)
                    let ap: UnsafePointer<Float>
                    if let packedA { ap = packedA + (pc &* mPadded &+ ic &* kc) } else {
                        packA(transA: transA, a, lda, ic, rows, pc, kc, aBuf)
                        ap = UnsafePointer(aBuf)
                    }
                    gemmMacroKernel(rows, cols, kc, panels: 0..<bPanels, ap, bBuf, c + (ic &* ldc &+ jc), ldc,
                                    betaHere, scratch)
                    ic &+= rows
                }
                pc &+= kc
            }
            jc &+= cols
        }
    }
}
