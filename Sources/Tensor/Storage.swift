import Foundation

/// A flat, 64-byte aligned buffer of `Float`s shared by tensors.
///
/// `Tensor` is a value type: several tensors may point at one `TensorStorage`
/// (a `reshaped` view, a copy), and the first write through any of them copies
/// the buffer if it is shared (copy-on-write). Kernels read and write it through
/// raw pointers, never through Swift arrays, so loops vectorise.
public final class TensorStorage {
    /// Number of `Float`s in the buffer.
    public let count: Int
    /// Start of the buffer. Valid for `count` elements while the storage is alive.
    public let pointer: UnsafeMutablePointer<Float>

    /// An uninitialised buffer of `count` floats (kernels overwrite every element).
    public init(uninitializedCount count: Int) {
        if count < 0 || count > Int.max / MemoryLayout<Float>.stride {
            fatalError("TensorStorage: cannot allocate \(count) floats")
        }
        self.count = count
        let bytes = max(count, 1) &* 4
        let raw = BufferCache.take(bytes) ?? UnsafeMutableRawPointer.allocate(byteCount: BufferCache.rounded(bytes), alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// A buffer of `count` copies of `value`.
    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A buffer holding a copy of `scalars`.
    public convenience init(_ scalars: [Float]) {
        self.init(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: scalars.count) }
        }
    }

    /// A new buffer with the same contents.
    public func copy() -> TensorStorage {
        let s = TensorStorage(uninitializedCount: count)
        s.pointer.update(from: pointer, count: count)
        return s
    }

    deinit {
        let raw = UnsafeMutableRawPointer(pointer)
        if !BufferCache.give(raw, bytes: max(count, 1) &* 4) { raw.deallocate() }
    }
}

/// A free list of large tensor buffers. A training step allocates the same activation and
/// gradient sizes every time; a fresh multi-megabyte buffer costs page faults on first touch
/// (measured: a sigmoid over 1.2M floats took 3× longer in a fresh buffer than in a reused
/// one), so buffers of at least `minBytes` are kept when their tensor dies and handed out
/// again for the same (page-rounded) size, up to `maxBufferBytes` each and `maxCachedBytes` in
/// all. Thread-safe. Reuse also keeps glibc's heap from fragmenting: without it, freed
/// activation buffers raised malloc's dynamic mmap threshold and Chapter05-LeNet grew to
/// 0.6–1.1 GB resident; with it a default run peaks at ~150 MB.
enum BufferCache {
    static let minBytes = 65_536
    static let maxCachedBytes = 256 << 20
    static let maxBufferBytes = 64 << 20
    static let lock = NSLock()
    nonisolated(unsafe) static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) static var cachedBytes = 0

    /// The allocation size for `bytes`: whole 4 KiB pages for cached sizes.
    @inline(__always)
    static func rounded(_ bytes: Int) -> Int { bytes < minBytes ? bytes : (bytes &+ 4095) & ~4095 }

    /// A cached buffer of `rounded(bytes)` bytes, or nil.
    @inline(__always)
    static func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
        if bytes < minBytes || bytes > maxBufferBytes { return nil }
        let size = rounded(bytes)
        lock.lock(); defer { lock.unlock() }
        guard let p = free[size]?.popLast() else { return nil }
        cachedBytes &-= size
        return p
    }

    /// Keeps `p` (allocated with `rounded(bytes)` bytes) for reuse; false if the caller must free it.
    @inline(__always)
    static func give(_ p: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        if bytes < minBytes || bytes > maxBufferBytes { return false }
        let size = rounded(bytes)
        lock.lock(); defer { lock.unlock() }
        if cachedBytes &+ size > maxCachedBytes { return false }
        free[size, default: []].append(p)
        cachedBytes &+= size
        return true
    }
}
