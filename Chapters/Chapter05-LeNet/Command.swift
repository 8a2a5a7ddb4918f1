import D2L
import Tensor

/// The chapter's command line: sections `demos` (§6.2–6.5) and `lenet` (§6.6), the training
/// options with the book's values, and the exercise knobs of `Exercises.swift`.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter05-LeNet",
        overview: "Convolutional neural networks (book §6.2–6.6): convolution, padding and stride, channels and "
            + "pooling from scratch, then LeNet trained on Fashion-MNIST, from scratch and concise.",
        sections: [("demos", "§6.2–6.5: corr2d, edge detection, learning a kernel, padding/stride, channels, pooling"),
                   ("lenet", "§6.6: LeNet (layer shapes, training with trainCh6)")])
    command.training(epochs: 10, lr: 0.9, batchSize: 256)
    command.exercises(declareExerciseOptions)
    return command
}

/// Runs the selected sections (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) throws {
    let exercise = try LeNetExercise(o.parsed)
    o.section("demos") { runScratchDemos() }
    try o.section("lenet") {
        try o.forEachModel { model in try runLeNet(model, o, exercise: exercise) }
    }
}
