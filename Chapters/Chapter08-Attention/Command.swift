import D2L

/// The chapter's command line: one section per book section, the training options with the
/// book's values (5 epochs, lr 0.5 for Nadaraya–Watson; 250 epochs, Adam lr 0.005, batch 64
/// for Bahdanau).
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter08-Attention",
        overview: "Attention mechanisms (book §10.1–10.6): attention cues, Nadaraya–Watson kernel "
            + "regression, scoring functions, Bahdanau attention (an attention decoder translating English to "
            + "French), multi-head attention, self-attention and positional encoding, from scratch and concise (--model).",
        sections: [("cues", "§10.1 the identity attention heat map"),
                   ("nadaraya-watson", "§10.2 average pooling, non-parametric and parametric kernel regression"),
                   ("scoring", "§10.3 masked softmax, additive and scaled dot-product attention"),
                   ("bahdanau", "§10.4 Bahdanau attention: a GRU encoder–decoder with additive attention on fra-eng; BLEU; heat map"),
                   ("multihead", "§10.5 multi-head attention on the toy input"),
                   ("self-attention", "§10.6 self-attention and positional encoding")])
    command.training(epochs: .perSection(5, "5; 250 for bahdanau"),
                     lr: .perSection(0.5, "0.5; 0.005 (Adam) for bahdanau"),
                     batchSize: .perSection(50, "50; 64 for bahdanau"))
    command.exercises(outputOnly: ["no-figures"]) { p in
        p.flag("no-figures", help: "do not write SVG figures")
    }
    return command
}

/// Runs the selected sections, each reseeded with `--seed`.
func runChapter(_ o: ChapterOptions) throws {
    let log = TextOutput.standardOutput, figures = !o.parsed.flag("no-figures")
    o.section("cues") { runCues(log: log, figures: figures); print("") }
    o.section("nadaraya-watson") {
        runNadarayaWatson(log: log, figures: figures, epochs: o.epochs(book: 5), lr: o.lr(book: 0.5)); print("")
    }
    o.section("scoring") { runScoring(log: log, figures: figures, models: o.models); print("") }
    try o.section("bahdanau") { try runBahdanau(o); print("") }
    o.section("multihead") { runMultihead(log: log, models: o.models, selfAttention: false); print("") }
    o.section("self-attention") {
        runMultihead(log: log, models: o.models, selfAttention: true)
        runPositionalEncoding(log: log, figures: figures, models: o.models)
        print("")
    }
}
