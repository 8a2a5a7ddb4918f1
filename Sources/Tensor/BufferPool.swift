import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A caching allocator for large tensor buffers (≥ `minBytes`).
///
/// A training step allocates the same activation and gradient sizes every time. A fresh
/// multi-megabyte buffer costs one page fault per 4 KiB page on first touch, and buffers
/// returned to glibc fragment its heap, so large buffers are mapped straight from the kernel
/// (`mmap`) and kept when their tensor dies, to be handed out again:
///
/// - **Best fit.** A request of `b` bytes (rounded to whole pages) takes the smallest cached
///   buffer of capacity `c` with `b ≤ c ≤ fitPercent % · b` (default 150 %; or a fresh buffer's
///   capacity, if larger: huge-page buffers are rounded to 2 MiB, ≤ 25 % from 8 MiB).
/// - **Bounded footprint.** Let `L` be the bytes handed out (live), `C` the bytes cached and
///   `H` the largest `L` seen so far. A miss of `b` bytes with `L + C + b > max(H, L + b) +
///   headroom` (default headroom 1/8, at least 64 MiB: with none LeNet-BN missed 8 of 31 requests
///   a step and ran 1.6× slower) takes the smallest cached buffer that holds `b`, however
///   oversized, provided that what it wastes fits in the headroom: its pages are resident
///   already, so nothing faults and the footprint stays. Otherwise cached buffers are unmapped (the smallest one that covers the
///   excess, else the largest, and again) until the bound holds, so the footprint `L + C` never
///   exceeds the peak of live bytes by more than the headroom: caching does not grow resident
///   memory over a run, it keeps it resident between steps. A step needs its sizes at different
///   times (GoogLeNet's forward wants two 72 MiB buffers, its backward two of 54 MiB; VGG trades
///   392 MiB buffers for pairs of 196 MiB), so the buffers that serve a whole step are more than
///   its peak of live bytes. With 130 % fits and unmapping at the limit (the previous rule), every
///   step of the chapter-7 CNNs mapped 11–19 fresh buffers, 550–2300 MB of pages the kernel
///   zeroed (`clear_page_erms` at 7–25 % of a step's profile). Unbounded oversized takes stopped
///   that but held VGG-11's 196 MiB requests in 392 MiB buffers (3.12 GB peak RSS, PyTorch 2.79);
///   the waste bound keeps VGG at 2.44 GB. Peak RSS of `Benchmarks step` with this rule (Dec 1
///   2026, ours / PyTorch): AlexNet 1.50 / 1.84, VGG-11 small 2.44 / 2.83, NiN 1.86 / 2.00,
///   GoogLeNet 1.00 / 1.71, ResNet-18 1.81 / 2.03, DenseNet 2.31 / 2.61 GB. Raising the headroom
///   to 1/2 instead also stopped the misses, but grew NiN's RSS to 2.10 GB.
///   (ResNet-18 at batch 256 and 96 px has 151 MB activations; the earlier exact-size cache of
///   ≤ 64 MB buffers let those fault 16 M times in 30 steps and let the heap grow from 1.8 to
///   2.6 GB over an epoch.)
/// - **Huge pages.** Buffers of at least `hugeBytes` are 2 MiB aligned and advised as
///   transparent huge pages, so first touch faults once per 2 MiB and the TLB covers them.
///
/// Thread-safe. `shared` is the process-wide pool used by `TensorStorage`; tests make
/// their own pools, so nothing needs resetting.
public final class BufferPool: @unchecked Sendable {
    /// The pool behind every `TensorStorage` of at least 64 KiB.
    public static let shared = BufferPool()

    /// Requests smaller than this are not pooled (`TensorStorage` mallocs them).
    public let minBytes: Int
    /// Buffers at least this large are aligned to and advised as 2 MiB huge pages.
    public let hugeBytes: Int
    /// A cached buffer serves a request of `b` bytes if its capacity is at most `b · fitPercent / 100`.
    public let fitPercent: Int
    /// Cached + live bytes may exceed the peak of live bytes by `peak / headroomDivisor`
    /// (none for 0) or `headroomFloor`, whichever is larger.
    public let headroomDivisor: Int
    /// The least headroom: small models (LeNet-BN, 15 MB live) keep every size they use.
    public let headroomFloor: Int

