import XCTest
@testable import D2L

final class OptionsParserTests: XCTestCase {
    private func makeParser() -> OptionParser {
        var parser = OptionParser(program: "Chapter04-MLP", overview: "Multilayer perceptrons")
        parser.sections([("scratch", "§4.2"), ("concise", "§4.3"), ("weight-decay", "§4.5")])
        parser.int("epochs", default: 10, help: "training epochs", check: .positive)
        parser.float("lr", default: 0.1, help: "learning rate", check: .positive)
        parser.string("data-dir", default: "Datasets", help: "where the data lives")
        parser.flag("quick", help: "short run")
        parser.choice("init", ["normal", "xavier"], default: "normal", help: "initialisation")
        parser.ints("channels", default: [6, 16], help: "conv channels", check: .positive)
        return parser
    }

    func testDefaults() throws {
        let o = try makeParser().parse([])
        XCTAssertEqual(o.int("epochs"), 10)
        XCTAssertEqual(o.float("lr"), 0.1)
        XCTAssertEqual(o.double("lr"), Double(Float(0.1)), "the Float the model uses")
        XCTAssertEqual(o.string("data-dir"), "Datasets")
        XCTAssertFalse(o.flag("quick"))
        XCTAssertEqual(o.string("init"), "normal")
        XCTAssertEqual(o.ints("channels"), [6, 16])
        XCTAssertEqual(o.named, [])
        XCTAssertTrue(o.runs("scratch") && o.runs("weight-decay"))
        XCTAssertFalse(o.isSet("epochs"))
    }

    func testBothSyntaxesFlagsListsAndSection() throws {
        let o = try makeParser().parse(["weight-decay", "--epochs", "3", "--lr=0.5", "--quick", "--init", "xavier",
                                        "--channels=8,32,64", "--data-dir", "/tmp/d"])
        XCTAssertEqual(o.named, ["weight-decay"])
        XCTAssertTrue(o.runs("weight-decay"))
        XCTAssertFalse(o.runs("scratch"))
        XCTAssertEqual(o.int("epochs"), 3)
        XCTAssertEqual(o.double("lr"), 0.5)
        XCTAssertTrue(o.flag("quick"))
        XCTAssertEqual(o.string("init"), "xavier")
        XCTAssertEqual(o.ints("channels"), [8, 32, 64])
        XCTAssertEqual(o.string("data-dir"), "/tmp/d")
        XCTAssertTrue(o.isSet("epochs"))
        XCTAssertFalse(try makeParser().parse(["--quick", "--no-quick"]).flag("quick"))
        XCTAssertFalse(try makeParser().parse(["--quick=false"]).flag("quick"))
        XCTAssertEqual(try makeParser().parse(["--epochs", "2", "--epochs", "5"]).int("epochs"), 5, "last one wins")
    }

    func testHelp() {
        for argument in ["--help", "-h"] {
            XCTAssertThrowsError(try makeParser().parse(["--epochs", "2", argument])) { error in
                XCTAssertEqual(error as? OptionError, .helpRequested)
            }
        }
        let usage = makeParser().usage()
        XCTAssertTrue(usage.hasPrefix("usage: Chapter04-MLP [section ...] [options]"))
        for piece in ["--epochs <int>", "(default: 10)", "--lr <float>", "(default: 0.1)", "--init <normal|xavier>",
                      "--channels <int,int,...>", "(default: 6,16)", "--quick", "weight-decay", "-h, --help"] {
            XCTAssertTrue(usage.contains(piece), "usage lacks \(piece):\n\(usage)")
        }
    }

    func testErrors() {
        let parser = makeParser()
        func error(_ args: [String]) -> OptionError? {
            do { _ = try parser.parse(args); return nil } catch { return error as? OptionError }
        }
        XCTAssertEqual(error(["--epoch", "3"]), .unknownOption("--epoch", suggestion: "--epochs"))
        XCTAssertEqual(error(["--bogus"]), .unknownOption("--bogus", suggestion: nil))
        XCTAssertEqual(error(["--lr"]), .missingValue(option: "lr", expected: "float"))
        XCTAssertEqual(error(["--lr", "--epochs", "3"]), .missingValue(option: "lr", expected: "float"))
        XCTAssertEqual(error(["--lr", "fast"]), .invalidValue(option: "lr", value: "fast", expected: "a number"))
        XCTAssertEqual(error(["--epochs", "2.5"]), .invalidValue(option: "epochs", value: "2.5", expected: "an integer"))
        XCTAssertEqual(error(["--epochs", "0"]), .checkFailed(option: "epochs", value: "0", message: "must be positive"))
        XCTAssertEqual(error(["--lr=-1"]), .checkFailed(option: "lr", value: "-1", message: "must be positive"))
        XCTAssertEqual(error(["--channels", "6,x"]),
                       .invalidValue(option: "channels", value: "6,x", expected: "comma-separated integers like 6,16"))
        XCTAssertEqual(error(["--channels", "6,0"]), .checkFailed(option: "channels", value: "6,0", message: "must be positive"))
        XCTAssertEqual(error(["--init", "he"]), .invalidValue(option: "init", value: "he", expected: "one of normal, xavier"))
        XCTAssertEqual(error(["lenet"]), .unknownSection("lenet", allowed: ["scratch", "concise", "weight-decay", "all"]))
        XCTAssertEqual(error(["-x"]), .unknownOption("-x", suggestion: nil))
        XCTAssertEqual(error(["--quick=maybe"]), .invalidValue(option: "quick", value: "maybe", expected: "true or false"))
        XCTAssertEqual(OptionError.checkFailed(option: "epochs", value: "0", message: "must be positive").description,
                       "'--epochs 0': must be positive")
    }

