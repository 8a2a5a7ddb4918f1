import Foundation
import Synchronization

/// A persistent pool of worker threads for `Parallel.forEach` (issue 11).
///
/// A recurrent step (book §8.5, §9.1–9.3: batch 32, hidden 256–512) multiplies its states by
/// `W_hh` in ~35–150 µs on one thread, 35 steps × forward and backward per minibatch; with
/// `DispatchQueue.concurrentPerform` a 2-way region of ~4.5 µs bodies takes 9.2 µs on a quiet
/// machine, as long as one thread doing both (9.0), against 5.4 µs on this pool (`Benchmarks pool`,
/// Dec 1 2026); under load the gap was 14–17 against 9.0 µs. This pool keeps `workers` threads
/// (the cores but one: the caller is a participant too) that stay on-CPU for a short while after
/// a region, so the next region starts within a microsecond or two.
///
/// **A region** `run(count, participants, body)` runs `body(i)` once for every `i < count`:
/// 1. the caller takes the pool (`busy`; a pool already running a region is never waited for:
///    `run` returns `false` and `Parallel.forEach` uses Dispatch, or runs inline when nested),
/// 2. publishes `body` and `count`, then stores a new generation `g` in the claim word
///    `claim = g << 32 | next`, with `next = 0`,
/// 3. everyone (caller and up to `participants − 1` workers) claims indices one at a time by a
///    compare-and-swap of `(g, i)` into `(g, i + 1)`, `i < count`. A worker still holding a word
///    of an older region fails its swap, so it can never run an index of a region it did not read;
/// 4. each participant subtracts the indices it ran from `remaining`; the caller returns when
///    `remaining` is 0 (every index has run, and no worker can claim any more).
///
/// Claims are dynamic, so a worker that is slow to wake (asleep, or preempted by another
/// process) takes only what is left: the caller never waits for a worker that has not started.
///
/// **Between regions** a worker spins for `spinMicroseconds` (`D2L_POOL_SPIN_US`, default 50)
/// watching the claim word — calling `sched_yield` between looks after the first few
/// microseconds, so a waiting worker gives its core to any other runnable thread — and then
/// sleeps on a condition until the next region.
///
/// Which thread runs which index never changes a value: callers split outputs (see `Parallel`).
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool: the cores but one (nil on one core), created on first use.
    static let shared: WorkerPool? = {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return cores > 1 ? WorkerPool(workers: cores &- 1, spinMicroseconds: spinFromEnvironment()) : nil
    }()

    /// Microseconds a worker spins after a region: `D2L_POOL_SPIN_US` if it is a non-negative
    /// integer, else 50.
    static func spinFromEnvironment() -> Int {
        guard let text = ProcessInfo.processInfo.environment["D2L_POOL_SPIN_US"] else { return 50 }
        guard let us = Int(text.trimmingCharacters(in: .whitespaces)), us >= 0 else {
            FileHandle.standardError.write(Data("warning: D2L_POOL_SPIN_US=\(text) is not a non-negative integer; using 50\n".utf8))
            return 50
        }
        return us
    }

    /// Worker threads (not counting the caller).
    let workers: Int
    /// Nanoseconds a worker spins after a region before it sleeps.
    let spinNanoseconds: UInt64

    /// `generation << 32 | next index`.
    private let claim = Atomic<UInt64>(0)
    /// Indices of the current region (read with `claim`; an older worker may read a newer count,
    /// but then its swap of the older generation fails).
    private let count = Atomic<Int>(0)
    /// Workers that may still join the current region.
    private let seats = Atomic<Int>(0)
    /// Indices of the current region not yet run.
    private let remaining = Atomic<Int>(0)
    /// True while a caller owns the pool.
    private let busy = Atomic<Bool>(false)
    /// Workers asleep (or about to sleep) on `condition`.
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let condition = NSCondition()
    private let exited = Atomic<Int>(0)
    /// The current region's body. Written by the owning caller before it publishes the
    /// generation; read only by a thread that has just claimed an index of that generation.
    private var body: ((Int) -> Void)?

    init(workers: Int, spinMicroseconds: Int = 50) {
        self.workers = max(0, workers)
        spinNanoseconds = UInt64(max(0, spinMicroseconds)) &* 1000
        for w in 0..<self.workers {
            let thread = Thread { [self] in workerLoop() }
            thread.name = "d2l-pool-\(w)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Stops the workers (after any running region) and waits until they have exited. For pools
    /// made by tests; the shared pool lives as long as the process.
    func shutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        condition.lock()
        condition.broadcast()
        condition.unlock()
        while exited.load(ordering: .acquiring) < workers { sched_yield() }
    }

    /// Runs `body(i)` for every `i < count` on the caller and up to `participants − 1` workers,
    /// and returns `true` when all have run; returns `false` at once, running nothing, when the
    /// pool is running another region (a concurrent caller, or a region nested in a body).
    func run(_ count: Int, participants: Int, _ body: (Int) -> Void) -> Bool {
        if count < 0 || count >= 1 << 31 { fatalError("WorkerPool.run: count \(count) out of range 0..<2³¹") }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return false }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            self.count.store(count, ordering: .relaxed)
            remaining.store(count, ordering: .relaxed)
            seats.store(min(participants, workers &+ 1) &- 1, ordering: .relaxed)
            // Publish: the new generation, next index 0. Sequentially consistent with the load
            // of `sleepers` below (a worker counts itself, then looks at `claim`).
            let generation = (claim.load(ordering: .relaxed) >> 32) &+ 1
            claim.store(generation << 32, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
            let done = participate(generation, escaping)
            var left = remaining.subtract(done, ordering: .acquiringAndReleasing).newValue
            // Wait for the indices other participants have claimed: on-CPU, yielding the core
            // after a few microseconds in case a participant is waiting for it.
            var spins = 0
            while left > 0 {
                spins &+= 1
                if spins > 200 { sched_yield() }
                left = remaining.load(ordering: .acquiring)
            }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Claims and runs indices of `generation` until none are left; returns how many it ran.
    /// A worker passes no `body`: it reads the region's body after its first successful claim,
    /// when the caller is still waiting for that index (so the body is the one of `generation`).
    @inline(never)
    private func participate(_ generation: UInt64, _ callerBody: ((Int) -> Void)?) -> Int {
        var body = callerBody
        var done = 0
        var word = claim.load(ordering: .acquiring)
        while word >> 32 == generation {
            let i = Int(truncatingIfNeeded: word & 0xFFFF_FFFF)
            if i >= count.load(ordering: .relaxed) { break }
            let (exchanged, original) = claim.compareExchange(expected: word, desired: word &+ 1, ordering: .acquiringAndReleasing)
            if exchanged {
                if body == nil { body = self.body }
                body!(i)
                done &+= 1
                word = claim.load(ordering: .acquiring)
            } else {
                word = original
            }
        }
        return done
    }

    /// A worker that has seen a claim word of generation `generation` and no newer one joins
    /// that region if a seat is free; returns how many indices it ran.
    /// (A worker that looks too late may take a seat of the next region and then sit that one
    /// out: fewer helpers for one region, never a wrong result.)
    private func join(_ generation: UInt64) -> Int {
        if claim.load(ordering: .relaxed) >> 32 != generation { return 0 }
        if seats.subtract(1, ordering: .relaxed).newValue < 0 { return 0 }
        return participate(generation, nil)
    }

    private func workerLoop() {
        Parallel.markInsideRegion()
        // Generation 0 is the pool's initial word, never a region: a worker that starts after the
        // first region was published still joins it.
        var seen: UInt64 = 0
        while !stopping.load(ordering: .relaxed) {
            let generation = waitForRegion(after: seen)
            if generation == seen { continue }
            seen = generation
            let done = join(generation)
            if done > 0 { remaining.subtract(done, ordering: .releasing) }
        }
        exited.add(1, ordering: .releasing)
    }

    /// The generation of the next region after `seen` (or `seen` when stopping): spins for
    /// `spinNanoseconds`, then sleeps on `condition`.
    private func waitForRegion(after seen: UInt64) -> UInt64 {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        while true {
            let g = claim.load(ordering: .acquiring) >> 32
            if g != seen { return g }
            spins &+= 1
            if spins & 63 == 0 {
                if DispatchTime.now().uptimeNanoseconds &- start >= spinNanoseconds { break }
            }
            // After a few microseconds of pure spinning, offer the core to other threads between looks.
            if spins > 256 { sched_yield() }
        }
        condition.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var g = claim.load(ordering: .sequentiallyConsistent) >> 32
        while g == seen && !stopping.load(ordering: .sequentiallyConsistent) {
            condition.wait()
            g = claim.load(ordering: .sequentiallyConsistent) >> 32
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        condition.unlock()
        return g
    }
}
