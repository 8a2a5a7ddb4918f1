import Foundation

/// Packed weights shared by the products of one training step (book §8.5, §9.1–9.2).
///
/// The scratch recurrent models multiply every time step's state by the same `W_h`: 35 products
/// of a 32-row state with one 256×256 weight forward, and 35 more with its transpose backward.
/// The small-M GEMM path reads an untransposed weight in place and takes a transposed one as dot
/// products (GEMMSmallM.swift, GEMMDot.swift), slower than on a weight packed into contiguous
/// column panels, which a step can pack once and reuse. `Benchmarks gemmshapes` prints both (its
/// "packed once" column); three runs on a Zen 3, 2 threads, Dec 1 2026 17:37 UTC: the scratch
/// gate's 32×256·256×256 forward 138–166 GFLOP/s in place, 164–173 packed; `G·Wᵀ` 105–112 as dot
/// products, 159–173 packed; the 512-unit RNN's `(32×512)·(512×512)ᵀ` 137–141 → 176–197. In the
/// scratch LSTM's training the gain is small against this host's noise: `perf` shows the
/// products' share of the samples down by ~3.5 points (the dot path gone), and its first 60
/// epochs, previous and this build alternately four times, took 69.7 → 66.9 s in all (two of the
/// four pairs slower).
///
/// `Tensor.reusingPackedWeights { … }` is that scope: inside it, `matmul` packs the right-hand
/// operand once per (weight, orientation) when the operand is a parameter (a leaf that requires
/// grad), is 2-D, and the product takes the small-M path (≤ 64 rows), and reuses the packed copy
/// for the rest of the scope; the backward pass does the same for `G·Wᵀ`. Outside the scope (and
/// for any other operand) nothing is cached.
///
/// The contract: **the parameters must not change inside the scope** (the packed copies would be
/// stale). A training loop wraps the forward pass, the loss and `backward()` and steps the
/// optimizer after the scope, as `trainEpochCh8` does.
///
/// Packed and in-place panels sum each element over `k` in the same order, so an untransposed
/// weight gives bit-identical products either way; `G·Wᵀ` sums in order instead of in the dot
/// path's blocked tree (equal up to rounding).
extension Tensor {
    /// Runs `body` (one step's forward pass, loss and `backward()`) with the parameters' packed
    /// copies reused across its products (see `PackedWeights`). The parameters must not change
    /// inside `body`.
    public static func reusingPackedWeights<R>(_ body: () throws -> R) rethrows -> R {
        try PackedWeights.$current.withValue(PackedWeights()) { try body() }
    }
}

/// The packed copies of one `reusingPackedWeights` scope, keyed by the weight's storage and the
/// orientation of the product. Holds the storages too, so that an identifier is not reused by a
/// new buffer while the scope lasts.
final class PackedWeights: @unchecked Sendable {
    /// The innermost scope of the current task or thread (nil outside any scope).
    @TaskLocal static var current: PackedWeights?

    struct Key: Hashable {
        let storage: ObjectIdentifier
        let transB: Bool, k: Int, n: Int, ldb: Int
    }

    private let lock = NSLock()
    private var packs: [Key: (storage: TensorStorage, packed: Kernels.GEMMPackedB)] = [:]

    /// Number of packed copies made so far (tests).
    var count: Int { lock.withLock { packs.count } }

    /// `op(B)` of `storage` (`k × n`; `B` is `n × k` with `transB`, row stride `ldb`) packed for
    /// the small-M kernels: made on the first request, then the same copy.
    func packed(_ storage: TensorStorage, transB: Bool, k: Int, n: Int, ldb: Int) -> Kernels.GEMMPackedB {
        let key = Key(storage: ObjectIdentifier(storage), transB: transB, k: k, n: n, ldb: ldb)
        return lock.withLock {
            if let hit = packs[key] { return hit.packed }
            let p = Kernels.GEMMPackedB(transB: transB, k: k, n: n, b: storage.pointer, ldb: ldb)
            packs[key] = (storage, p)
            return p
        }
    }

    /// Whether a product with `rows` rows of `op(A)` by a `k × n` weight is one that `Kernels.gemm`
    /// runs without packing `op(A)` (rows ≤ 64, the small-M test; with a long transposed weight
    /// `gemm` would take the dot path, GEMMDot.swift): there a weight packed once pays.
    static func worthPacking(rows: Int, n: Int, k: Int) -> Bool {
        rows <= Kernels.gemmSmallMMaxM && rows &* n &* k >= Kernels.gemmSmallWork && Kernels.gemmUsesSmallM(m: rows, n: n, k: k)
    }
}
