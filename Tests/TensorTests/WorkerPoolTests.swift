import Foundation
import Synchronization
import XCTest
@testable import Tensor
import TestSupport

/// The persistent worker pool behind `Parallel.forEach` (issue 11): every index runs exactly once,
/// a region nested in a body runs inline, concurrent callers never deadlock, a worker joins a
/// region whether it is spinning or asleep, and results do not depend on the thread count.
final class WorkerPoolTests: XCTestCase {
    /// Per-index run counters, written without locks: a second run of an index shows as a count of 2.
    final class Counters: @unchecked Sendable {
        let p: UnsafeMutablePointer<Int>
        let count: Int
        init(_ count: Int) {
            self.count = count
            p = .allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
        }
        deinit { p.deallocate() }
        func bump(_ i: Int) { p[i] += 1 }
        /// The first index whose count is not `expected`, with its count.
        func firstWrong(_ expected: Int) -> (index: Int, count: Int)? {
            (0..<count).first { p[$0] != expected }.map { ($0, p[$0]) }
        }
    }

    /// An atomic flag and counter that escaping closures can share.
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
        let count = Atomic<Int>(0)
    }

    /// Runs `body` with a fresh pool of `workers` threads on a thread of its own, then stops the
    /// pool; a region that never ends (an index never run) fails the test after 60 s instead of
    /// hanging it.
    func withPool(workers: Int, spin: Int = 50, _ label: String, _ body: @escaping @Sendable (WorkerPool) -> Void) {
        let pool = WorkerPool(workers: workers, spinMicroseconds: spin)
        if finishes(within: 60, { body(pool) }) {
            pool.shutdown()
        } else {
            XCTFail("\(label) (spin \(spin)): the regions did not end within 60 s")
        }
    }

    /// Runs `body` on a thread of its own and returns whether it finished within `seconds`, so
    /// that a region that never ends (an index never run) fails the test instead of hanging it.
    func finishes(within seconds: Double, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread { body(); done.signal() }.start()
        return done.wait(timeout: .now() + seconds) == .success
    }

    func testEveryIndexRunsExactlyOnce() {
        for spin in [0, 50] {
            withPool(workers: 3, spin: spin, "every index once") { pool in
                for count in [0, 1, 2, 3, 1000] {
                    for participants in [1, 2, 4, 9] {
                        let hits = Counters(count)
                        for _ in 0..<20 {
                            XCTAssertTrue(pool.run(count, participants: participants) { hits.bump($0) })
                        }
                        if let (i, n) = hits.firstWrong(20) {
                            XCTFail("spin \(spin) count \(count) participants \(participants): index \(i) ran \(n) times in 20 regions")
                        }
                    }
                }
            }
        }
    }

    /// A region whose index 0 waits for index 1 can only finish if a worker runs one of them:
    /// a worker wakes (spin 0: from sleep) and joins. A lost wake-up fails after 10 s.
    func testAWorkerJoins() {
        for spin in [0, 50] {
            withPool(workers: 1, spin: spin, "a worker joins") { pool in
                for r in 0..<(spin == 0 ? 5000 : 1000) {
                    let flag = Flag()
                    var timedOut = false
                    XCTAssertTrue(pool.run(2, participants: 2) { i in
                        if i == 1 { flag.value.store(true, ordering: .releasing); return }
                        let start = Date()
                        while !flag.value.load(ordering: .acquiring) {
                            if Date().timeIntervalSince(start) > 10 { timedOut = true; return }
                            sched_yield()
                        }
                    })
                    if timedOut { XCTFail("spin \(spin) region \(r): no worker joined within 10 s"); return }
                }
            }
        }
    }

    /// A pool running a region refuses a second one (`run` returns false) instead of waiting for
    /// itself; `Parallel.forEach` then runs the nested region inline.
    func testNestedRegions() {
        withPool(workers: 2, "nested run") { pool in
            let refused = Counters(4)
            XCTAssertTrue(pool.run(4, participants: 3) { i in
                if !pool.run(3, participants: 3, { _ in }) { refused.bump(i) }
            })
            XCTAssertNil(refused.firstWrong(1), "a nested run on a busy pool must return false")
        }
        let hits = Counters(4 * 5)
        let ended = finishes(within: 60) {
            Parallel.withThreads(2) {
                Parallel.forEach(4) { i in Parallel.forEach(5) { j in hits.bump(i * 5 + j) } }
            }
        }
        XCTAssertTrue(ended, "nested forEach did not end within 60 s")
        if let (i, n) = hits.firstWrong(1) { XCTFail("nested forEach: index \(i) ran \(n) times") }
    }

    /// Four threads × 200 regions on the shared pool at once: the regions that find it busy run on
    /// Dispatch, and every index of every region runs exactly once.
    func testConcurrentCallers() {
        let callers = 4, regions = 200, count = 17
        let hits = (0..<callers).map { _ in Counters(count) }
        let finished = Flag()
        for c in 0..<callers {
            let counters = hits[c]
            Thread {
                Parallel.withThreads(2) {
                    for _ in 0..<regions { Parallel.forEach(count) { counters.bump($0) } }
                }
                finished.count.add(1, ordering: .releasing)
            }.start()
        }
        let start = Date()
        while finished.count.load(ordering: .acquiring) < callers {
            if Date().timeIntervalSince(start) > 60 { XCTFail("concurrent callers did not finish within 60 s (deadlock?)"); return }
            usleep(1000)
        }
        for (c, h) in hits.enumerated() {
            if let (i, n) = h.firstWrong(regions) { XCTFail("caller \(c): index \(i) ran \(n) times, not \(regions)") }
        }
    }

    /// One slow index (20 ms) does not stop the others from running, nor the region from ending.
    func testSlowIndex() {
        withPool(workers: 2, "slow index") { pool in
            let hits = Counters(64)
            let start = Date()
            XCTAssertTrue(pool.run(64, participants: 3) { i in
                if i == 5 { usleep(20_000) }
                hits.bump(i)
            })
            XCTAssertNil(hits.firstWrong(1))
            XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        }
    }

    /// The small-M GEMM (threads claim one 64-column panel, or one row tile, at a time) gives
    /// the same bits on 1, 2 and 3 threads, on odd sizes of both splits.
    func testSmallMGEMMSameBitsForAnyThreads() {
        for (m, n, k) in [(33, 200, 129), (7, 64, 31), (64, 1000, 17), (5, 65, 300)] {
            var gen = SeededGenerator(seed: UInt64(m * n + k))
            let a = Tensor.uniform([m * k], low: -1, high: 1, generator: &gen).scalars
            let b = Tensor.uniform([k * n], low: -1, high: 1, generator: &gen).scalars
            let packed = b.withUnsafeBufferPointer { Kernels.GEMMPackedB(transB: false, k: k, n: n, b: $0.baseAddress!, ldb: n) }
            let results = [1, 2, 3].map { t in
                var c = [Float](repeating: 0, count: m * n)
                Kernels.gemm(transA: false, m: m, a: a, lda: k, packedB: packed, c: &c, ldc: n, threads: t)
                return c.map(\.bitPattern)
            }
            XCTAssertEqual(results[0], results[1], "m=\(m) n=\(n) k=\(k): 2 threads differ from 1")
            XCTAssertEqual(results[0], results[2], "m=\(m) n=\(n) k=\(k): 3 threads differ from 1")
        }
    }
}
