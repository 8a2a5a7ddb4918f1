import D2L

/// The chapter's command line: five sections (`mlp` by default), the training options with
/// each section's book values as defaults, `--model` for the sections with both versions.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter04-MLP",
        overview: "Multilayer perceptrons (book chapter 4): activations, the MLP from scratch and concise, "
            + "under- and overfitting, weight decay, dropout.",
        sections: [("mlp", "§4.2–4.3 MLP from scratch and concise"),
                   ("activations", "§4.1 ReLU, sigmoid, tanh and their gradients (figures)"),
                   ("polynomial", "§4.4 polynomial fits: normal, underfitting, overfitting"),
                   ("weight-decay", "§4.5 weight decay, scratch and concise, λ = 0 and 3"),
                   ("dropout", "§4.6 dropout MLP, scratch and concise")],
        defaults: ["mlp"])
    command.training(epochs: .perSection(10, "book value: mlp, dropout 10; weight-decay 100; polynomial 400, 1500"),
                     lr: .perSection(0.1, "book value: mlp 0.1; dropout 0.5; weight-decay 0.003; polynomial 0.01"),
                     batchSize: .perSection(256, "book value: mlp, dropout 256; weight-decay 5; polynomial 10"))
    return command
}

/// Runs the selected sections (each reseeded with `--seed`; each version too).
func runChapter(_ o: ChapterOptions) throws {
    o.section("activations") {
        for url in plotActivations(prefix: o.figureName("activations")) { print("saved \(url.path)") }
        print("")
    }
    try o.section("mlp") { try o.forEachModel { try runMLP($0, o); print("") } }
    try o.section("dropout") { try o.forEachModel { try runDropout($0, o); print("") } }
    try o.section("polynomial") { try runPolynomial(o); print("") }
    try o.section("weight-decay") { try o.forEachModel { try runWeightDecay($0, o); print("") } }
}
