import D2L

/// The chapter's command line: sections `dataset` (§3.5), `scratch` (§3.6) and `concise` (§3.7);
/// `--model` picks among the two training sections too.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter03-SoftmaxRegression",
        overview: "Softmax regression on Fashion-MNIST (book §3.5–3.7), from scratch and concise.",
        sections: [("dataset", "§3.5 the Fashion-MNIST data set and its first 18 images"),
                   ("scratch", "§3.6 softmax regression from scratch"),
                   ("concise", "§3.7 softmax regression with Flatten + Linear and CrossEntropyLoss")])
    command.training(epochs: 10, lr: 0.1, batchSize: 256)
    return command
}

/// Runs the selected sections (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) throws {
    try o.section("dataset") {
        try showDataset(hub: .shared, file: o.figureName("dataset"), report: o.report(section: "dataset"))
    }
    for model in ModelVersion.allCases where o.trains(model) {
        try o.section(model.rawValue) {
            print("")
            try runSoftmaxRegression(model, o)
        }
    }
}
