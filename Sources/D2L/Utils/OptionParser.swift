#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command-line parser shared by the chapter programs.
///
///     var parser = OptionParser(program: "Chapter04-MLP", overview: "Multilayer perceptrons (§4.2–4.6)")
///     parser.sections([("scratch", "§4.2 from scratch"), ("concise", "§4.3"), ("weight-decay", "§4.5")])
///     parser.int("epochs", default: 10, help: "training epochs", check: .positive)
///     parser.float("lr", default: 0.1, help: "learning rate", check: .positive)
///     parser.choice("init", ["normal", "xavier"], default: "normal", help: "weight initialisation")
///     parser.ints("channels", default: [6, 16], help: "conv channels")
///     parser.flag("quick", help: "one epoch on a subset")
///     let options = parser.parseOrExit()           // CommandLine.arguments, exits on error/--help
///     let epochs = options.int("epochs"), lr = options.float("lr")
///     if options.runs("weight-decay") { ... }
///
/// Accepted syntax: `--name value`, `--name=value`, `--flag`, `--flag=false`, `--no-flag`,
/// `-h`/`--help`, and section names anywhere, several at once (`scratch concise --epochs 1`,
/// or `--section NAME`); `all` runs every section.
///
/// Float options are checked as the 32-bit `Float` the models use: `--lr 1e39` (infinite as a
/// Float) and `--lr 1e-50` (zero as a Float) are rejected, and the value read back is the Float's.
public struct OptionParser {
    /// A declared option.
    public struct Option {
        public let name: String
        public let help: String
        public let kind: OptionKind
        public let defaultValue: OptionValue
        /// How the usage shows the default, when it is not one value (e.g. "each section's book value").
        public var defaultText: String?
        let validate: (OptionValue) -> String?
    }

    public let program: String
    public let overview: String
    public private(set) var options: [Option] = []
    /// Allowed section names with their help, if the program has sections.
    public private(set) var sectionList: [(name: String, help: String)] = []
    /// The sections run when none is named (nil: all of them).
    public private(set) var defaultSections: [String]?

    public init(program: String = OptionParser.defaultProgramName, overview: String = "") {
        self.program = program
        self.overview = overview
    }

    /// The executable's file name.
    public static var defaultProgramName: String {
        let path = CommandLine.arguments.first ?? "program"
        return String(path.split(separator: "/").last ?? Substring(path))
    }

    // MARK: Declaring options

    /// Declares the positional arguments: book sections to run, in any number and anywhere on
    /// the line (`all` runs each one). When none is named, `defaults` run (nil: every section).
    public mutating func sections(_ list: [(String, String)], defaults: [String]? = nil) {
        sectionList = list.map { (name: $0.0, help: $0.1) }
        if let defaults, let bad = defaults.first(where: { d in !list.contains { $0.0 == d } }) {
            fatalError("OptionParser: default section \"\(bad)\" is not declared")
        }
        defaultSections = defaults
    }

    /// Sets how the usage text shows `--name`'s default (for a default that depends on the section).
    public mutating func describeDefault(_ name: String, _ text: String) {
        guard let i = options.firstIndex(where: { $0.name == name }) else {
            fatalError("OptionParser: describeDefault: no option --\(name)")
        }
        options[i].defaultText = text
    }

    /// Whether `--name` was declared.
    public func declares(_ name: String) -> Bool { options.contains { $0.name == name } }

    public mutating func int(_ name: String, default value: Int, help: String, check: Check<Int>? = nil) {
        add(name, .int, .int(value), help) { v in if case .int(let x) = v { return check?.test(x) }; return nil }
    }

    /// A floating-point option (read it as `float(_:)` or `double(_:)`). The value is rounded to
    /// `Float` when parsed (the precision the models use), so the check sees the Float's value.
    public mutating func float(_ name: String, default value: Double, help: String, check: Check<Double>? = nil) {
        add(name, .float, .float(Double(Float(value))), help) { v in
            if case .float(let x) = v { return check?.test(x) }
            return nil
        }
    }

    public mutating func string(_ name: String, default value: String, help: String, check: Check<String>? = nil) {
        add(name, .string, .string(value), help) { v in if case .string(let x) = v { return check?.test(x) }; return nil }
    }

    /// A Boolean flag, false unless given (`--name`, `--name=true|false`, `--no-name`).
    public mutating func flag(_ name: String, help: String) {
        add(name, .flag, .bool(false), help) { _ in nil }
    }