    /// Counters of one pool.
    public struct Statistics: Equatable, Sendable {
        /// Requests served from the cache.
        public var hits = 0
        /// Hits on a cached buffer larger than the fit allows, taken because the footprint was at its limit.
        public var oversizedHits = 0
        /// Requests that mapped a new buffer.
        public var misses = 0
        /// Cached buffers unmapped to keep the footprint bounded.
        public var evictions = 0
        /// Bytes handed out and not yet released.
        public var liveBytes = 0
        /// Bytes of released buffers kept for reuse.
        public var cachedBytes = 0
        /// The largest `liveBytes` so far: `liveBytes + cachedBytes` never exceeds `limit`.
        public var peakLiveBytes = 0
    }

    private struct Entry {
        var pointer: UnsafeMutableRawPointer
        var capacity: Int
    }

    private let lock = NSLock()
    private var free: [Entry] = []  // ascending capacity
    private var stats = Statistics()

    /// A pool for requests of at least `minBytes`; buffers of `hugeBytes` or more use huge pages;
    /// the footprint stays within `peak + peak / headroomDivisor` of live bytes; a cached buffer
    /// serves requests down to `100 / fitPercent` of its capacity.
    public init(minBytes: Int = 65_536, hugeBytes: Int = 8 << 20, headroomDivisor: Int = 8,
                headroomFloor: Int = 64 << 20, fitPercent: Int = 150) {
        if fitPercent < 100 { fatalError("BufferPool: fitPercent \(fitPercent) must be at least 100") }
        self.minBytes = minBytes
        self.fitPercent = fitPercent
        self.hugeBytes = hugeBytes
        self.headroomDivisor = headroomDivisor
        self.headroomFloor = headroomFloor
    }

    /// The most bytes cached + live may hold when the peak of live bytes is `peak`.
    @inline(__always)
    public func limit(peak: Int) -> Int { peak &+ max(headroomFloor, headroomDivisor > 0 ? peak / headroomDivisor : 0) }

    deinit { for e in free { unmap(e.pointer, e.capacity) } }

    /// A snapshot of the counters.
    public var statistics: Statistics {
        lock.lock(); defer { lock.unlock() }
        return stats
    }

    /// The capacity a fresh buffer for `bytes` gets: whole pages, whole huge pages from `hugeBytes`.
    @inline(__always)
    public func capacity(for bytes: Int) -> Int {
        bytes >= hugeBytes ? (bytes &+ Self.hugePage &- 1) & ~(Self.hugePage &- 1) : (bytes &+ 4095) & ~4095
    }

    /// A buffer of at least `bytes` bytes (page aligned) and its capacity, to be given back
    /// with `release(_:capacity:)`.
    public func allocate(_ bytes: Int) -> (pointer: UnsafeMutableRawPointer, capacity: Int) {
        let want = (bytes &+ 4095) & ~4095
        var evicted: [Entry] = []
        lock.lock()
        let size = capacity(for: bytes)
        let i = firstIndex(atLeast: want)
        if i < free.count, free[i].capacity <= max(size, want &* fitPercent / 100) {
            let e = free.remove(at: i)
            stats.hits &+= 1
            stats.cachedBytes &-= e.capacity
            stats.liveBytes &+= e.capacity
            lock.unlock()
            return (e.pointer, e.capacity)
        }
        let target = limit(peak: max(stats.peakLiveBytes, stats.liveBytes &+ size))
        if i < free.count, stats.liveBytes &+ stats.cachedBytes &+ size > target,
           free[i].capacity &- want <= target &- max(stats.peakLiveBytes, stats.liveBytes &+ size) {
            // At the limit: an oversized cached buffer, already resident, rather than evict and map,
            // if what it wastes fits in the headroom.
            let e = free.remove(at: i)
            stats.hits &+= 1
            stats.oversizedHits &+= 1
            stats.cachedBytes &-= e.capacity
            stats.liveBytes &+= e.capacity
            stats.peakLiveBytes = max(stats.peakLiveBytes, stats.liveBytes)
            lock.unlock()
            return (e.pointer, e.capacity)
        }
        while !free.isEmpty, stats.liveBytes &+ stats.cachedBytes &+ size > target {
            // The smallest buffer that covers the excess, else the largest: as few bytes as possible.
            let excess = stats.liveBytes &+ stats.cachedBytes &+ size &- target
            let e = free.remove(at: min(firstIndex(atLeast: excess), free.count &- 1))
            stats.cachedBytes &-= e.capacity
            evicted.append(e)
        }
        stats.misses &+= 1
        stats.evictions &+= evicted.count
        stats.liveBytes &+= size
        stats.peakLiveBytes = max(stats.peakLiveBytes, stats.liveBytes)
        lock.unlock()
        for e in evicted { unmap(e.pointer, e.capacity) }
        return (map(size), size)
    }

