import Foundation

/// A flat, 64-byte aligned buffer of `Float`s shared by tensors.
///
/// `Tensor` is a value type: several tensors may point at one `TensorStorage`
/// (a `reshaped` view, a copy), and the first write through any of them copies
/// the buffer if it is shared (copy-on-write). Kernels read and write it through
/// raw pointers, never through Swift arrays, so loops vectorise. Buffers of 64 KiB or more
/// come from `BufferPool.shared` (reused across training steps, no page faults in steady state).
public final class TensorStorage {
    /// Number of `Float`s in the buffer.
    public let count: Int
    /// Start of the buffer. Valid for `count` elements while the storage is alive.
    public let pointer: UnsafeMutablePointer<Float>
    /// Bytes of a `BufferPool.shared` buffer, or 0 for a small malloc'd one.
    private let pooledCapacity: Int

    /// An uninitialised buffer of `count` floats (kernels overwrite every element).
    public init(uninitializedCount count: Int) {
        let raw: UnsafeMutableRawPointer
        (raw, pooledCapacity) = BufferPool.shared.allocateElements(count, stride: 4, owner: "TensorStorage")
        self.count = count
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

    deinit { BufferPool.shared.releaseAny(UnsafeMutableRawPointer(pointer), capacity: pooledCapacity) }
}

/// A flat buffer of `Int32` indices that a backward pass needs (max pooling's argmax, one per
/// output), from the same pool as `TensorStorage`: a Swift array of that size would be mapped
/// fresh and zero-filled by the kernel every step (GoogLeNet's Inception pools faulted in
/// ~57 % of the step's pages that way). Uninitialised: the kernel writes every element.
public final class IndexStorage {
    /// The indices; valid while the storage is alive.
    public let indices: UnsafeMutableBufferPointer<Int32>
    private let pooledCapacity: Int

    /// An uninitialised buffer of `count` indices.
    public init(uninitializedCount count: Int) {
        let (raw, capacity) = BufferPool.shared.allocateElements(count, stride: 4, owner: "IndexStorage")
        indices = UnsafeMutableBufferPointer(start: raw.bindMemory(to: Int32.self, capacity: max(count, 1)), count: count)
        pooledCapacity = capacity
    }

    deinit { BufferPool.shared.releaseAny(UnsafeMutableRawPointer(indices.baseAddress!), capacity: pooledCapacity) }
}