    /// One of a fixed set of strings.
    public mutating func choice(_ name: String, _ allowed: [String], default value: String, help: String) {
        if !allowed.contains(value) {
            fatalError("OptionParser: default \"\(value)\" of --\(name) is not one of \(allowed.joined(separator: ", "))")
        }
        add(name, .choice(allowed), .string(value), help) { _ in nil }
    }

    /// A comma-separated list of integers such as `--channels 6,16`.
    public mutating func ints(_ name: String, default value: [Int], help: String, check: Check<Int>? = nil) {
        add(name, .ints, .ints(value), help) { v in
            if case .ints(let xs) = v, let check { return xs.lazy.compactMap(check.test).first }
            return nil
        }
    }

    private mutating func add(_ name: String, _ kind: OptionKind, _ value: OptionValue, _ help: String,
                              _ validate: @escaping (OptionValue) -> String?) {
        if name.isEmpty || name.hasPrefix("-") || name.contains("=") || name == "help" {
            fatalError("OptionParser: invalid option name \"\(name)\"")
        }
        if options.contains(where: { $0.name == name }) { fatalError("OptionParser: --\(name) declared twice") }
        if let problem = validate(value) { fatalError("OptionParser: default of --\(name) fails its check: \(problem)") }
        options.append(Option(name: name, help: help, kind: kind, defaultValue: value, defaultText: nil,
                              validate: validate))
    }

    // MARK: Parsing

    /// Parses `arguments` (without the program name). Throws `OptionError.helpRequested` for
    /// `-h`/`--help`, other `OptionError`s for bad input.
    public func parse(_ arguments: [String]) throws -> ParsedOptions {
        var values: [String: OptionValue] = [:]
        var explicit: Set<String> = []
        var sections: [String] = []
        func addSection(_ name: String) throws {
            guard name == "all" || sectionList.contains(where: { $0.name == name }) else {
                throw OptionError.unknownSection(name, allowed: sectionList.map(\.name) + ["all"])
            }
            if !sections.contains(name) { sections.append(name) }
        }
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if argument == "-h" || argument == "--help" { throw OptionError.helpRequested }
            guard argument.hasPrefix("--") else {
                if argument.hasPrefix("-") && argument.count > 1 && Double(argument) == nil {
                    throw OptionError.unknownOption(argument, suggestion: nil)
                }
                if !sectionList.isEmpty {
                    try addSection(argument)
                    continue
                }
                throw OptionError.unexpectedArgument(argument)
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if name == "section" && !sectionList.isEmpty && !options.contains(where: { $0.name == "section" }) {
                // `--section NAME` is the same as the positional NAME.
                let text: String
                if let inlineValue { text = inlineValue } else if i < arguments.count, !arguments[i].hasPrefix("-") {
                    text = arguments[i]
                    i += 1
                } else {
                    throw OptionError.missingValue(option: name, expected: "a section name")
                }
                try addSection(text)
                continue
            }
            var negated = false
            if options.first(where: { $0.name == name }) == nil, name.hasPrefix("no-"),
               let flag = options.first(where: { $0.name == String(name.dropFirst(3)) }), flag.kind == .flag, inlineValue == nil {
                name = flag.name
                negated = true
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw OptionError.unknownOption("--" + name, suggestion: closestName(to: name))
            }
            let value: OptionValue
            if option.kind == .flag {
                if negated { value = .bool(false) }
                else if let text = inlineValue {
                    switch text.lowercased() {
                    case "true", "yes", "1": value = .bool(true)
                    case "false", "no", "0": value = .bool(false)
                    default: throw OptionError.invalidValue(option: name, value: text, expected: "true or false")
                    }
                } else { value = .bool(true) }
            } else {
                let text: String
                if let inlineValue {
                    text = inlineValue
                } else if i < arguments.count, !arguments[i].hasPrefix("--") || Double(arguments[i]) != nil {
                    text = arguments[i]
                    i += 1
                } else {
                    throw OptionError.missingValue(option: name, expected: option.kind.valueName)
                }
                value = try OptionParser.convert(text, kind: option.kind, option: name)
            }
            if let problem = option.validate(value) {
                throw OptionError.checkFailed(option: name, value: inlineValueOrText(value, arguments, i, inlineValue),
                                              message: problem)
            }
            values[name] = value
            explicit.insert(name)
        }
        for option in options where values[option.name] == nil { values[option.name] = option.defaultValue }
        let selected = sections.contains("all") || sectionList.isEmpty ? sectionList.map(\.name)
            : sections.isEmpty ? (defaultSections ?? sectionList.map(\.name)) : sections
        return ParsedOptions(values: values, explicit: explicit, named: sections,
                             selected: sectionList.map(\.name).filter(selected.contains))
    }