    /// Takes back a buffer from `allocate` and caches it.
    public func release(_ pointer: UnsafeMutableRawPointer, capacity: Int) {
        lock.lock(); defer { lock.unlock() }
        free.insert(Entry(pointer: pointer, capacity: capacity), at: firstIndex(atLeast: capacity))
        stats.liveBytes &-= capacity
        stats.cachedBytes &+= capacity
    }

    /// Room for `count` elements of `stride` bytes (at least one), 64-byte aligned: a pooled
    /// buffer and its capacity from `minBytes` up, else a malloc'd one and capacity 0. Give it back
    /// with `releaseAny(_:capacity:)`. A negative or overflowing count stops with `owner`'s name.
    @inline(__always)
    public func allocateElements(_ count: Int, stride: Int, owner: StaticString)
        -> (pointer: UnsafeMutableRawPointer, capacity: Int) {
        if count < 0 || count > Int.max / stride { fatalError("\(owner): cannot allocate \(count) elements") }
        let bytes = max(count, 1) &* stride
        if bytes >= minBytes { return allocate(bytes) }
        return (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), 0)
    }

    /// Takes back a buffer from `allocateElements`: caches a pooled one, frees a malloc'd one.
    @inline(__always)
    public func releaseAny(_ pointer: UnsafeMutableRawPointer, capacity: Int) {
        if capacity > 0 { release(pointer, capacity: capacity) } else { pointer.deallocate() }
    }

    /// Unmaps every cached buffer (live buffers are untouched).
    public func trim() {
        lock.lock()
        let all = free
        free.removeAll()
        stats.cachedBytes = 0
        lock.unlock()
        for e in all { unmap(e.pointer, e.capacity) }
    }

    /// The first index of `free` whose capacity is ≥ `bytes` (binary search).
    private func firstIndex(atLeast bytes: Int) -> Int {
        var lo = 0, hi = free.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if free[mid].capacity < bytes { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }

    private static let hugePage = 2 << 20

    /// Fresh zero pages from the kernel; 2 MiB aligned and advised as huge pages from `hugeBytes`.
    private func map(_ size: Int) -> UnsafeMutableRawPointer {
        let huge = size >= hugeBytes
        let length = huge ? size &+ Self.hugePage : size
        guard let raw = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            fatalError("BufferPool: cannot map \(size) bytes (errno \(errno))")
        }
        if !huge { return raw }
        let start = UInt(bitPattern: raw), aligned = (start &+ UInt(Self.hugePage) &- 1) & ~UInt(Self.hugePage &- 1)
        let head = Int(aligned &- start), tail = length &- head &- size
        if head > 0 { munmap(raw, head) }
        let p = UnsafeMutableRawPointer(bitPattern: aligned)!
        if tail > 0 { munmap(p + size, tail) }
        #if os(Linux)
        _ = madvise(p, size, MADV_HUGEPAGE)  // transparent huge pages are Linux's
        #endif
        return p
    }

    private func unmap(_ p: UnsafeMutableRawPointer, _ size: Int) {
        if munmap(p, size) != 0 { fatalError("BufferPool: munmap of \(size) bytes failed (errno \(errno))") }
    }
}
