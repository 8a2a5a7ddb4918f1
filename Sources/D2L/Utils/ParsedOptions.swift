/// The type of an option's value.
public enum OptionKind: Equatable {
    case int, float, string, flag, ints
    case choice([String])

    /// How the usage text names the value.
    var valueName: String {
        switch self {
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .flag: return "bool"
        case .ints: return "int,int,..."
        case .choice(let allowed): return allowed.joined(separator: "|")
        }
    }
}

/// A parsed (or default) option value.
public enum OptionValue: Equatable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case ints([Int])

    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return Float(exactly: v).map { String($0) } ?? String(v)  // 0.9, not 0.8999999761581421
        case .string(let v): return v
        case .bool(let v): return String(v)
        case .ints(let v): return v.map(String.init).joined(separator: ",")
        }
    }
}

/// A validation rule for an option value: returns a message when the value is not allowed.
public struct Check<Value> {
    public let test: (Value) -> String?
    public init(_ test: @escaping (Value) -> String?) { self.test = test }
}

extension Check where Value: Comparable & ExpressibleByIntegerLiteral {
    /// Value > 0.
    public static var positive: Check { Check { $0 > 0 ? nil : "must be positive" } }
    /// Value ≥ 0.
    public static var nonNegative: Check { Check { $0 >= 0 ? nil : "must not be negative" } }
    /// Value within `range`.
    public static func within(_ range: ClosedRange<Value>) -> Check {
        Check { range.contains($0) ? nil : "must be between \(range.lowerBound) and \(range.upperBound)" }
    }
}

/// What went wrong while parsing; the description is the message shown to the user.
public enum OptionError: Error, Equatable, CustomStringConvertible {
    case helpRequested
    case unknownOption(String, suggestion: String?)
    case missingValue(option: String, expected: String)
    case invalidValue(option: String, value: String, expected: String)
    case checkFailed(option: String, value: String, message: String)
    case unknownSection(String, allowed: [String])
    case unexpectedArgument(String)

    public var description: String {
        switch self {
        case .helpRequested: return "help requested"
        case .unknownOption(let name, let suggestion):
            return "unknown option '\(name)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
        case .missingValue(let option, let expected): return "option '--\(option)' needs a value (\(expected))"
        case .invalidValue(let option, let value, let expected):
            return "invalid value '\(value)' for '--\(option)': expected \(expected)"
        case .checkFailed(let option, let value, let message): return "'--\(option) \(value)': \(message)"
        case .unknownSection(let name, let allowed):
            return "unknown section '\(name)'; choose one of: " + allowed.joined(separator: ", ")
        case .unexpectedArgument(let argument): return "unexpected argument '\(argument)'"
        }
    }
}

/// Parsed values by option name. Reading an undeclared name, or with the wrong type, is a
/// programming error and stops the program with a message.
public struct ParsedOptions {
    let values: [String: OptionValue]
    /// Options given on the command line (the rest have their defaults).
    public let explicit: Set<String>
    /// The sections named on the command line (empty: none named), `all` included if given.
    public let named: [String]
    /// The sections to run, in declaration order: the named ones, or the defaults when none
    /// was named, or every one for `all`.
    public let selected: [String]

    /// True when section `name` should run.
    public func runs(_ name: String) -> Bool { selected.contains(name) }

    /// True when `--name` was given on the command line.
    public func isSet(_ name: String) -> Bool { explicit.contains(name) }

    /// True when `--name` was declared.
    public func declares(_ name: String) -> Bool { values[name] != nil }

    /// The value of `--name`, whatever its kind.
    public func value(of name: String, file: StaticString = #fileID, line: UInt = #line) -> OptionValue {
        value(name, file, line)
    }

    public func int(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> Int {
        guard case .int(let v) = value(name, file, line) else { wrongType(name, "int", file, line) }
        return v
    }

    public func double(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> Double {
        guard case .float(let v) = value(name, file, line) else { wrongType(name, "float", file, line) }
        return v
    }

    public func float(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> Float {
        Float(double(name, file: file, line: line))
    }

    /// A string or choice option.
    public func string(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> String {
        guard case .string(let v) = value(name, file, line) else { wrongType(name, "string", file, line) }
        return v
    }

    public func flag(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> Bool {
        guard case .bool(let v) = value(name, file, line) else { wrongType(name, "flag", file, line) }
        return v
    }

    public func ints(_ name: String, file: StaticString = #fileID, line: UInt = #line) -> [Int] {
        guard case .ints(let v) = value(name, file, line) else { wrongType(name, "int list", file, line) }
        return v
    }

    private func value(_ name: String, _ file: StaticString, _ line: UInt) -> OptionValue {
        guard let v = values[name] else { fatalError("ParsedOptions: no option --\(name) was declared", file: file, line: line) }
        return v
    }

    private func wrongType(_ name: String, _ type: String, _ file: StaticString, _ line: UInt) -> Never {
        fatalError("ParsedOptions: --\(name) is a \(values[name].map(kindName) ?? "?"), not a \(type)", file: file, line: line)
    }

    private func kindName(_ v: OptionValue) -> String {
        switch v {
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .bool: return "flag"
        case .ints: return "int list"
        }
    }
}
