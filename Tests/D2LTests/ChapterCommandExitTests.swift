#if canImport(Glibc)
import Glibc
#endif
import D2L
import Tensor
import Testing

/// `ChapterCommand.run` in a child process: `--threads` sets the worker count before the
/// chapter runs; an error thrown by the chapter is one line and exit 1; a combination of
/// options the chapter rejects (`OptionError`) is a usage error, exit 2.
@Suite struct ChapterCommandExitTests {
    @Test func threadsFlagSetsTheWorkerCount() async {
        await #expect(processExitsWith: .exitCode(3)) {
            ChapterCommand(program: "Chapter99-Test", overview: "", sections: [("a", "a")])
                .run(arguments: ["--threads", "1"]) { _ in exit(Parallel.threads == 1 ? 3 : 4) }
        }
    }

    @Test func chapterErrorIsOneLineAndExitOne() async {
        let result = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
            ChapterCommand(program: "Chapter99-Test", overview: "", sections: [("a", "a")])
                .run(arguments: ["a"]) { _ in throw TrainingError.nonFiniteLoss(value: .nan, epoch: 2, batch: 5) }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr == "Chapter99-Test: training diverged: the loss is nan at epoch 2, batch 5; "
            + "the learning rate is probably too large: try a smaller --lr\n")
    }

    @Test func rejectedCombinationIsAUsageError() async {
        let result = await #expect(processExitsWith: .exitCode(2), observing: [\.standardErrorContent]) {
            ChapterCommand(program: "Chapter99-Test", overview: "", sections: [("a", "a")])
                .run(arguments: []) { _ in throw OptionError.checkFailed(option: "x", value: "1", message: "needs y") }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.hasPrefix("Chapter99-Test: error: '--x 1': needs y\n\nusage: Chapter99-Test [section ...]"))
    }
}
