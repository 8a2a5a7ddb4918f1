import Tensor

/// The per-parameter state of an optimizer (PyTorch's `optimizer.state[p]`): for each
/// parameter, named buffers of its shape (`momentum_buffer`, `sum`, `square_avg`, `acc_delta`,
/// `exp_avg`, `exp_avg_sq`, … as PyTorch names them) and the number of steps taken. Buffers
/// are created on first use, zero-filled (or with a given initial value), and updated in
/// place by the fused kernels through `buffer(_:)`.
public final class OptimizerState {
    /// One parameter's state.
    public final class Entry {
        /// Steps taken (PyTorch's `step`; Adam's bias correction uses it).
        public var step = 0
        /// The buffers by name.
        public internal(set) var buffers: [String: Tensor] = [:]
        let shape: [Int]

        init(shape: [Int]) { self.shape = shape }

        /// True when the buffer `name` exists (e.g. to know a momentum buffer's first step).
        public func has(_ name: String) -> Bool { buffers[name] != nil }

        /// The buffer `name`, created filled with `initial` the first time; the pointer is
        /// valid while the state lives and writes go straight to the state.
        public func buffer(_ name: String, initial: Float = 0) -> UnsafeMutablePointer<Float> {
            if buffers[name] == nil { buffers[name] = Tensor.full(shape, initial) }
            buffers[name]!.makeUnique()   // never share with a tensor handed out by `stateDict()`
            return buffers[name]!.storage.pointer
        }
    }

    private var entries: [ObjectIdentifier: Entry] = [:]

    public init() {}

    /// The state of `p` (created empty on first use).
    public func entry(for p: Parameter) -> Entry {
        if let e = entries[ObjectIdentifier(p)] { return e }
        let e = Entry(shape: p.shape)
        entries[ObjectIdentifier(p)] = e
        return e
    }

    /// The state of `p` if it has one.
    public func existingEntry(for p: Parameter) -> Entry? { entries[ObjectIdentifier(p)] }

    /// Forgets all state (the next step starts afresh).
    public func reset() { entries = [:] }
}
