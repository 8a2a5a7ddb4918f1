import D2L
import Foundation
import Tensor

/// The chapter's command line: sections `basics` (§3.1), `scratch` (§3.2) and `concise` (§3.3);
/// `--model` picks among the two training sections too.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter02-LinearRegression",
        overview: "Linear regression (book §3.1–3.3): from scratch, then with the NN library, on synthetic data "
            + "y = Xw + b + ε with w = [2, −3.4], b = 4.2.",
        sections: [("basics", "§3.1 vectorisation timing and the normal distribution figure"),
                   ("scratch", "§3.2 linear regression from scratch"),
                   ("concise", "§3.3 linear regression with Sequential(Linear), MSELoss, SGD")])
    command.training(epochs: 3, lr: 0.03, batchSize: 10)
    command.exercises { p in
        p.int("examples", default: 1000, help: "synthetic examples", check: .within(1...1_000_000))
    }
    return command
}

/// Runs the selected sections (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) throws {
    o.section("basics") {
        print("§3.1 Vectorization for speed")
        vectorizationDemo()
        if let url = Figures.saveOrWarn("normal distributions", {
            try plotNormalDistributions(file: o.figureName("basics", "normal-distributions"))
        }) { print("saved \(url.path)") }
    }
    for model in ModelVersion.allCases where o.trains(model) {
        try o.section(model.rawValue) { try runLinearRegression(model, o) }
    }
}
