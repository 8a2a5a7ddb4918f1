import Tensor

/// Book §8.2 `read_time_machine`: the lines of *The Time Machine*, each with every run of
/// non-letters replaced by one space (`re.sub('[^A-Za-z]+', ' ', line)`), trimmed and
/// lowercased. Empty lines are kept (3,221 lines).
public func readTimeMachine(hub: DataHub = .shared) throws -> [String] {
    timeMachineLines(try hub.readText(.timeMachine))
}

/// The parsing half of `readTimeMachine`: `text` split into lines as Python's `readlines()`
/// does, each cleaned (letters only, lowercased, runs of other characters → one space).
public func timeMachineLines(_ text: String) -> [String] {
    // Python's text mode splits lines at \n, \r\n and \r.
    let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { cleanLine($0) }
    if normalized.hasSuffix("\n") { lines.removeLast() }  // readlines() has no empty last line
    return lines
}

func cleanLine(_ line: Substring) -> String {
    var out: [UInt8] = []
    var pendingSpace = false
    for scalar in line.unicodeScalars {
        let v = scalar.value
        let isUpper = v >= 65 && v <= 90, isLower = v >= 97 && v <= 122
        if isUpper || isLower {
            if pendingSpace && !out.isEmpty { out.append(32) }  // strip(): no leading space
            pendingSpace = false
            out.append(UInt8(isUpper ? v + 32 : v))
        } else {
            pendingSpace = true  // a trailing run is dropped (strip())
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Token granularity for `tokenize`.
public enum TokenKind { case word, char }

/// Book §8.2 `tokenize`: words (`line.split()`: runs of whitespace) or characters per line.
public func tokenize(_ lines: [String], token: TokenKind = .word) -> [[String]] {
    switch token {
    case .word: return lines.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init) }
    case .char: return lines.map { $0.map { String($0) } }
    }
}

/// Book §8.2 `load_corpus_time_machine(max_tokens=-1)`: character indices of the whole book
/// (or the first `maxTokens`) and the character vocabulary (28 tokens).
public func loadCorpusTimeMachine(maxTokens: Int = -1, hub: DataHub = .shared) throws -> (corpus: [Int], vocab: Vocab) {
    let tokens = tokenize(try readTimeMachine(hub: hub), token: .char)
    let vocab = Vocab(tokens: tokens)
    var corpus = tokens.flatMap { vocab[$0] }
    if maxTokens > 0 && corpus.count > maxTokens { corpus = Array(corpus[..<maxTokens]) }
    return (corpus, vocab)
}
