import D2L

/// The chapter's command line: one section per part of the chapter, the training options with the
/// book's values (Transformer: 200 epochs, Adam lr 0.005, batch 64; ViT: quick configuration by
/// default, `--book` for the book's), `--norm-first` for the pre-LN exercise. The Transformer
/// sections train the book's scratch blocks unless `--model` is given (`concise`: the library's
/// `TransformerEncoderLayer`/`TransformerDecoderLayer`; `both`).
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter09-Transformer",
        overview: "The Transformer (book §10.7): an encoder–decoder of attention blocks translating English to "
            + "French; the exercise of swapping layer normalisation and the residual connection (post-LN as in "
            + "the book vs pre-LN); and a Vision Transformer on Fashion-MNIST, from scratch and concise (--model).",
        sections: [("transformer", "§10.7 the Transformer on fra-eng: shape checks, training, BLEU, attention heat maps"),
                   ("norm-order", "exercise: post-LN (the book) vs pre-LN (--norm-first) trained side by side"),
                   ("vit", "Transformers for vision: a ViT on Fashion-MNIST (quick by default; --book)")])
    command.training(epochs: .perSection(200, "200 for transformer and norm-order; the configuration's for vit"),
                     lr: .perSection(0.005, "0.005 (Adam) for transformer; the configuration's for vit"),
                     batchSize: .perSection(64, "64 for transformer; the configuration's for vit"))
    command.exercises(outputOnly: ["no-figures"]) { p in
        p.flag("no-figures", help: "do not write SVG figures")
        p.flag("norm-first", help: "transformer: pre-LN blocks, x + sublayer(LN(x)) and a final LayerNorm (norm-order trains both)")
        p.flag("book", help: "vit: the book's configuration (image 96, patch 16, d 512, 10 epochs; hours on a CPU)")
        p.int("train-size", default: 0, help: "vit: train on the first N training images (0: the configuration's)",
              check: .within(0...60_000))
    }
    return command
}

/// Runs the selected sections, each reseeded with `--seed`.
func runChapter(_ o: ChapterOptions) throws {
    try o.section("transformer") { try runTransformer(o); print("") }
    try o.section("norm-order") { try runNormOrder(o); print("") }
    try o.section("vit") { try runViT(o); print("") }
}
