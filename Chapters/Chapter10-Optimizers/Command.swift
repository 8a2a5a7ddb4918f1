import D2L

/// The chapter's command line: one section per book section §11.1–11.11 (no section: all),
/// the training options with the book's values per run, `--book` for §11.11's full runs.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter10-Optimizers",
        overview: "Optimization algorithms (book chapter 11): GD, SGD, minibatch SGD, momentum, AdaGrad, RMSProp, "
            + "Adadelta, Adam, Yogi, learning-rate schedules. The airfoil sections train each algorithm from scratch "
            + "and concise (--model); the toy demonstrations run with either.",
        sections: [("intro", "§11.1 local minima, saddle points, vanishing gradients (figures)"),
                   ("convexity", "§11.2 convex and non-convex functions (figures)"),
                   ("gd", "§11.3 gradient descent, 1-D and 2-D traces, Newton's method"),
                   ("sgd", "§11.4 stochastic gradient descent with constant, exponential and polynomial rates"),
                   ("minibatch-sgd", "§11.5 matrix-product timing; GD, SGD and minibatch SGD on the airfoil data"),
                   ("momentum", "§11.6 momentum"),
                   ("adagrad", "§11.7 AdaGrad"),
                   ("rmsprop", "§11.8 RMSProp"),
                   ("adadelta", "§11.9 Adadelta"),
                   ("adam", "§11.10 Adam and Yogi"),
                   ("lr-scheduler", "§11.11 learning-rate schedules on Fashion-MNIST (concise only)")])
    command.training(epochs: .perSection(2, "book value: airfoil 2 scratch, 4 concise (minibatch-sgd gd 10); lr-scheduler 30"),
                     lr: .perSection(0.01, "book value of each run, e.g. momentum 0.02, 0.01, 0.005; lr-scheduler 0.3"),
                     batchSize: .perSection(10, "book value: airfoil 10 (minibatch-sgd 1500, 1, 100, 10); lr-scheduler 256"))
    command.parser.describeDefault("max-batches", "airfoil all; lr-scheduler 24 (all with --book)")
    command.exercises(outputOnly: ["no-figures"]) { p in
        p.flag("book", help: "lr-scheduler: the book's 30 epochs over all 60,000 images (minutes) instead of the quick default")
        p.flag("no-figures", help: "do not write SVG figures")
    }
    return command
}

/// Runs the selected sections, each reseeded with `--seed` (each airfoil run too).
func runChapter(_ o: ChapterOptions) throws {
    let log = TextOutput.standardOutput, figures = !o.parsed.flag("no-figures")
    o.section("intro") { runIntro(log: log, figures: figures); print("") }
    o.section("convexity") { runConvexity(log: log, figures: figures); print("") }
    o.section("gd") { runGD(log: log, figures: figures); print("") }
    o.section("sgd") { runSGD(log: log, figures: figures); print("") }
    try o.section("minibatch-sgd") { try runMinibatchSGD(o); print("") }
    try o.section("momentum") { try runMomentum(o); print("") }
    try o.section("adagrad") { try runAdagrad(o); print("") }
    try o.section("rmsprop") { try runRMSprop(o); print("") }
    try o.section("adadelta") { try runAdadelta(o); print("") }
    try o.section("adam") { try runAdam(o); print("") }
    try o.section("lr-scheduler") { try runLRScheduler(o); print("") }
}
