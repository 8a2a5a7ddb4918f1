#if canImport(Glibc)
import Glibc
#endif

/// Keeps glibc's heap from growing during training; call it first thing in `main` of a
/// program that trains convolutional networks.
///
/// Why: glibc serves blocks above the *mmap threshold* with `mmap` and returns them to the
/// system on free, but its default threshold is dynamic — every freed mmapped block raises it
/// to that block's size. After the first batch, LeNet's activation buffers (1–5 MB each) are
/// served from the heap, which then fragmented to 0.6–1.1 GB resident within the first epoch
/// of Chapter05-LeNet (about 50 MB are live). A fixed threshold (4 MB) and one arena for the
/// kernels' worker threads kept it at ~150 MB, with no loss of speed.
///
/// Does nothing on other C libraries. (`mallopt` lives in malloc.h, which the Glibc module
/// does not export, so it is looked up by name; `M_MMAP_THRESHOLD` is −3, `M_ARENA_MAX` −8.)
public func limitHeapGrowth(mmapThreshold: Int32 = 4 << 20) {
    #if canImport(Glibc)
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    _ = mallopt(-3, mmapThreshold)
    _ = mallopt(-8, 1)
    #endif
}
