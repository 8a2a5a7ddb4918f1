import Foundation
import Tensor

/// Reads the PyTorch reference cases in `../shared/golden/` (see its README): one JSON file
/// per group, each `{"meta", "cases": [{"name", "inputs", "int_inputs"?, "attrs", "output",
/// "cotangent"?, "grads"?}]}`; tensors are `{"shape", "data"}` in row-major order.
public struct GoldenCase {
    public let name: String
    public let inputs: [String: Tensor]
    /// Integer inputs (labels, indices, valid lengths) as flat arrays with their shapes.
    public let intInputs: [String: (shape: [Int], data: [Int])]
    public let attrs: [String: Any]
    /// The raw `output` value (a tensor dict, a number, or a dict of tensors).
    public let rawOutput: Any
    public let cotangent: Tensor?
    public let grads: [String: Tensor]
    /// The whole case as parsed JSON (for keys without an accessor, e.g. `grads_per_step`).
    public let raw: [String: Any]

    /// A list of tensors stored under `key` (e.g. the optim cases' `grads_per_step`).
    public func tensorList(_ key: String) -> [Tensor] {
        guard let list = raw[key] as? [Any] else { fatalError("golden case \(name): no tensor list '\(key)'") }
        return list.map { Golden.tensor($0)! }
    }

    /// A list of tensors stored under `output[key]` (e.g. `params_after_each_step`).
    public func outputList(_ key: String) -> [Tensor] {
        guard let list = (rawOutput as? [String: Any])?[key] as? [Any] else { fatalError("golden case \(name): no output list '\(key)'") }
        return list.map { Golden.tensor($0)! }
    }

    /// `output` as a tensor (fails the test run if it is not one).
    public var output: Tensor {
        guard let t = Golden.tensor(rawOutput) else { fatalError("golden case \(name): output is not a tensor") }
        return t
    }
    public func input(_ key: String) -> Tensor {
        guard let t = inputs[key] else { fatalError("golden case \(name): no input '\(key)'") }
        return t
    }
    public func grad(_ key: String) -> Tensor {
        guard let t = grads[key] else { fatalError("golden case \(name): no grad '\(key)'") }
        return t
    }
}

public enum Golden {
    /// `../shared/golden` beside the checkout, or `$D2L_GOLDEN_DIR`.
    public static var directory: URL {
        if let d = ProcessInfo.processInfo.environment["D2L_GOLDEN_DIR"] { return URL(fileURLWithPath: d) }
        // Tests/TestSupport/Golden.swift → checkout root → ../shared/golden
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/golden")
    }

    /// All cases of one group (`"elementwise"`, `"loss"`, …).
    public static func cases(_ group: String) throws -> [GoldenCase] {
        let url = directory.appendingPathComponent("\(group).json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GoldenError.missing("golden file not found: \(url.path) (the tests expect ../shared/golden beside the checkout, or D2L_GOLDEN_DIR)")
        }
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["cases"] as? [[String: Any]] else {
            throw GoldenError.malformed("\(url.path): expected {\"meta\", \"cases\": [...]}")
        }
        return list.map { c in
            let name = c["name"] as? String ?? "?"
            var inputs: [String: Tensor] = [:]
            for (k, v) in c["inputs"] as? [String: Any] ?? [:] { if let t = tensor(v) { inputs[k] = t } }
            var ints: [String: (shape: [Int], data: [Int])] = [:]
            for (k, v) in c["int_inputs"] as? [String: Any] ?? [:] {
                if let d = v as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [NSNumber] {
                    ints[k] = (shape, data.map { $0.intValue })
                } else if let arr = v as? [NSNumber] {
                    ints[k] = ([arr.count], arr.map { $0.intValue })
                }
            }
            var grads: [String: Tensor] = [:]
            for (k, v) in c["grads"] as? [String: Any] ?? [:] { if let t = tensor(v) { grads[k] = t } }
            return GoldenCase(name: name, inputs: inputs, intInputs: ints, attrs: c["attrs"] as? [String: Any] ?? [:],
                              rawOutput: c["output"] as Any, cotangent: c["cotangent"].flatMap(tensor), grads: grads,
                              raw: c)
        }
    }

    /// One named case of a group.
    public static func `case`(_ group: String, _ name: String) throws -> GoldenCase {
        guard let c = try cases(group).first(where: { $0.name == name }) else {
            throw GoldenError.missing("golden case \(group)/\(name) not found")
        }
        return c
    }

    /// A `{"shape", "data"}` dict as a tensor.
    public static func tensor(_ any: Any) -> Tensor? {
        guard let d = any as? [String: Any], let shape = d["shape"] as? [Int], let data = d["data"] as? [NSNumber] else {
            return nil
        }
        return Tensor(shape: shape, scalars: data.map { $0.floatValue })
    }
}

public enum GoldenError: Error, CustomStringConvertible {
    case missing(String), malformed(String)
    public var description: String {
        switch self { case .missing(let s), .malformed(let s): return s }
    }
}
