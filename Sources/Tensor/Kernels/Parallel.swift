import Dispatch
import Foundation

/// Work splitting over the cores (Dispatch). Kernels call `forEach`/`forRanges` with a number of
/// independent chunks; small jobs run inline to avoid the dispatch overhead.
///
/// **Results never depend on the thread count.** Work is split over *outputs* (rows of a product,
/// planes, channels), and where a kernel must sum over its split (a convolution's weight
/// gradient sums over the images of the batch) it uses `reductionParts`, a fixed number of
/// chunks added in a fixed order. So the same seed gives bit-identical weights with 1, 2 or 64
/// threads; the thread count changes only the speed.
public enum Parallel {
    /// Worker count outside any `withThreads` scope: `D2L_THREADS` when set to a positive
    /// integer, else all cores. Executables may set it once (e.g. from `--threads`).
    public static var defaultThreads: Int = threadsFromEnvironment()

    /// The worker count set by the innermost `withThreads` of the current task or thread.
    @TaskLocal static var scoped: Int?

    /// Number of worker threads kernels use now: the innermost `withThreads` value, else
    /// `defaultThreads`. Setting it sets `defaultThreads`.
    public static var threads: Int {
        get { scoped ?? defaultThreads }
        set { defaultThreads = max(1, newValue) }
    }

    /// Runs `body` with `threads` set to `n` (at least 1) for the calling task or thread only,
    /// leaving the default and other tasks unchanged: `Parallel.withThreads(1) { net(x) }`.
    public static func withThreads<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(max(1, n)) { try body() }
    }

    /// `D2L_THREADS` if it is a positive integer (a warning names any other value), else all cores.
    static func threadsFromEnvironment() -> Int {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let text = ProcessInfo.processInfo.environment["D2L_THREADS"]
        let n = threadCount(fromEnvironment: text, cores: cores)
        if n == nil {
            FileHandle.standardError.write(Data("warning: D2L_THREADS=\(text ?? "") is not a positive integer; using \(cores) threads\n".utf8))
        }
        return n ?? cores
    }

    /// The worker count a `D2L_THREADS` value asks for: `cores` when unset or empty, the number
    /// when it is a positive integer, `nil` (invalid) otherwise.
    public static func threadCount(fromEnvironment text: String?, cores: Int) -> Int? {
        guard let text, !text.isEmpty else { return cores }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else { return nil }
        return n
    }

    /// How many partial sums a kernel that reduces over its parallel split (e.g. a convolution's
    /// weight gradient over the images of a batch) uses: `min(count, 8)`, whatever the thread
    /// count, so the summation order — and the result — is the same for any number of threads.
    /// The parts are added in index order.
    @inline(__always)
    public static func reductionParts(_ count: Int) -> Int { max(1, min(count, 8)) }

    /// Fewest elements of a memory-bound loop (elementwise ops, sums) worth giving a thread of its
    /// own: 128 Ki floats (512 KiB). Smaller jobs run on the calling thread — a parallel region
    /// costs a wake-up of every worker, and on a busy machine a wait for a core, which is more
    /// than a few microseconds of streaming (the MLP's 256×256 activations stay on one thread).
    public static let elementwiseChunk = 131_072

    /// Runs `body(i)` for `i` in `0..<count`, spread over `threads` threads.
    /// `body` must only write memory no other `i` writes.
    @inline(__always)
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        forEach(count, threads: threads, body)
    }

    /// `forEach` on at most `threads` threads (the caller and `threads − 1` workers of the
    /// persistent `WorkerPool`, which hand out the indices one at a time). Runs inline with one
    /// thread, one index, or inside another parallel region (a nested region); while the pool
    /// runs another caller's region, runs on Dispatch.
    public static func forEach(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        if count <= 1 || threads <= 1 || isInsideRegion {
            for i in 0..<count { body(i) }
            return
        }
        guard let pool = WorkerPool.shared else {
            for i in 0..<count { body(i) }
            return
        }
        markInsideRegion()
        let ran = pool.run(count, participants: min(threads, count), body)
        if !ran {
            // The pool is busy with another thread's region: Dispatch's threads, each marked as
            // inside a region so that a region nested in `body` runs inline.
            withoutActuallyEscaping(body) { b in
                DispatchQueue.concurrentPerform(iterations: count) { i in
                    let outer = isInsideRegion
                    if !outer { markInsideRegion() }
                    b(i)
                    if !outer { markOutsideRegion() }
                }
            }
        }
        markOutsideRegion()
    }

    /// Whether the calling thread is running the body of a parallel region (a pool worker always is).
    static var isInsideRegion: Bool { pthread_getspecific(regionKey) != nil }

    static func markInsideRegion() { pthread_setspecific(regionKey, UnsafeRawPointer(bitPattern: 1)) }

    static func markOutsideRegion() { pthread_setspecific(regionKey, nil) }

    /// The pthread key whose value is non-nil on a thread inside a parallel region.
    private static let regionKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        if status != 0 { fatalError("Parallel: pthread_key_create failed with status \(status)") }
        return key
    }()

    /// Splits `0..<n` into about `threads` contiguous ranges (each at least `minChunk`
    /// long) and runs `body` on each in parallel. Callers only split outputs this way (each
    /// range writes its own results), so the ranges' boundaries do not change any value.
    /// Every range but the last starts and ends at a multiple of `align`: elementwise loops
    /// over flat arrays pass 16, so each element meets the same SIMD16 or scalar-tail code
    /// (whose roundings may differ, e.g. `exp`) whatever the thread count.
    @inline(__always)
    public static func forRanges(_ n: Int, minChunk: Int = elementwiseChunk, align: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(threads, max(1, n / max(minChunk, 1)))
        if chunks <= 1 { body(0..<n); return }
        let a = max(align, 1)
        let step = ((n + chunks - 1) / chunks + a - 1) / a * a
        forEach(chunks) { c in
            let lo = c &* step
            let hi = min(n, lo &+ step)
            if lo < hi { body(lo..<hi) }
        }
    }
}
