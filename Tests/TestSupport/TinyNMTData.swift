import D2L
import Tensor

/// A few of the book's sentence pairs (§9.5) as one unshuffled batch, for short seq2seq and
/// attention runs that need no data set: vocabularies with the book's reserved tokens
/// (`<pad>`, `<bos>`, `<eos>`), sequences `<eos>`-terminated and padded to `numSteps`.
public func tinyNMTData(_ pairs: [(source: String, target: String)], numSteps: Int = 10)
    -> (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab) {
    let reserved = ["<pad>", "<bos>", "<eos>"]
    let source = pairs.map { $0.source.split(separator: " ").map(String.init) }
    let target = pairs.map { $0.target.split(separator: " ").map(String.init) }
    let srcVocab = Vocab(tokens: source, reservedTokens: reserved)
    let tgtVocab = Vocab(tokens: target, reservedTokens: reserved)
    let (srcArray, srcValid) = buildArrayNMT(source, vocab: srcVocab, numSteps: numSteps)
    let (tgtArray, tgtValid) = buildArrayNMT(target, vocab: tgtVocab, numSteps: numSteps)
    let iterator = NMTDataIterator(numExamples: pairs.count, batchSize: pairs.count, shuffle: false) { _ in
        (srcArray, srcValid, tgtArray, tgtValid)
    }
    return (iterator, srcVocab, tgtVocab)
}

/// The four sentences the book translates after training (§9.7, §10.4, §10.7).
public let bookNMTPairs: [(source: String, target: String)] = [
    ("go .", "va !"), ("i lost .", "j'ai perdu ."), ("he's calm .", "il est calme ."), ("i'm home .", "je suis chez moi ."),
]
