import D2L
import Tensor

/// The chapter's command line: one section per book section, the training options (each
/// section's own defaults), `--book` for the book's full settings, `--train-size` and `--resize`.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter06-ModernCNN",
        overview: "Modern convolutional networks (book §7.1–7.7) on Fashion-MNIST. Each section prints the book's "
            + "layer-by-layer shapes, then trains with trainCh6. By default a quick configuration (a smaller "
            + "image size where the architecture allows, a training subset, fewer epochs; the same network) that "
            + "runs in a few minutes on a laptop CPU; --book runs the book's settings (hours for most models).",
        sections: modelSections.map { ($0.name, $0.title) })
    command.training(epochs: .perSection(10, "each section's configuration (see --book)"),
                     lr: .perSection(0.05, "each section's configuration"),
                     batchSize: .perSection(256, "each section's configuration"))
    command.exercises { p in
        p.flag("book", help: "the book's settings: resize 224 (AlexNet, VGG, NiN) or 96 (GoogLeNet, ResNet, "
               + "DenseNet), all 60000 training images, batch 128/256, 10 epochs")
        p.int("train-size", default: 0, help: "train on the first N training images (0: the configuration's)",
              check: .within(0...60_000))
        p.flag("he-init", help: "He (Kaiming) uniform weights instead of Xavier (the quick configurations of "
               + "AlexNet, VGG, NiN and GoogLeNet use them)")
        p.flag("cosine-lr", help: "decay the learning rate to 0 along a cosine over the run's steps (the quick "
               + "configurations of ResNet, DenseNet, GoogLeNet, AlexNet, VGG and NiN use it)")
        p.int("warmup", default: 0, help: "with the cosine decay, first raise the rate linearly over this many "
              + "steps (turns --cosine-lr on; 0: the configuration's)", check: .nonNegative)
        p.int("resize", default: 0, help: "image side after resizing (0: the configuration's)",
              check: .within(0...512))
    }
    return command
}

/// Runs the selected sections in the book's order (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) throws {
    let book = o.parsed.flag("book")
    print(book ? "Configuration: the book's (--book): full training set, book image sizes, batch sizes and epochs."
               : "Configuration: quick (each section's few-minute settings below; --book runs the book's; "
                 + "batch-norm always runs the book's).")
    for section in modelSections {
        try o.section(section.name) { try runModelSection(section, o) }
    }
}
