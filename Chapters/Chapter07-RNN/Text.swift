import D2L
import Foundation
import Tensor

// §8.2 Text preprocessing and §8.3 language models and their data: the Time Machine as lines,
// tokens, a vocabulary and a corpus; word frequencies (Zipf's law); the two ways to cut a long
// sequence into minibatches.

/// `[('<unk>', 0), ('the', 1), …]` for the first `n` entries of a vocabulary.
func vocabHead(_ vocab: Vocab, _ n: Int) -> String {
    "[" + vocab.idxToToken.prefix(n).enumerated().map { "('\($1)', \($0))" }.joined(separator: ", ") + "]"
}

/// §8.2: the lines, word tokens, vocabulary and character corpus of The Time Machine.
func runText(_ o: ChapterOptions, report: Reporting = Reporting()) throws {
    report.say("\n§8.2 text preprocessing")
    let lines = try readTimeMachine()
    report.say("# text lines: \(lines.count)")
    report.say(lines[0])
    report.say(lines[10])
    let tokens = tokenize(lines)
    for line in tokens.prefix(11) { report.say("[" + line.map { "'\($0)'" }.joined(separator: ", ") + "]") }
    let vocab = Vocab(tokens: tokens)
    report.say(vocabHead(vocab, 10))
    for i in [0, 10] {
        report.say("words: [" + tokens[i].map { "'\($0)'" }.joined(separator: ", ") + "]")
        report.say("indices: \(vocab[tokens[i]])")
    }
    let (corpus, charVocab) = try loadCorpusTimeMachine()
    report.say("load_corpus_time_machine(): (\(corpus.count), \(charVocab.count))")
    report.say(BookResult("3221 lines; vocab head ('<unk>', 0), ('the', 1), ('i', 2), ('and', 3), ('of', 4), …; "
                          + "tokens[0] → [1, 19, 50, 40, 2183, 2184, 400]; (170580, 28)").line)
}

/// The `n`-grams of a token list, each joined with spaces.
func ngrams(_ tokens: [String], _ n: Int) -> [String] {
    guard tokens.count >= n else { return [] }
    return (0...(tokens.count - n)).map { tokens[$0..<($0 + n)].joined(separator: " ") }
}

/// The points of a frequency-against-rank curve (rank from 1) for a log-log plot: every rank up
/// to 100, then about 100 per decade, always keeping a rank where the frequency changes (the
/// curve's steps), so the figure keeps its shape without tens of thousands of points.
func zipfPoints(_ freqs: [Double]) -> (rank: [Double], freq: [Double]) {
    var rank: [Double] = [], freq: [Double] = []
    var lastLog = -Double.infinity
    for (i, f) in freqs.enumerated() {
        let r = Double(i + 1), l = Foundation.log10(r)
        let stepChange = i > 0 && f != freqs[i - 1]
        if i < 100 || l - lastLog >= 0.01 || stepChange || i == freqs.count - 1 {
            rank.append(r)
            freq.append(f)
            lastLog = l
        }
    }
    return (rank, freq)
}

/// `the 2261, i 1267, …` or `(of, the) 309, …` for the most frequent `k` tokens.
func topFrequencies(_ vocab: Vocab, _ k: Int) -> String {
    vocab.tokenFreqs.prefix(k).map { t in
        (t.token.contains(" ") ? "(" + t.token.split(separator: " ").joined(separator: ", ") + ")" : t.token) + " \(t.freq)"
    }.joined(separator: ", ")
}

/// §8.3: unigram, bigram and trigram frequencies of the word corpus, the Zipf log-log figure,
/// and the two minibatch iterators on the toy sequence 0…34.
func runLanguageModelData(_ o: ChapterOptions, report: Reporting = Reporting()) throws {
    report.say("\n§8.3 language models and the data set")
    let corpus = tokenize(try readTimeMachine()).flatMap { $0 }
    let vocab = Vocab(tokens: corpus)
    let bigramVocab = Vocab(tokens: ngrams(corpus, 2)), trigramVocab = Vocab(tokens: ngrams(corpus, 3))
    report.say("unigrams: " + topFrequencies(vocab, 10))
    report.say("bigrams: " + topFrequencies(bigramVocab, 10))
    report.say("trigrams: " + topFrequencies(trigramVocab, 10))
    report.say(BookResult("the 2261, i 1267, and 1245, of 1155, a 816, …; (of, the) 309, (in, the) 169, (i, had) 130, …; "
                          + "(the, time, traveller) 59, (the, time, machine) 30, (the, medical, man) 24").line)
    let curves = [vocab, bigramVocab, trigramVocab].map { zipfPoints($0.tokenFreqs.map { Double($0.freq) }) }
    let name = o.figureName("language-model", "zipf")
    if let url = Figures.saveOrWarn(name, warnings: report.warnings, {
        try plot(xs: curves.map(\.rank), ys: curves.map(\.freq), xlabel: "token: x", ylabel: "frequency: n(x)",
                 legend: ["unigram", "bigram", "trigram"], xscale: .log, yscale: .log, file: name)
    }) {
        report.say("saved \(url.path)")
    }
    // §8.3.4 on the toy sequence 0…34, batch 2, 5 steps.
    let mySeq = Array(0..<35)
    var g = SeededGenerator(seed: o.seed)
    for (title, batches) in [("seq_data_iter_random", seqDataIterRandom(mySeq, batchSize: 2, numSteps: 5, generator: &g)),
                             ("seq_data_iter_sequential", seqDataIterSequential(mySeq, batchSize: 2, numSteps: 5, generator: &g))] {
        report.say(title + ":")
        for (X, Y) in batches {
            report.say("X: \(rows(X))  Y: \(rows(Y))")
        }
    }
}

/// `[[0, 1, 2], [3, 4, 5]]` for a (B, T) tensor of ids.
func rows(_ t: Tensor) -> String {
    let n = t.shape[1]
    return "[" + (0..<t.shape[0]).map { r in
        "[" + (0..<n).map { String(Int(t.scalars[r * n + $0])) }.joined(separator: ", ") + "]"
    }.joined(separator: ", ") + "]"
}