    func testNegativeNumbersAreValues() throws {
        var parser = OptionParser(program: "p")
        parser.float("shift", default: 0, help: "offset")
        parser.int("seed", default: 1, help: "seed", check: .within(-5...5))
        let o = try parser.parse(["--shift", "-2.5", "--seed", "-3"])
        XCTAssertEqual(o.double("shift"), -2.5)
        XCTAssertEqual(o.int("seed"), -3)
        XCTAssertThrowsError(try parser.parse(["extra"])) { XCTAssertEqual($0 as? OptionError, .unexpectedArgument("extra")) }
    }

    func testSectionOption() throws {
        let parser = makeParser()
        XCTAssertEqual(try parser.parse(["--section", "concise"]).named, ["concise"])
        XCTAssertEqual(try parser.parse(["--epochs", "2", "--section=weight-decay"]).named, ["weight-decay"])
        let o = try parser.parse(["--epochs", "2", "--section", "scratch", "--lr", "0.5"])
        XCTAssertEqual(o.named, ["scratch"])
        XCTAssertEqual(o.int("epochs"), 2)
        XCTAssertTrue(o.runs("scratch") && !o.runs("concise"))
        XCTAssertThrowsError(try parser.parse(["--section", "lenet"])) {
            XCTAssertEqual($0 as? OptionError, .unknownSection("lenet", allowed: ["scratch", "concise", "weight-decay", "all"]))
        }
        XCTAssertThrowsError(try parser.parse(["--section"])) {
            XCTAssertEqual($0 as? OptionError, .missingValue(option: "section", expected: "a section name"))
        }
        XCTAssertTrue(parser.usage().contains("--section <name>"))
        var plain = OptionParser(program: "p")
        plain.int("epochs", default: 1, help: "epochs")
        XCTAssertThrowsError(try plain.parse(["--section", "x"])) {
            XCTAssertEqual($0 as? OptionError, .unknownOption("--section", suggestion: nil))
        }
    }

    /// Sections are positional anywhere on the line, several at once; `all` runs every one;
    /// the run order is the declaration order; a parser may name default sections.
    func testSeveralSectionsAnywhere() throws {
        let parser = makeParser()
        let o = try parser.parse(["--epochs", "1", "weight-decay", "--quick", "scratch"])
        XCTAssertEqual(o.named, ["weight-decay", "scratch"])
        XCTAssertEqual(o.selected, ["scratch", "weight-decay"], "declaration order")
        XCTAssertEqual(o.int("epochs"), 1)
        XCTAssertFalse(o.runs("concise"))
        XCTAssertEqual(try parser.parse(["all"]).selected, ["scratch", "concise", "weight-decay"])
        XCTAssertEqual(try parser.parse(["concise", "concise"]).named, ["concise"], "named once")
        var withDefaults = OptionParser(program: "p")
        withDefaults.sections([("mlp", "§4.2"), ("dropout", "§4.6")], defaults: ["mlp"])
        XCTAssertEqual(try withDefaults.parse([]).selected, ["mlp"])
        XCTAssertEqual(try withDefaults.parse(["all"]).selected, ["mlp", "dropout"])
        XCTAssertEqual(try withDefaults.parse(["dropout"]).selected, ["dropout"])
        XCTAssertTrue(withDefaults.usage().contains("default: mlp)"), withDefaults.usage())
        XCTAssertFalse(withDefaults.usage().contains("default: run all"), "one statement of the default")
    }

    /// Issue 9 item 6: a float option is checked as the Float the model uses, so a value that is
    /// infinite or zero as a Float is rejected, and the value read is the Float's.
    func testFloatOptionsAreValidatedAsFloat() throws {
        let parser = makeParser()
        func error(_ args: [String]) -> OptionError? {
            do { _ = try parser.parse(args); return nil } catch { return error as? OptionError }
        }
        XCTAssertEqual(error(["--lr", "1e39"]),
                       .invalidValue(option: "lr", value: "1e39", expected: "a number a 32-bit Float can hold (|x| ≤ 3.4e38)"))
        XCTAssertEqual(error(["--lr", "1e-50"]),
                       .invalidValue(option: "lr", value: "1e-50",
                                     expected: "a number that is not 0 as a 32-bit Float (|x| ≥ 1.4e-45)"))
        XCTAssertEqual(error(["--lr", "nan"]), .invalidValue(option: "lr", value: "nan", expected: "a number"))
        XCTAssertEqual(error(["--lr", "inf"]), .invalidValue(option: "lr", value: "inf", expected: "a number"))
        let o = try parser.parse(["--lr", "0.1"])
        XCTAssertEqual(o.double("lr"), Double(Float(0.1)), "the Float's value")
        XCTAssertEqual(o.float("lr"), 0.1)
        XCTAssertTrue(parser.usage().contains("(default: 0.1)"), "shown as the Float's shortest form")
        XCTAssertEqual(try parser.parse(["--lr", "3e38"]).float("lr"), 3e38)
    }
}
