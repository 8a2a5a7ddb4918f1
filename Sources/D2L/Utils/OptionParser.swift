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
/// `-h`/`--help`, and one optional leading positional section name (or `--section NAME`
/// anywhere).
public struct OptionParser {
    /// A declared option.
    public struct Option {
        public let name: String
        public let help: String
        public let kind: OptionKind
        public let defaultValue: OptionValue
        let validate: (OptionValue) -> String?
    }

    public let program: String
    public let overview: String
    public private(set) var options: [Option] = []
    /// Allowed section names with their help, if the program has sections.
    public private(set) var sectionList: [(name: String, help: String)] = []

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

    /// Declares the allowed first positional argument (a book section to run). Without it, every
    /// section runs: `ParsedOptions.section` is nil and `runs(_:)` is true for all.
    public mutating func sections(_ list: [(String, String)]) {
        sectionList = list.map { (name: $0.0, help: $0.1) }
    }

    public mutating func int(_ name: String, default value: Int, help: String, check: Check<Int>? = nil) {
        add(name, .int, .int(value), help) { v in if case .int(let x) = v { return check?.test(x) }; return nil }
    }

    /// A floating-point option (read it as `float(_:)` or `double(_:)`).
    public mutating func float(_ name: String, default value: Double, help: String, check: Check<Double>? = nil) {
        add(name, .float, .float(value), help) { v in if case .float(let x) = v { return check?.test(x) }; return nil }
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
        options.append(Option(name: name, help: help, kind: kind, defaultValue: value, validate: validate))
    }

    // MARK: Parsing

    /// Parses `arguments` (without the program name). Throws `OptionError.helpRequested` for
    /// `-h`/`--help`, other `OptionError`s for bad input.
    public func parse(_ arguments: [String]) throws -> ParsedOptions {
        var values: [String: OptionValue] = [:]
        var explicit: Set<String> = []
        var section: String?
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if argument == "-h" || argument == "--help" { throw OptionError.helpRequested }
            guard argument.hasPrefix("--") else {
                if argument.hasPrefix("-") && argument.count > 1 && Double(argument) == nil {
                    throw OptionError.unknownOption(argument, suggestion: nil)
                }
                if section == nil && !sectionList.isEmpty && explicit.isEmpty {
                    guard sectionList.contains(where: { $0.name == argument }) else {
                        throw OptionError.unknownSection(argument, allowed: sectionList.map(\.name))
                    }
                    section = argument
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
                guard sectionList.contains(where: { $0.name == text }) else {
                    throw OptionError.unknownSection(text, allowed: sectionList.map(\.name))
                }
                section = text
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
                throw OptionError.checkFailed(option: name, value: value.description, message: problem)
            }
            values[name] = value
            explicit.insert(name)
        }
        for option in options where values[option.name] == nil { values[option.name] = option.defaultValue }
        return ParsedOptions(values: values, explicit: explicit, section: section)
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
            return .float(v)
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
        var s = "usage: \(program)" + (sectionList.isEmpty ? "" : " [section]") + " [options]\n"
        if !overview.isEmpty { s += "\n\(overview)\n" }
        if !sectionList.isEmpty {
            s += "\nsections (default: run all):\n"
            let width = sectionList.map(\.name.count).max() ?? 0
            for (name, help) in sectionList { s += "  " + pad(name, width) + "  " + help + "\n" }
        }
        s += "\noptions:\n"
        var rows: [(String, String)] = options.map { option in
            let left = option.kind == .flag ? "--\(option.name)" : "--\(option.name) <\(option.kind.valueName)>"
            let right = option.kind == .flag ? option.help : "\(option.help) (default: \(option.defaultValue))"
            return (left, right)
        }
        if !sectionList.isEmpty { rows.append(("--section <name>", "run only this section (same as the positional name)")) }
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
