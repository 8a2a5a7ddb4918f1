#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Tensor

/// The command line every chapter program shares, declared in a few lines. A chapter's
/// `Command.swift` builds it, its `main.swift` runs it:
///
///     // Command.swift
///     func chapterCommand() -> ChapterCommand {
///         var command = ChapterCommand(program: "Chapter05-LeNet", overview: "Convolutional networks (§6.2–6.6)",
///                                      sections: [("demos", "§6.2–6.5 …"), ("lenet", "§6.6 LeNet")])
///         command.training(epochs: 10, lr: 0.9, batchSize: 256)
///         command.exercises { declareExerciseOptions(&$0) }    // the chapter's own knobs
///         return command
///     }
///     // main.swift
///     chapterCommand().run(runChapter)                        // runChapter(_ o: ChapterOptions) throws
///
/// What every chapter then accepts (one grammar, one help text):
/// - sections, positional, anywhere, several at once (`scratch concise`, `--epochs 1 lenet`,
///   `all`; `--section NAME` too);
/// - `--seed` (every section reseeds with it, so a section prints the same numbers alone or
///   inside `all`) and `--threads` (worker threads; default `D2L_THREADS` or all cores);
/// - after `training(...)`: `--model scratch|concise|both`, `--epochs`, `--lr`, `--batch-size`,
///   `--max-batches`, `--no-progress`;
/// - after `exercises { … }`: the chapter's exercise knobs, which also name the figures when
///   they differ from their default.
///
/// `run` prints `--help` and exits 0, reports a bad option (also an `OptionError` thrown by the
/// chapter for a combination of options) with the usage and exits 2, and
/// reports an error thrown by the chapter (missing data, `TrainingError`, …) on one line and
/// exits 1.
public struct ChapterCommand {
    /// The parser, for the chapter's own options.
    public var parser: OptionParser
    /// Figure names start with this: `ch05` for `Chapter05-LeNet`.
    public let figurePrefix: String
    /// Options whose non-default values are part of figure names.
    public private(set) var figureOptions: [String] = []

    /// Largest accepted `--threads`.
    public static let maxThreads = 256

    public init(program: String, overview: String, sections: [(String, String)], defaults: [String]? = nil) {
        parser = OptionParser(program: program, overview: overview)
        if !sections.isEmpty { parser.sections(sections, defaults: defaults) }
        let number = program.drop { !$0.isNumber }.prefix { $0.isNumber }
        figurePrefix = "ch" + (number.isEmpty ? program.lowercased() : String(number))
    }

    /// A default that is either one value or differs per section (then `text` describes it and
    /// the chapter reads the option with `ChapterOptions.epochs(book:)` and friends).
    public enum Default<Value> {
        case value(Value)
        case perSection(Value, String)

        var value: Value {
            switch self {
            case .value(let v), .perSection(let v, _): return v
            }
        }
        var text: String? {
            if case .perSection(_, let text) = self { return text }
            return nil
        }
    }

    /// Declares the training options: `--model` (when the chapter has both versions),
    /// `--epochs`, `--lr`, `--batch-size`, `--max-batches`, `--no-progress`, with the book's values
    /// as defaults. Sizes are bounded so a typo cannot ask for terabytes.
    public mutating func training(epochs: Default<Int>, lr: Default<Double>, batchSize: Default<Int>,
                                  models: Bool = true) {
        if models {
            parser.choice("model", ["both", "scratch", "concise"], default: "both",
                          help: "which version to train: from scratch, concise, or both one after the other")
        }
        parser.int("epochs", default: epochs.value, help: "training epochs", check: .within(1...100_000))
        parser.float("lr", default: lr.value, help: "learning rate", check: .positive)
        parser.int("batch-size", default: batchSize.value, help: "minibatch size", check: .within(1...65_536))
        parser.int("max-batches", default: 0, help: "use at most this many batches per epoch (0: all)",
                   check: .nonNegative)
        parser.flag("no-progress", help: "no progress bars")
        if let text = epochs.text { parser.describeDefault("epochs", text) }
        if let text = lr.text { parser.describeDefault("lr", text) }
        if let text = batchSize.text { parser.describeDefault("batch-size", text) }
        figureOptions += ["epochs", "lr", "batch-size"]
    }

    /// `training(epochs:lr:batchSize:)` with one book value each.
    public mutating func training(epochs: Int, lr: Double, batchSize: Int, models: Bool = true) {
        training(epochs: .value(epochs), lr: .value(lr), batchSize: .value(batchSize), models: models)
    }

    /// Declares the chapter's exercise options with `declare`; their non-default values become
    /// part of figure names, so an exercise run does not overwrite the lesson's figure.
    public mutating func exercises(_ declare: (inout OptionParser) -> Void) {
        let before = Set(parser.options.map(\.name))
        declare(&parser)
        figureOptions += parser.options.map(\.name).filter { !before.contains($0) }
    }

    /// The parser with the options every chapter has (`--seed`, `--threads`) appended.
    public var completeParser: OptionParser {
        var p = parser
        p.int("seed", default: 0, help: "random seed; every section starts from it", check: .nonNegative)
        p.int("threads", default: min(max(Parallel.threads, 1), Self.maxThreads), help: "worker threads",
              check: .within(1...Self.maxThreads))
        p.describeDefault("threads", "D2L_THREADS if set, else all cores: \(Parallel.threads) here")
        return p
    }

    /// The help text.
    public func usage() -> String { completeParser.usage() }

    /// Parses `arguments` (without the program name); `OptionError.helpRequested` for `--help`.
    public func parse(_ arguments: [String]) throws -> ChapterOptions {
        options(from: try completeParser.parse(arguments))
    }

    /// The chapter's view of parsed options: the figure-name suffix from the options that
    /// differ from their defaults.
    func options(from parsed: ParsedOptions) -> ChapterOptions {
        let declared = Dictionary(uniqueKeysWithValues: completeParser.options.map { ($0.name, $0) })
        let suffix = figureOptions.compactMap { name -> String? in
            guard parsed.isSet(name), let option = declared[name] else { return nil }
            let value = parsed.value(of: name)
            if value == option.defaultValue && option.defaultText == nil { return nil }
            return option.kind == .flag ? name : name + "-" + value.description
        }
        return ChapterOptions(parsed: parsed, figurePrefix: figurePrefix, figureSuffix: suffix)
    }

    /// Parses the command line and runs `body` with the options: `--help` prints the usage and
    /// exits 0; a bad option prints the error and the usage to standard error and exits 2; an
    /// error thrown by `body` is printed as `Program: message` and exits 1. Sets the worker
    /// threads from `--threads` and makes standard output line-buffered.
    public func run(arguments: [String] = Array(CommandLine.arguments.dropFirst()),
                    _ body: (ChapterOptions) throws -> Void) {
        setvbuf(stdout, nil, _IOLBF, 0)  // results and progress lines interleave in logs
        let options = self.options(from: completeParser.parseOrExit(arguments))
        Parallel.threads = options.threads
        do {
            try body(options)
        } catch let error as OptionError {  // a combination of options the parser cannot check
            TextOutput.standardError.write("\(parser.program): error: \(error)\n\n" + usage())
            exit(2)
        } catch {
            fflush(stdout)
            TextOutput.standardError.write("\(parser.program): \(error)\n")
            exit(1)
        }
    }
}
