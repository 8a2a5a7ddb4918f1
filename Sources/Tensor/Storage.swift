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
        precondition(count >= 0)
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) &* 4, alignment: 64)
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

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