    /// The text the user typed for a value (for messages), or the parsed value's description.
    private func inlineValueOrText(_ value: OptionValue, _ arguments: [String], _ next: Int, _ inline: String?) -> String {
        if let inline { return inline }
        if case .bool = value { return value.description }
        return next > 0 && next <= arguments.count ? arguments[next - 1] : value.description
    }

    /// Parses `CommandLine.arguments` (or `arguments`). On `--help` prints the usage to standard
    /// output and exits 0; on an error prints the message and the usage to standard error and
    /// exits with status 2.
    public func parseOrExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> ParsedOptions {
        do {
            return try parse(arguments)
        } catch OptionError.helpRequested {
            TextOutput.standardOutput.write(usage())
            exit(0)
        } catch {
            TextOutput.standardError.write("\(program): error: \(error)\n\n" + usage())
            exit(2)
        }
    }

    static func convert(_ text: String, kind: OptionKind, option: String) throws -> OptionValue {
        switch kind {
        case .int:
            guard let v = Int(text) else { throw OptionError.invalidValue(option: option, value: text, expected: "an integer") }
            return .int(v)
        case .float:
            guard let v = Double(text), v.isFinite else {
                throw OptionError.invalidValue(option: option, value: text, expected: "a number")
            }
            // The models compute in Float: check the value they will use.
            let f = Float(v)
            guard f.isFinite else {
                throw OptionError.invalidValue(option: option, value: text,
                                               expected: "a number a 32-bit Float can hold (|x| ≤ 3.4e38)")
            }
            guard f != 0 || v == 0 else {
                throw OptionError.invalidValue(option: option, value: text,
                                               expected: "a number that is not 0 as a 32-bit Float (|x| ≥ 1.4e-45)")
            }
            return .float(Double(f))
        case .string:
            return .string(text)
        case .choice(let allowed):
            guard allowed.contains(text) else {
                throw OptionError.invalidValue(option: option, value: text, expected: "one of " + allowed.joined(separator: ", "))
            }
            return .string(text)
        case .ints:
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: " ") }
            let numbers = parts.compactMap { Int($0) }
            guard !parts.isEmpty, numbers.count == parts.count else {
                throw OptionError.invalidValue(option: option, value: text, expected: "comma-separated integers like 6,16")
            }
            return .ints(numbers)
        case .flag:
            return .bool(true)
        }
    }

    /// The declared name nearest to `name` (edit distance ≤ 2), to suggest on a typo.
    func closestName(to name: String) -> String? {
        let names = options.map(\.name) + (sectionList.isEmpty ? [] : ["section"])
        let scored = names.map { ($0, editDistance(Array(name), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return "--" + best.0
    }

    // MARK: Usage

    /// The help text: program, sections, every option with its type and default.
    public func usage() -> String {
        var s = "usage: \(program)" + (sectionList.isEmpty ? "" : " [section ...]") + " [options]\n"
        if !overview.isEmpty { s += "\n\(overview)\n" }
        if !sectionList.isEmpty {
            let defaults = defaultSections.map { $0.joined(separator: ", ") } ?? "all"
            s += "\nsections (any number, anywhere on the line; default: \(defaults)):\n"
            let rows = sectionList + [(name: "all", help: "every section in turn")]
            let width = rows.map(\.name.count).max() ?? 0
            for (name, help) in rows { s += "  " + pad(name, width) + "  " + help + "\n" }
        }
        s += "\noptions:\n"
        var rows: [(String, String)] = options.map { option in
            let left = option.kind == .flag ? "--\(option.name)" : "--\(option.name) <\(option.kind.valueName)>"
            let right = option.kind == .flag ? option.help
                : "\(option.help) (default: \(option.defaultText ?? option.defaultValue.description))"
            return (left, right)
        }
        if !sectionList.isEmpty { rows.append(("--section <name>", "run this section (same as the positional name)")) }
        rows.append(("-h, --help", "show this help and exit"))
        let width = rows.map(\.0.count).max() ?? 0
        for (left, right) in rows { s += "  " + pad(left, width) + "  " + right + "\n" }
        return s
    }

    private func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(width - s.count, 0)) }
}

/// Levenshtein distance between two strings' characters.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    var previous = Array(0...b.count)
    for (i, ca) in a.enumerated() {
        var current = [i + 1]
        for (j, cb) in b.enumerated() {
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
        }
        previous = current
    }
    return previous[b.count]
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
