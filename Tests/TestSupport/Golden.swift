import Foundation
import Tensor

/// Reads the PyTorch reference cases committed in `Tests/Golden/` (a byte-identical copy of
/// `../shared/golden/`, see its README): one JSON file
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
    /// `$D2L_GOLDEN_DIR` if set, else `Tests/Golden` of this checkout (found from this source
    /// file's path, so it works in any clone without `../shared`).
    public static var directory: URL {
        if let d = ProcessInfo.processInfo.environment["D2L_GOLDEN_DIR"], !d.isEmpty { return URL(fileURLWithPath: d) }
        // Tests/TestSupport/Golden.swift → Tests/Golden
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden")
    }

    /// The parsed top-level object of one group's file (`{"meta", "cases": [...]}`), with a
    /// message naming the file and where golden files come from when it is missing or malformed.
    public static func file(_ group: String) throws -> [String: Any] {
        let url = directory.appendingPathComponent("\(group).json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw GoldenError.missing("golden file not found: \(url.path) (golden files live in Tests/Golden/, copied from ../shared/golden/; D2L_GOLDEN_DIR overrides the directory)")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], root["cases"] is [Any] else {
            throw GoldenError.malformed("\(url.path): expected {\"meta\", \"cases\": [...]}")
        }
        return root
    }

    /// The raw JSON object of one named case (for groups with extra fields, like `optim`'s
    /// `grads_per_step`).
    public static func rawCase(_ group: String, _ name: String) throws -> [String: Any] {
        let list = try file(group)["cases"] as? [[String: Any]] ?? []
        guard let c = list.first(where: { $0["name"] as? String == name }) else {
            throw GoldenError.missing("golden case \(group)/\(name) not found in \(directory.path)/\(group).json")
        }
        return c
    }

    /// All cases of one group (`"elementwise"`, `"loss"`, …).
    public static func cases(_ group: String) throws -> [GoldenCase] {
        let list = try file(group)["cases"] as? [[String: Any]] ?? []
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
