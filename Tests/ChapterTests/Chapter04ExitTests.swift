import Foundation
import Testing
@testable import Chapter04_MLP

/// Chapter04-MLP's exit statuses on bad runs (exit tests: the chapter's command line in a child
/// process).
@Suite struct Chapter04ExitTests {
    /// Issue 9 item 5: a diverging weight-decay run exits 1 with the divergence line (before:
    /// SIGILL, "Float value cannot be converted to Int" inside `accuracy`).
    @Test func divergingWeightDecayExitsWithAMessage() async {
        let result = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
            chapterCommand().run(arguments: ["weight-decay", "--lr", "0.1", "--model", "concise"], runChapter)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Chapter04-MLP: training diverged"))
    }

    /// Issue 9 item 13: `D2L_FIGURES` naming a regular file: a warning per figure, exit 0
    /// (before: exit 1 with raw Foundation text).
    @Test func figuresFolderThatIsAFileWarnsAndExitsZero() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            let file = NSTemporaryDirectory() + "d2l-figures-file-\(getpid())"
            _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
            setenv("D2L_FIGURES", file, 1)
            chapterCommand().run(arguments: ["activations"], runChapter)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("warning: could not save figure ch04-activations-relu: "))
        #expect(stderr.contains("is a file, not a folder (check D2L_FIGURES)"))
    }
}
