import XCTest
import Tensor

/// The caching allocator behind large tensors: reuse, the best-fit waste limit, the bound on
/// cached + live bytes, odd sizes and huge-page buffers. Each test uses its own small pool.
final class BufferPoolTests: XCTestCase {
    let page = 4096

    /// A released buffer is handed out again for the same size and for a size within 1.5×.
    func testReusesReleasedBuffers() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40)
        let a = pool.allocate(10 * page)
        a.pointer.storeBytes(of: 42, as: Int.self)
        pool.release(a.pointer, capacity: a.capacity)
        let b = pool.allocate(10 * page)
        XCTAssertEqual(b.pointer, a.pointer)
        XCTAssertEqual(b.pointer.load(as: Int.self), 42, "the buffer is the same memory")
        pool.release(b.pointer, capacity: b.capacity)
        let c = pool.allocate(7 * page)  // 10 ≤ 1.5 · 7 (more than the 1.3 · 7 of before)
        XCTAssertEqual(c.pointer, a.pointer)
        pool.release(c.pointer, capacity: c.capacity)
        XCTAssertEqual(pool.statistics.hits, 2)
        XCTAssertEqual(pool.statistics.misses, 1)
    }

    /// A cached buffer more than 1.5× the request is not used; the smallest fitting one is.
    func testBestFitWithinWasteLimit() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40)
        let big = pool.allocate(20 * page), mid = pool.allocate(12 * page)
        pool.release(big.pointer, capacity: big.capacity)
        pool.release(mid.pointer, capacity: mid.capacity)
        let x = pool.allocate(10 * page)
        XCTAssertEqual(x.pointer, mid.pointer, "best fit: 12 pages for a 10-page request")
        let y = pool.allocate(10 * page)
        XCTAssertNotEqual(y.pointer, big.pointer, "20 pages are more than 1.5 × 10")
        XCTAssertEqual(y.capacity, 10 * page)
        XCTAssertEqual(pool.statistics.hits, 1)
        pool.release(x.pointer, capacity: x.capacity)
        pool.release(y.pointer, capacity: y.capacity)
    }

    /// Odd byte counts get whole pages, are fully writable, and are reused by the same odd count.
    func testOddSizesRoundToPages() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40)
        for bytes in [1, 4097, 3 * page + 5, 65_537] {
            let a = pool.allocate(bytes)
            XCTAssertEqual(a.capacity, (bytes + page - 1) / page * page, "\(bytes) bytes")
            XCTAssertEqual(Int(bitPattern: a.pointer) % page, 0)
            a.pointer.initializeMemory(as: UInt8.self, repeating: 7, count: a.capacity)
            pool.release(a.pointer, capacity: a.capacity)
            let b = pool.allocate(bytes)
            XCTAssertEqual(b.pointer, a.pointer, "\(bytes) bytes reused")
            XCTAssertEqual(b.pointer.load(fromByteOffset: bytes - 1, as: UInt8.self), 7)
            pool.release(b.pointer, capacity: b.capacity)
        }
    }

    /// Misses unmap cached buffers so that cached + live never exceeds the
    /// peak of live bytes (plus the headroom), whatever the sequence of sizes.
    func testFootprintNeverExceedsPeakLive() {
        for divisor in [0, 8] { footprintBound(headroomDivisor: divisor) }
    }

    func footprintBound(headroomDivisor: Int) {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomDivisor: headroomDivisor, headroomFloor: 0)
        var gen = SystemRandomNumberGenerator()
        var live: [(UnsafeMutableRawPointer, Int)] = []
        for _ in 0..<2000 {
            if live.count > 6 || (!live.isEmpty && Bool.random(using: &gen)) {
                let k = Int.random(in: 0..<live.count, using: &gen)
                pool.release(live[k].0, capacity: live[k].1)
                live.remove(at: k)
            } else {
                let a = pool.allocate(Int.random(in: 1...64, using: &gen) * page - Int.random(in: 0...100, using: &gen))
                live.append((a.pointer, a.capacity))
            }
            let s = pool.statistics
            XCTAssertEqual(s.liveBytes, live.reduce(0) { $0 + $1.1 })
            XCTAssertLessThanOrEqual(s.liveBytes + s.cachedBytes, s.peakLiveBytes + (headroomDivisor > 0 ? s.peakLiveBytes / headroomDivisor : 0))
        }
        let s = pool.statistics
        XCTAssertGreaterThan(s.evictions, 0, "different sizes force evictions")
        XCTAssertGreaterThan(s.hits, 0)
        for (p, c) in live { pool.release(p, capacity: c) }
        pool.trim()
        XCTAssertEqual(pool.statistics.cachedBytes, 0)
    }

    /// A miss evicts the smallest cached buffer that covers the excess, not more.
    func testEvictsSmallestSufficientBuffer() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomDivisor: 0, headroomFloor: 0)
        let a = pool.allocate(2 * page), b = pool.allocate(3 * page), g = pool.allocate(8 * page)
        for x in [g, b, a] { pool.release(x.pointer, capacity: x.capacity) }  // peak 13 pages, all cached
        let c = pool.allocate(11 * page)  // a miss; 13 cached + 11 > 13: excess 11, none covers it, evict g
                                          // (the largest); excess 3: b covers it
        XCTAssertEqual(pool.statistics.evictions, 2)
        XCTAssertEqual(pool.statistics.cachedBytes, 2 * page, "a is kept")
        pool.release(c.pointer, capacity: c.capacity)
        pool.release(pool.allocate(20 * page).pointer, capacity: 20 * page)  // none holds 20: evicts a and c
        XCTAssertEqual(pool.statistics.evictions, 4)
        XCTAssertEqual(pool.statistics.cachedBytes, 20 * page)
    }

    /// At the footprint's limit a request takes the smallest cached buffer that holds it, however
    /// oversized, instead of unmapping one and mapping a fresh one — if what it wastes fits in the
    /// headroom (VGG's 392 MiB buffers taken for 196 MiB requests grew its footprint by 0.7 GB).
    func testTakesOversizedBufferAtTheLimitWithinHeadroom() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomDivisor: 0, headroomFloor: 2 * page)
        let a = pool.allocate(5 * page), b = pool.allocate(10 * page)
        for x in [a, b] { pool.release(x.pointer, capacity: x.capacity) }  // peak 15 pages, limit 17, all cached
        let d = pool.allocate(3 * page)   // 5 > 1.5 · 3, 15 cached + 3 > 17, wastes 2 ≤ 2: takes a
        XCTAssertEqual(d.pointer, a.pointer)
        var s = pool.statistics
        XCTAssertEqual(s.oversizedHits, 1)
        XCTAssertEqual(s.misses, 2)
        let e = pool.allocate(4 * page)   // 5 + 10 + 4 > 17, b would waste 6 > 2: evicts b and maps
        XCTAssertNotEqual(e.pointer, b.pointer)
        s = pool.statistics
        XCTAssertEqual(s.oversizedHits, 1)
        XCTAssertEqual(s.misses, 3)
        XCTAssertEqual(s.evictions, 1)
        XCTAssertEqual(s.liveBytes, 9 * page)
        XCTAssertEqual(s.cachedBytes, 0)
        for x in [d, e] { pool.release(x.pointer, capacity: x.capacity) }
        let below = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomDivisor: 0, headroomFloor: 16 * page)
        let f = below.allocate(8 * page)
        below.release(f.pointer, capacity: f.capacity)
        XCTAssertNotEqual(below.allocate(2 * page).pointer, f.pointer, "below the limit an oversized buffer is not taken")
    }

    /// The headroom floor: a small footprint keeps its buffers.
    func testHeadroomFloor() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomDivisor: 8, headroomFloor: 16 * page)
        XCTAssertEqual(pool.limit(peak: 8 * page), 24 * page)
        XCTAssertEqual(pool.limit(peak: 800 * page), 900 * page)
        let a = pool.allocate(8 * page)
        pool.release(a.pointer, capacity: a.capacity)
        let b = pool.allocate(page), c = pool.allocate(2 * page)
        XCTAssertEqual(pool.statistics.evictions, 0)
        for x in [b, c] { pool.release(x.pointer, capacity: x.capacity) }
    }

    /// With headroom 1/4 a miss maps a new buffer while cached + live stay within 1.25 × peak,
    /// and beyond that takes an oversized cached buffer, or evicts when none is large enough.
    func testHeadroomDefersEviction() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomDivisor: 4, headroomFloor: 0)
        let a = pool.allocate(8 * page)  // peak 8 pages, limit 10
        pool.release(a.pointer, capacity: a.capacity)
        let b = pool.allocate(2 * page)  // 8 cached + 2 ≤ 10: no eviction
        XCTAssertEqual(pool.statistics.evictions, 0)
        pool.release(b.pointer, capacity: b.capacity)
        let c = pool.allocate(page)  // 10 cached + 1 > 10: takes b (2 pages), evicts nothing
        XCTAssertEqual(c.pointer, b.pointer)
        XCTAssertEqual(pool.statistics.evictions, 0)
        pool.release(c.pointer, capacity: c.capacity)
        let d = pool.allocate(9 * page)  // none holds 9; 10 + 9 > 9 + 2: evicts a, the smallest covering 8
        XCTAssertEqual(pool.statistics.evictions, 1)
        XCTAssertEqual(pool.statistics.cachedBytes, 2 * page)
        pool.release(d.pointer, capacity: d.capacity)
    }

    /// The default pool serves a repeated step without misses when its phases want sizes 1.33×
    /// apart, as GoogLeNet's forward (two 72 MiB buffers) and backward (two of 54 MiB and a larger
    /// one) do: with 130 % fits and unmapping at the limit every step missed 3 times.
    func testRepeatedStepStopsMissing() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomFloor: 0)
        func step() {
            let a1 = pool.allocate(72 * page), a2 = pool.allocate(72 * page)
            for x in [a1, a2] { pool.release(x.pointer, capacity: x.capacity) }
            let b1 = pool.allocate(54 * page), b2 = pool.allocate(54 * page), c = pool.allocate(100 * page)
            for x in [b1, b2, c] { pool.release(x.pointer, capacity: x.capacity) }
        }
        step()
        step()
        let before = pool.statistics
        for _ in 0..<3 { step() }
        let after = pool.statistics
        XCTAssertEqual(after.misses - before.misses, 0, "steady steps hit the cache")
        XCTAssertEqual(after.evictions - before.evictions, 0)
        XCTAssertLessThanOrEqual(after.cachedBytes, pool.limit(peak: after.peakLiveBytes))
        let tight = BufferPool(minBytes: 1, hugeBytes: 1 << 40, headroomFloor: 1 << 30, fitPercent: 130)
        let a = tight.allocate(72 * page)
        tight.release(a.pointer, capacity: a.capacity)
        let b = tight.allocate(54 * page)
        XCTAssertNotEqual(b.pointer, a.pointer, "72 pages are more than 1.3 × 54")
        tight.release(b.pointer, capacity: b.capacity)
    }

    /// Huge-page buffers are 2 MiB aligned with 2 MiB capacities and reused.
    func testHugePageBuffers() {
        let pool = BufferPool(minBytes: 1, hugeBytes: 8 << 20)
        let bytes = (9 << 20) + 5
        let a = pool.allocate(bytes)
        XCTAssertEqual(Int(bitPattern: a.pointer) % (2 << 20), 0)
        XCTAssertEqual(a.capacity, 10 << 20)
        a.pointer.initializeMemory(as: UInt8.self, repeating: 1, count: a.capacity)
        pool.release(a.pointer, capacity: a.capacity)
        let b = pool.allocate(bytes)
        XCTAssertEqual(b.pointer, a.pointer)
        pool.release(b.pointer, capacity: b.capacity)
    }

    /// Tensors of odd large sizes come and go through the shared pool with their contents intact.
    func testTensorStorageThroughSharedPool() {
        for count in [16_384, 16_385, 100_003, 3_000_001] {
            let s = TensorStorage(repeating: 2.5, count: count)
            XCTAssertEqual(s.pointer[0], 2.5)
            XCTAssertEqual(s.pointer[count - 1], 2.5)
            let t = s.copy()
            XCTAssertEqual(t.pointer[count - 1], 2.5)
        }
        XCTAssertGreaterThan(BufferPool.shared.statistics.peakLiveBytes, 12_000_000)
    }

    /// Max pooling's index buffers of odd sizes are aligned, fully writable and, from 64 KiB,
    /// handed out again by the shared pool once released.
    func testIndexStorage() {
        for count in [0, 1, 16_385, 1_000_003] {
            let s = IndexStorage(uninitializedCount: count)
            XCTAssertEqual(s.indices.count, count)
            XCTAssertEqual(Int(bitPattern: s.indices.baseAddress!) % 64, 0)
            for i in s.indices.indices { s.indices[i] = Int32(i) }
            XCTAssertEqual(s.indices.last, count > 0 ? Int32(count - 1) : nil)
        }
        let first = IndexStorage(uninitializedCount: 1_000_003).indices.baseAddress!
        XCTAssertEqual(IndexStorage(uninitializedCount: 1_000_003).indices.baseAddress!, first, "released to the pool and reused")
    }
}
