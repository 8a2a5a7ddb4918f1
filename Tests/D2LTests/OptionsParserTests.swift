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
        XCTAssertEqual(o.double("lr"), 0.1)
        XCTAssertEqual(o.string("data-dir"), "Datasets")
        XCTAssertFalse(o.flag("quick"))
        XCTAssertEqual(o.string("init"), "normal")
        XCTAssertEqual(o.ints("channels"), [6, 16])
        XCTAssertNil(o.section)
        XCTAssertTrue(o.runs("scratch") && o.runs("weight-decay"))
        XCTAssertFalse(o.isSet("epochs"))
    }

    func testBothSyntaxesFlagsListsAndSection() throws {
        let o = try makeParser().parse(["weight-decay", "--epochs", "3", "--lr=0.5", "--quick", "--init", "xavier",
                                        "--channels=8,32,64", "--data-dir", "/tmp/d"])
        XCTAssertEqual(o.section, "weight-decay")
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
        XCTAssertTrue(usage.hasPrefix("usage: Chapter04-MLP [section] [options]"))
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
        XCTAssertEqual(error(["--lr=-1"]), .checkFailed(option: "lr", value: "-1.0", message: "must be positive"))
        XCTAssertEqual(error(["--channels", "6,x"]),
                       .invalidValue(option: "channels", value: "6,x", expected: "comma-separated integers like 6,16"))
        XCTAssertEqual(error(["--channels", "6,0"]), .checkFailed(option: "channels", value: "6,0", message: "must be positive"))
        XCTAssertEqual(error(["--init", "he"]), .invalidValue(option: "init", value: "he", expected: "one of normal, xavier"))
        XCTAssertEqual(error(["lenet"]), .unknownSection("lenet", allowed: ["scratch", "concise", "weight-decay"]))
        XCTAssertEqual(error(["--epochs", "3", "scratch"]), .unexpectedArgument("scratch"), "the section comes first")
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
        XCTAssertEqual(try parser.parse(["--section", "concise"]).section, "concise")
        XCTAssertEqual(try parser.parse(["--epochs", "2", "--section=weight-decay"]).section, "weight-decay")
        let o = try parser.parse(["--epochs", "2", "--section", "scratch", "--lr", "0.5"])
        XCTAssertEqual(o.section, "scratch")
        XCTAssertEqual(o.int("epochs"), 2)
        XCTAssertTrue(o.runs("scratch") && !o.runs("concise"))
        XCTAssertThrowsError(try parser.parse(["--section", "lenet"])) {
            XCTAssertEqual($0 as? OptionError, .unknownSection("lenet", allowed: ["scratch", "concise", "weight-decay"]))
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
}
