import Dispatch
import Foundation

/// Work splitting over all cores (Dispatch). Kernels call `parallelFor` with a number of
/// independent chunks; small jobs run inline to avoid the dispatch overhead.
public enum Parallel {
    /// Number of worker threads kernels use (all cores by default). Benchmarks set it to 1.
    public static var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body(i)` for `i` in `0..<count`, spread over `threads` threads.
    /// `body` must only write memory no other `i` writes.
    @inline(__always)
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 || threads <= 1 {
            for i in 0..<count { body(i) }
        } else {
            withoutActuallyEscaping(body) { b in
                DispatchQueue.concurrentPerform(iterations: count) { i in b(i) }
            }
        }
    }

    /// Splits `0..<n` into about `threads` contiguous ranges (each at least `minChunk`
    /// long) and runs `body` on each in parallel.
    @inline(__always)
    public static func forRanges(_ n: Int, minChunk: Int = 32_768, _ body: (Range<Int>) -> Void) {
        let chunks = min(threads, max(1, n / max(minChunk, 1)))
        if chunks <= 1 { body(0..<n); return }
        let step = (n + chunks - 1) / chunks
        forEach(chunks) { c in
            let lo = c &* step
            let hi = min(n, lo &+ step)
            if lo < hi { body(lo..<hi) }
        }
    }
}
