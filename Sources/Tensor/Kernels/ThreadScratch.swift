import Foundation

/// Scratch memory that belongs to one thread and is reused by every call on it, so kernels with
/// large temporary buffers (a convolution's column matrix, packed GEMM blocks) do not allocate
/// and fault in fresh pages on every call.
///
/// A buffer grows to the largest size asked for and is kept until its thread ends (a pthread
/// key's destructor frees it). Nothing is shared between threads, and the contents never carry
/// meaning from one call to the next, so no test ever needs to reset it. Two slots let a kernel
/// hold a buffer for the whole call (slot `.call`, e.g. per-part partial sums on the calling
/// thread) while the same thread also runs parallel work that uses slot `.work`.
final class ThreadScratch {
    enum Slot: Int { case call = 0, work = 1 }

    private var buffers: [UnsafeMutableRawPointer?] = [nil, nil]
    private var capacities = [0, 0]

    deinit { for b in buffers { b?.deallocate() } }

    /// At least `count` floats (64-byte aligned) of this thread's `slot`, valid until the next
    /// request for the same slot on this thread. Uninitialised.
    func floats(_ count: Int, _ slot: Slot) -> UnsafeMutablePointer<Float> {
        let s = slot.rawValue
        if capacities[s] < count || buffers[s] == nil {
            buffers[s]?.deallocate()
            let n = max(count, 16)
            buffers[s] = UnsafeMutableRawPointer.allocate(byteCount: n &* 4, alignment: 64)
            capacities[s] = n
        }
        return buffers[s]!.bindMemory(to: Float.self, capacity: capacities[s])
    }

    /// The pthread key under which each thread keeps its `ThreadScratch` (created once).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            if let raw { Unmanaged<ThreadScratch>.fromOpaque(raw).release() }
        }
        if status != 0 { fatalError("ThreadScratch: pthread_key_create failed with status \(status)") }
        return key
    }()

    /// The calling thread's scratch, created on first use.
    static var current: ThreadScratch {
        if let raw = pthread_getspecific(key) { return Unmanaged<ThreadScratch>.fromOpaque(raw).takeUnretainedValue() }
        let scratch = ThreadScratch()
        pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        return scratch
    }
}
