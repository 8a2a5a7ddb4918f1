import Testing
@testable import Chapter02_LinearRegression

/// The chapter program's exit statuses (exit tests: each body runs the chapter's command line in
/// a child process): `--help` 0, a bad option 2, a diverged run 1 with one clear line.
@Suite struct Chapter02ExitTests {
    @Test func helpExitsZeroAndListsTheCommonOptions() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            chapterCommand().run(arguments: ["--help"], runChapter)
        }
        let stdout = String(decoding: result?.standardOutputContent ?? [], as: UTF8.self)
        #expect(stdout.hasPrefix("usage: Chapter02-LinearRegression [section ...] [options]"))
        #expect(stdout.contains("--model <both|scratch|concise>") && stdout.contains("--threads <int>"))
    }

    /// Issue 9 item 6: `--lr 1e39` is infinite as a Float: a usage error, exit 2.
    @Test func learningRateThatOverflowsFloatIsRejected() async {
        let result = await #expect(processExitsWith: .exitCode(2), observing: [\.standardErrorContent]) {
            chapterCommand().run(arguments: ["concise", "--lr", "1e39"], runChapter)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("invalid value '1e39' for '--lr'"))
    }

    /// Issue 9 item 4: `--lr 10` diverges: one line naming epoch and batch, a hint, exit 1
    /// (before: `loss -nan`, `error in estimating w: ["-nan", "-nan"]`, exit 0).
    @Test func divergenceExitsNonZeroWithOneClearLine() async {
        let result = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
            chapterCommand().run(arguments: ["scratch", "--lr", "10"], runChapter)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.hasPrefix("Chapter02-LinearRegression: training diverged: the loss is "))
        #expect(stderr.contains("at epoch 1, batch ") && stderr.contains("try a smaller --lr"))
        #expect(stderr.split(separator: "\n").count == 1)
    }
}
