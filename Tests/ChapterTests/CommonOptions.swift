import D2L
import XCTest

/// Checks that a chapter's `--help` lists the options every chapter shares (issue 8 §2):
/// sections, `--seed`, `--threads`, and for a training chapter `--model`, `--epochs`, `--lr`,
/// `--batch-size`, `--max-batches`, `--no-progress`; and that no line states two defaults.
func assertListsCommonOptions(_ usage: String, training: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
    var expected = ["[section ...]", "  all ", "--section <name>", "--seed <int>", "--threads <int>", "-h, --help"]
    if training {
        expected += ["--model <both|scratch|concise>", "--epochs <int>", "--lr <float>", "--batch-size <int>",
                     "--max-batches <int>", "--no-progress"]
    }
    for piece in expected {
        XCTAssertTrue(usage.contains(piece), "--help lacks \(piece):\n\(usage)", file: file, line: line)
    }
    for l in usage.split(separator: "\n") where l.components(separatedBy: "default").count > 2 {
        XCTFail("two defaults on one line: \(l)", file: file, line: line)
    }
}

/// A `Reporting` that collects the lines, with no progress bar and no figure.
final class CapturedReport {
    var text = ""
    var report: Reporting {
        let sink = TextOutput(isTerminal: false) { self.text += $0 }  // keeps the collector alive
        return Reporting(output: sink, progress: nil, figure: nil, warnings: sink)
    }
}
