import D2L
import Tensor

/// The chapter's command line: one section per language model, the training options with the
/// book's values (batch 32, 35 steps, 500 epochs, lr 1 — 2 for the deep LSTM —, θ = 1), and
/// the language-model knobs `--hidden`, `--num-steps`, `--random-iter`, `--clip`.
func chapterCommand() -> ChapterCommand {
    var command = ChapterCommand(
        program: "Chapter07-RNN",
        overview: "Recurrent neural networks (book §8.1–8.6, §9.1–9.8): sequence models, text, and character-level language models of "
            + "The Time Machine — RNN, GRU and LSTM from scratch and concise, a deep and a bidirectional LSTM — then machine "
            + "translation with a GRU encoder–decoder, BLEU, greedy and beam search.",
        sections: [("sequence", "§8.1 an autoregressive MLP on a noisy sine; 1-, 4-, 16-, 64-step-ahead predictions"),
                   ("text", "§8.2 text preprocessing: lines, tokens, vocabulary, corpus"),
                   ("language-model", "§8.3 word frequencies (Zipf's law), random and sequential minibatches"),
                   ("rnn", "§8.5 RNN from scratch, §8.6 concise (nn.RNN)"),
                   ("gru", "§9.1 gated recurrent units, scratch and concise"),
                   ("lstm", "§9.2 long short-term memory, scratch and concise"),
                   ("deep-rnn", "§9.3 a two-layer LSTM (concise)"),
                   ("bi-rnn", "§9.4 a bidirectional two-layer LSTM (concise), and why it cannot predict"),
                   ("mt-data", "§9.5 the English–French data set: tokens, lengths, vocabulary, minibatches"),
                   ("seq2seq", "§9.6–9.8 a GRU encoder–decoder translating English to French; BLEU; greedy and beam search")])
    command.training(epochs: .perSection(500, "500; 5 for sequence, 300 for seq2seq"),
                     lr: .perSection(1, "1; 2 for deep-rnn, 0.01 (Adam) for sequence, 0.005 (Adam) for seq2seq"),
                     batchSize: .perSection(32, "32; 16 for sequence, 64 for seq2seq"))
    command.exercises { p in
        p.int("hidden", default: 256, help: "hidden units", check: .within(1...65_536))
        p.describeDefault("hidden", "the book's: 512 for the scratch RNN, 32 for seq2seq, 256 otherwise")
        p.int("num-steps", default: 35, help: "time steps per minibatch", check: .within(1...100_000))
        p.describeDefault("num-steps", "35; 10 for seq2seq")
        p.int("beam", default: 3, help: "seq2seq: also translate with beam search of this width (1: greedy only)",
              check: .within(1...1000))
        p.flag("random-iter", help: "random sampling instead of sequential partitioning (book §8.3)")
        p.float("clip", default: 1, help: "gradient clipping threshold θ", check: .positive)
    }
    return command
}

/// Runs the selected sections (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) throws {
    try o.section("sequence") { try runSequence(o) }
    try o.section("text") { try runText(o) }
    try o.section("language-model") { try runLanguageModelData(o) }
    try o.section("mt-data") { try runMachineTranslationData(o) }
    for run in languageModelRuns {
        try o.section(run.section) {
            for model in run.models where o.trains(model) {
                o.reseed()
                try runLanguageModel(run, model, o)
            }
            if !run.models.contains(where: o.trains) {
                print("\n\(run.title): the book trains only the concise model; run with --model concise or both")
            }
        }
    }
    try o.section("seq2seq") { o.reseed(); try runSeq2seq(o) }
}
