import Foundation
import Tensor

/// A module's state as named tensors (PyTorch's `state_dict()`, book §5.5): every parameter
/// and every buffer under its dotted path, e.g. `1.weight`, `1.bias`, `1.running_mean`,
/// `1.running_var`, `1.num_batches_tracked`. `saveParameters(to:)` writes it as safetensors
/// with these names, so a file from PyTorch's `save_file(net.state_dict(), …)` loads when the
/// layers line up.
extension Module {
    /// Parameters (float32) and buffers (float32 or int64) by dotted name, sharing their storage.
    public func stateDict() -> [String: StateTensor] {
        var d: [String: StateTensor] = [:]
        for (name, p) in namedParameters() { d[name] = .float32(p.value.detached()) }
        for (name, b) in namedBuffers() { d[name] = b.state }
        return d
    }

    /// Sets every parameter and buffer from `entries` (PyTorch's strict `load_state_dict`):
    /// throws, changing nothing, if a name is missing, unexpected, or has another shape or dtype.
    public func loadStateDict(_ entries: [String: StateTensor]) throws {
        let params = namedParameters(), buffers = namedBuffers()
        let expected: [(name: String, dtype: StateDType, shape: [Int])] =
            params.map { ($0.name, .float32, $0.parameter.shape) } + buffers.map { ($0.name, $0.buffer.dtype, $0.buffer.shape) }
        var problems: [String] = []
        let missing = expected.map { $0.name }.filter { entries[$0] == nil }
        if !missing.isEmpty { problems.append("missing keys \(missing)") }
        let known = Set(expected.map { $0.name })
        let unexpected = entries.keys.filter { !known.contains($0) }.sorted()
        if !unexpected.isEmpty { problems.append("unexpected keys \(unexpected)") }
        for (name, dtype, shape) in expected {
            guard let e = entries[name] else { continue }
            if e.shape != shape {
                problems.append("'\(name)' has shape \(describeShape(e.shape)) in the file but \(describeShape(shape)) in the model")
            } else if e.dtype != dtype {
                problems.append("'\(name)' has dtype \(e.dtype.rawValue) in the file but \(dtype.rawValue) in the model")
            }
        }
        guard problems.isEmpty else { throw SafetensorsError.mismatch(problems.joined(separator: "; ")) }
        for (name, p) in params { p.value = entries[name]!.tensor.detached() }
        for (name, b) in buffers { b.load(entries[name]!) }
    }

    /// `loadStateDict` for a dictionary of float tensors (a model without int64 buffers).
    public func loadStateDict(_ tensors: [String: Tensor]) throws {
        try loadStateDict(tensors.mapValues { StateTensor.float32($0) })
    }

    /// Saves all parameters and buffers to a safetensors file (book §5.5
    /// `torch.save(net.state_dict())`), atomically: a failed save keeps the old file.
    public func saveParameters(to url: URL) throws { try saveSafetensors(stateDict(), to: url) }

    /// Loads parameters and buffers saved by `saveParameters(to:)` (or by PyTorch with the same names).
    public func loadParameters(from url: URL) throws { try loadStateDict(loadStateTensors(from: url)) }
}
