import Foundation
import Tensor

/// Saving and restoring an optimizer's state so training can resume (PyTorch's
/// `optimizer.state_dict()` / `load_state_dict`), flattened to safetensors names the way
/// PyTorch numbers them: parameters are indexed 0, 1, … in the order of `parameters`
/// (groups in order), and each state entry is `state.<index>.<name>`:
///
///     state.0.step           scalar (the step count, as float32)
///     state.0.exp_avg        the parameter's shape
///     state.0.exp_avg_sq
///     param_groups.lr        scalar (the default learning rate, e.g. set by a scheduler)
extension Optimizer {
    /// The state as named tensors (copies: later steps do not change them).
    public func stateDict() -> [String: Tensor] {
        var d: [String: Tensor] = ["param_groups.lr": Tensor(lr)]
        for (i, p) in parameters.enumerated() {
            guard let e = state.existingEntry(for: p) else { continue }
            d["state.\(i).step"] = Tensor(Float(e.step))
            for (name, t) in e.buffers { d["state.\(i).\(name)"] = Tensor(shape: t.shape, scalars: t.scalars) }
        }
        return d
    }

    /// Restores a `stateDict()`: throws, changing nothing, when an entry names no parameter or
    /// has another shape than its parameter.
    public func loadStateDict(_ tensors: [String: Tensor]) throws {
        let params = parameters
        var parsed: [(index: Int, name: String, value: Tensor)] = []
        var problems: [String] = []
        for (key, t) in tensors where key != "param_groups.lr" {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "state", let i = Int(parts[1]), params.indices.contains(i) else {
                problems.append("unexpected key '\(key)'"); continue
            }
            if parts[2] == "step" ? t.count != 1 : t.shape != params[i].shape {
                problems.append("'\(key)' has shape \(describeShape(t.shape)) but parameter \(i) has \(describeShape(params[i].shape))")
            }
            parsed.append((i, parts[2], t))
        }
        guard problems.isEmpty else { throw SafetensorsError.mismatch(problems.sorted().joined(separator: "; ")) }
        state.reset()
        for (i, name, t) in parsed {
            let e = state.entry(for: params[i])
            if name == "step" { e.step = Int(t.scalars[0]) } else { e.buffers[name] = Tensor(shape: t.shape, scalars: t.scalars) }
        }
        if let lr = tensors["param_groups.lr"] { self.lr = lr.scalars[0] }
    }

    /// Saves the state to a safetensors file (with the optimizer's type in the metadata).
    public func saveState(to url: URL) throws {
        try saveSafetensors(stateDict(), to: url, metadata: ["optimizer": "\(Self.self)"])
    }

    /// Restores a state saved by `saveState(to:)`.
    public func loadState(from url: URL) throws { try loadStateDict(loadSafetensors(from: url)) }
}
