import Tensor

/// Which version of a model a run trains: the book's "from scratch" or "concise" section.
public enum ModelVersion: String, CaseIterable {
    case scratch, concise
}

/// What a chapter's command line asked for (see `ChapterCommand`): the sections, the common
/// options, and the chapter's own options through `parsed`.
///
///     try o.section("lenet") {                       // reseeds, runs only if selected
///         try o.forEachModel { model in               // reseeds before each version
///             ... train with o.epochs, o.lr, o.batchSize, report: o.report(section: "lenet", model: model)
///         }
///     }
public struct ChapterOptions {
    /// Every option's value, for the chapter's own options.
    public let parsed: ParsedOptions
    /// `ch05`.
    public let figurePrefix: String
    /// Exercise and training options that differ from their defaults, as `name-value` parts.
    public let figureSuffix: [String]

    public init(parsed: ParsedOptions, figurePrefix: String, figureSuffix: [String] = []) {
        self.parsed = parsed
        self.figurePrefix = figurePrefix
        self.figureSuffix = figureSuffix
    }

    // MARK: Sections and models

    /// True when section `name` was selected (named, `all`, or a default section).
    public func runs(_ name: String) -> Bool { parsed.runs(name) }

    /// Runs `body` if section `name` is selected, after reseeding the random generator, so the
    /// section prints the same numbers alone or after other sections.
    public func section(_ name: String, _ body: () throws -> Void) rethrows {
        guard runs(name) else { return }
        reseed()
        try body()
    }

    /// The versions `--model` asks for, scratch first (both when the chapter has no `--model`).
    public var models: [ModelVersion] {
        guard parsed.declares("model") else { return ModelVersion.allCases }
        switch parsed.string("model") {
        case "scratch": return [.scratch]
        case "concise": return [.concise]
        default: return ModelVersion.allCases
        }
    }

    /// Runs `body` for each version `--model` asks for, reseeding before each, so `--model
    /// concise` alone prints what the concise run prints after the scratch one.
    public func forEachModel(_ body: (ModelVersion) throws -> Void) rethrows {
        for model in models {
            reseed()
            try body(model)
        }
    }

    /// True when `--model` asks for `model`.
    public func trains(_ model: ModelVersion) -> Bool { models.contains(model) }

    // MARK: Common options

    /// `--seed`.
    public var seed: UInt64 { UInt64(parsed.int("seed")) }

    /// Reseeds the library's generator with `--seed` (`Tensor.manualSeed`).
    public func reseed() { Tensor.manualSeed(seed) }

    /// `--threads`.
    public var threads: Int { parsed.int("threads") }

    /// `--epochs` (the book's value unless given).
    public var epochs: Int { parsed.int("epochs") }
    /// `--lr`, as the Float the model uses.
    public var lr: Float { parsed.float("lr") }
    /// `--batch-size`.
    public var batchSize: Int { parsed.int("batch-size") }

    /// `--epochs` if given, else this section's book value.
    public func epochs(book: Int) -> Int { parsed.isSet("epochs") ? epochs : book }
    /// `--lr` if given, else this section's book value.
    public func lr(book: Float) -> Float { parsed.isSet("lr") ? lr : book }
    /// `--batch-size` if given, else this section's book value.
    public func batchSize(book: Int) -> Int { parsed.isSet("batch-size") ? batchSize : book }

    /// `--max-batches` (nil: all batches).
    public var maxBatches: Int? {
        guard parsed.declares("max-batches") else { return nil }
        let n = parsed.int("max-batches")
        return n == 0 ? nil : n
    }

    /// False with `--no-progress`.
    public var showProgress: Bool { !(parsed.declares("no-progress") && parsed.flag("no-progress")) }

    // MARK: Reporting

    /// A figure name: `ch05-lenet-concise`, plus the exercise options that differ from their
    /// defaults (`ch05-lenet-concise-pool-max-lr-0.1`), so exercise runs keep their own files.
    public func figureName(_ parts: String...) -> String {
        figureName(parts: parts)
    }

    func figureName(parts: [String]) -> String {
        Figures.name(([figurePrefix] + parts + figureSuffix).joined(separator: "-"))
    }

    /// False when the chapter declares `--no-figures` and it was given.
    public var writesFigures: Bool { !(parsed.declares("no-figures") && parsed.flag("no-figures")) }

    /// Reporting for a training run: lines on standard output, a progress bar unless
    /// `--no-progress`, the training curves as `figureName(section, model)` (none with `--no-figures`).
    public func report(section: String, model: ModelVersion? = nil) -> Reporting {
        Reporting(progress: showProgress ? .standardError : nil,
                  figure: writesFigures ? figureName(parts: [section] + (model.map { [$0.rawValue] } ?? [])) : nil)
    }
}
