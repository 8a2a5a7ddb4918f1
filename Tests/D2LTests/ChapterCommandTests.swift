import Foundation
import XCTest
@testable import D2L
import Tensor

/// `ChapterCommand` / `ChapterOptions`: the one command line of every chapter, and the pieces of
/// the training vocabulary it hands to the loops (`Reporting`, figure names, `BookResult`).
final class ChapterCommandTests: XCTestCase {
    private func command() -> ChapterCommand {
        var c = ChapterCommand(program: "Chapter05-LeNet", overview: "LeNet",
                               sections: [("demos", "§6.2–6.5"), ("lenet", "§6.6")])
        c.training(epochs: 10, lr: 0.9, batchSize: 256)
        c.exercises { p in
            p.choice("pool", ["avg", "max"], default: "avg", help: "pooling")
            p.ints("channels", default: [6, 16], help: "channels", check: .within(1...256))
        }
        return c
    }

    func testUsageListsTheCommonOptionsOnce() {
        let usage = command().usage()
        for piece in ["[section ...]", "--model <both|scratch|concise>", "--epochs <int>", "--lr <float>",
                      "--batch-size <int>", "--seed <int>", "--no-progress", "--max-batches <int>", "--threads <int>",
                      "(default: 0.9)", "all ", "--pool <avg|max>"] {
            XCTAssertTrue(usage.contains(piece), "usage lacks \(piece):\n\(usage)")
        }
        for line in usage.split(separator: "\n") {
            XCTAssertLessThanOrEqual(line.components(separatedBy: "(default:").count - 1, 1, "one default per line: \(line)")
        }
    }

    func testSectionsModelsAndCommonValues() throws {
        let o = try command().parse(["--epochs", "1", "lenet", "--model", "scratch", "--max-batches", "3", "--no-progress"])
        XCTAssertTrue(o.runs("lenet"))
        XCTAssertFalse(o.runs("demos"))
        XCTAssertEqual(o.models, [.scratch])
        XCTAssertEqual(o.epochs, 1)
        XCTAssertEqual(o.lr, 0.9)
        XCTAssertEqual(o.maxBatches, 3)
        XCTAssertFalse(o.showProgress)
        XCTAssertNil(o.report(section: "lenet").progress)
        let d = try command().parse([])
        XCTAssertEqual(d.models, [.scratch, .concise], "both by default, scratch first")
        XCTAssertTrue(d.runs("demos") && d.runs("lenet"))
        XCTAssertNil(d.maxBatches)
        XCTAssertEqual(d.epochs(book: 400), 400, "the section's book value unless --epochs is given")
        XCTAssertEqual(o.epochs(book: 400), 1)
    }

    /// Issue 9 item 12: size options are bounded with a clear message.
    func testSizeOptionsAreBounded() {
        for args in [["--threads", "0"], ["--threads", "100000"], ["--batch-size", "1000000000"],
                     ["--channels", "6,100000"], ["--epochs", "0"]] {
            XCTAssertThrowsError(try command().parse(args), "\(args)") { error in
                guard case .checkFailed(_, _, let message)? = error as? OptionError else { return XCTFail("\(error)") }
                XCTAssertTrue(message.hasPrefix("must be"), message)
            }
        }
    }

    /// Figures are `chNN-<section>-<model>` plus the options that differ from their defaults,
    /// so an exercise run never overwrites the lesson's figure; seed and progress do not count.
    func testFigureNames() throws {
        let c = command()
        XCTAssertEqual(c.figurePrefix, "ch05")
        XCTAssertEqual(try c.parse([]).report(section: "lenet", model: .concise).figure, "ch05-lenet-concise")
        XCTAssertEqual(try c.parse(["--seed", "3", "--no-progress", "--pool", "avg"]).figureName("lenet", "scratch"),
                       "ch05-lenet-scratch")
        XCTAssertEqual(try c.parse(["--pool", "max", "--lr", "0.1", "--channels", "16,32"]).figureName("lenet", "concise"),
                       "ch05-lenet-concise-lr-0.1-pool-max-channels-16-32")
    }

    /// `--no-figures` (where a chapter declares it) leaves the training run without a figure.
    func testNoFiguresMeansNoTrainingFigure() throws {
        var c = ChapterCommand(program: "Chapter09-Transformer", overview: "T", sections: [("transformer", "§10.7")])
        c.training(epochs: 1, lr: 0.1, batchSize: 4)
        c.exercises(outputOnly: ["no-figures"]) { p in p.flag("no-figures", help: "no SVG") }
        XCTAssertEqual(try c.parse([]).report(section: "transformer").figure, "ch09-transformer")
        let quiet = try c.parse(["--no-figures"])
        XCTAssertFalse(quiet.writesFigures)
        XCTAssertNil(quiet.report(section: "transformer", model: .scratch).figure)
        XCTAssertTrue(try command().parse([]).writesFigures, "a chapter without the flag always writes figures")
    }

    /// Every section starts from `--seed`: the same draws alone or after another section.
    func testSectionsAndModelsReseed() throws {
        let o = try command().parse(["--seed", "7"])
        var draws: [[Float]] = []
        o.section("demos") { draws.append(Tensor.rand([3]).scalars) }
        o.section("lenet") { draws.append(Tensor.rand([3]).scalars) }
        o.forEachModel { _ in draws.append(Tensor.rand([3]).scalars) }
        XCTAssertEqual(draws.count, 4)
        XCTAssertTrue(draws.allSatisfy { $0 == draws[0] })
        Tensor.manualSeed(7)
        XCTAssertEqual(Tensor.rand([3]).scalars, draws[0])
    }

    func testBookResultLine() {
        XCTAssertEqual(BookResult("loss 0.469, train acc 0.823, test acc 0.779", spread: "test 0.779–0.824").line,
                       "book:  loss 0.469, train acc 0.823, test acc 0.779 (test 0.779–0.824 over 20 builds)")
        XCTAssertEqual(BookResult("vocab 28").line, "book:  vocab 28")
    }

    /// Issue 9 item 13: a figures folder that is a regular file (`D2L_FIGURES=/some/file`) is
    /// a `FigureError` naming it, and `saveOrWarn` turns it into one warning line.
    func testFiguresFolderThatIsAFileIsAWarning() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("figs-\(UUID().uuidString)")
        try Data("not a folder".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let target = file.appendingPathComponent("sub").appendingPathComponent("x.svg")
        XCTAssertThrowsError(try Figures.write("<svg/>", to: target)) {
            XCTAssertEqual($0 as? FigureError, .notAFolder(file.path))
            XCTAssertTrue("\($0)".contains("is a file, not a folder"))
        }
        var warnings = ""
        let url = Figures.saveOrWarn("x", warnings: TextOutput(isTerminal: false) { warnings += $0 }) {
            try plot(x: [1, 2], y: [[1, 2]], file: target.path)
        }
        XCTAssertNil(url)
        XCTAssertEqual(warnings, "warning: could not save figure x: \(file.path) is a file, not a folder (check D2L_FIGURES)\n")
    }
}
