/// Book §8.2 `Vocab`: maps tokens to indices and back.
///
/// Index 0 is `<unk>` (unknown tokens map to it), then `reservedTokens` in order, then the
/// remaining tokens with frequency ≥ `minFreq` by descending frequency; equal frequencies keep
/// the order in which the tokens first appear (Python's `Counter` insertion order + stable sort).
public struct Vocab {
    /// (token, frequency) sorted by descending frequency, ties in first-seen order.
    public let tokenFreqs: [(token: String, freq: Int)]
    public let idxToToken: [String]
    let tokenToIdx: [String: Int]

    /// - Parameter tokens: a flat list of tokens (use `tokens.flatMap { $0 }` for lines).
    public init(tokens: [String] = [], minFreq: Int = 0, reservedTokens: [String] = []) {
        let counts = countCorpus(tokens)
        tokenFreqs = counts.counts.enumerated()
            .sorted { a, b in a.element.freq != b.element.freq ? a.element.freq > b.element.freq : a.offset < b.offset }
            .map { $0.element }
        var idx = ["<unk>"] + reservedTokens
        var map: [String: Int] = [:]
        for (i, t) in idx.enumerated() where map[t] == nil { map[t] = i }
        for (token, freq) in tokenFreqs {
            if freq < minFreq { break }
            if map[token] == nil { map[token] = idx.count; idx.append(token) }
        }
        idxToToken = idx; tokenToIdx = map
    }

    /// Convenience for lists of lines of tokens.
    public init(tokens lines: [[String]], minFreq: Int = 0, reservedTokens: [String] = []) {
        self.init(tokens: lines.flatMap { $0 }, minFreq: minFreq, reservedTokens: reservedTokens)
    }

    public var count: Int { idxToToken.count }
    /// Index of the unknown token (0).
    public var unk: Int { 0 }

    public subscript(token: String) -> Int { tokenToIdx[token] ?? unk }
    public subscript(tokens: [String]) -> [Int] { tokens.map { self[$0] } }

    /// The token of `index` (stops with the index and the vocabulary size when out of range).
    public func toTokens(_ index: Int, file: StaticString = #fileID, line: UInt = #line) -> String {
        if !idxToToken.indices.contains(index) {
            fatalError("Vocab.toTokens: index \(index) outside 0..<\(idxToToken.count)", file: file, line: line)
        }
        return idxToToken[index]
    }
    public func toTokens(_ indices: [Int], file: StaticString = #fileID, line: UInt = #line) -> [String] {
        indices.map { toTokens($0, file: file, line: line) }
    }
}

/// Book §8.2 `count_corpus`: token frequencies in first-seen order (Python `Counter`).
public struct TokenCounts {
    public private(set) var counts: [(token: String, freq: Int)] = []
    var position: [String: Int] = [:]

    public subscript(token: String) -> Int { position[token].map { counts[$0].freq } ?? 0 }

    mutating func add(_ token: String) {
        if let p = position[token] { counts[p].freq += 1 } else { position[token] = counts.count; counts.append((token, 1)) }
    }

    /// The `k` most frequent (ties in first-seen order), like `Counter.most_common(k)`.
    public func mostCommon(_ k: Int? = nil) -> [(token: String, freq: Int)] {
        let sorted = counts.enumerated()
            .sorted { a, b in a.element.freq != b.element.freq ? a.element.freq > b.element.freq : a.offset < b.offset }
            .map { $0.element }
        return Array(sorted.prefix(k ?? sorted.count))
    }
}

public func countCorpus(_ tokens: [String]) -> TokenCounts {
    var c = TokenCounts()
    for t in tokens { c.add(t) }
    return c
}

public func countCorpus(_ lines: [[String]]) -> TokenCounts { countCorpus(lines.flatMap { $0 }) }
