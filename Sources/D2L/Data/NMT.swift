import Tensor

/// Book §9.5 `read_data_nmt`: the English–French pairs file (`fra-eng/fra.txt`), one
/// `English<TAB>French` pair per line.
public func readDataNMT(hub: DataHub = .shared) throws -> String {
    try hub.readText(.fraEng)
}

/// Book §9.5 `preprocess_nmt`: no-break spaces (U+202F, U+00A0) → space, lowercase, and a
/// space inserted before `,` `.` `!` `?` when the previous character is not a space.
public func preprocessNMT(_ text: String) -> String {
    // Works on UTF-8 bytes (the file is 11 MB); only non-ASCII scalars take the slow path.
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
    var previous: UInt8 = 0  // last byte written (only compared with the ASCII space)
    for scalar in text.unicodeScalars {
        let v = scalar.value
        if v < 0x80 {
            var b = UInt8(v)
            if b >= 65 && b <= 90 { b += 32 }
            if (b == 44 || b == 46 || b == 33 || b == 63) && !out.isEmpty && previous != 32 { out.append(32) }
            out.append(b)
            previous = b
        } else if v == 0x202F || v == 0x00A0 {
            out.append(32); previous = 32
        } else {
            let lower = scalar.properties.lowercaseMapping
            out.append(contentsOf: lower.utf8)
            previous = out[out.count - 1]
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// Book §9.5 `tokenize_nmt`: splits each line at the tab into source and target and each side
/// at single spaces (`split(' ')`, so doubled spaces give empty tokens, as in the book).
/// Lines without exactly one tab are skipped.
///
/// Like the book's loop (`if num_examples and i > num_examples: break`), this reads lines
/// 0…numExamples, i.e. **numExamples + 1** lines: 600 gives 601 lines. `nil` reads all.
public func tokenizeNMT(_ text: String, numExamples: Int? = nil) -> (source: [[String]], target: [[String]]) {
    var source: [[String]] = [], target: [[String]] = []
    var text = text
    text.withUTF8 { bytes in
        let n = bytes.count
        var lineStart = 0, i = 0
        while lineStart <= n {
            if let limit = numExamples, limit > 0, i > limit { break }
            var lineEnd = lineStart
            while lineEnd < n && bytes[lineEnd] != 10 { lineEnd += 1 }
            var tabs: [Int] = []
            for k in lineStart..<lineEnd where bytes[k] == 9 { tabs.append(k) }
            if tabs.count == 1 {
                source.append(splitSpaces(bytes, lineStart, tabs[0]))
                target.append(splitSpaces(bytes, tabs[0] + 1, lineEnd))
            }
            lineStart = lineEnd + 1; i += 1
        }
    }
    return (source, target)
}

/// `s.split(' ')` of bytes[start..<end]: one token per single space, empty tokens kept.
func splitSpaces(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> [String] {
    var tokens: [String] = []
    var t = start
    for k in start...end where k == end || bytes[k] == 32 {
        tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[t..<k]), as: UTF8.self))
        t = k + 1
    }
    return tokens
}

/// Book §9.5 `truncate_pad`: cut `line` to `numSteps` tokens or pad it with `paddingToken`.
/// `numSteps` must not be negative (stops with the op and the value otherwise).
public func truncatePad(_ line: [Int], _ numSteps: Int, _ paddingToken: Int,
                        file: StaticString = #fileID, line callerLine: UInt = #line) -> [Int] {
    shapeCheck(numSteps >= 0, "truncatePad: numSteps must not be negative, got \(numSteps)", file: file, line: callerLine)
    return line.count > numSteps ? Array(line[..<numSteps]) : line + Array(repeating: paddingToken, count: numSteps - line.count)
}

/// Book §9.5 `build_array_nmt`: token indices + `<eos>`, truncated/padded to numSteps, as a
/// (n, numSteps) tensor, and the valid lengths (number of non-`<pad>` tokens) as (n,).
public func buildArrayNMT(_ lines: [[String]], vocab: Vocab, numSteps: Int) -> (array: Tensor, validLen: Tensor) {
    let pad = vocab["<pad>"], eos = vocab["<eos>"]
    var array: [Float] = [], valid: [Float] = []
    array.reserveCapacity(lines.count * numSteps)
    for line in lines {
        let row = truncatePad(vocab[line] + [eos], numSteps, pad)
        array += row.map(Float.init)
        valid.append(Float(row.filter { $0 != pad }.count))
    }
    return (Tensor(shape: [lines.count, numSteps], scalars: array), Tensor(shape: [lines.count], scalars: valid))
}

/// Batches of source X (B, T), its valid lengths (B,), target Y (B, T) and its valid lengths.
public typealias NMTBatch = (X: Tensor, XValidLen: Tensor, Y: Tensor, YValidLen: Tensor)
public typealias NMTDataIterator = BatchIterator<NMTBatch>

/// Book §9.5 `load_data_nmt(batch_size, num_steps, num_examples=600)`: shuffled minibatches of
/// (X, X_valid_len, Y, Y_valid_len) and the source and target vocabularies (min frequency 2,
/// reserved `<pad>`=1, `<bos>`=2, `<eos>`=3 after `<unk>`=0).
public func loadDataNMT(batchSize: Int, numSteps: Int, numExamples: Int = 600, hub: DataHub = .shared,
                        seed: UInt64? = nil) throws -> (iterator: NMTDataIterator, srcVocab: Vocab, tgtVocab: Vocab) {
    let text = preprocessNMT(try readDataNMT(hub: hub))
    let (source, target) = tokenizeNMT(text, numExamples: numExamples)
    let reserved = ["<pad>", "<bos>", "<eos>"]
    let srcVocab = Vocab(tokens: source, minFreq: 2, reservedTokens: reserved)
    let tgtVocab = Vocab(tokens: target, minFreq: 2, reservedTokens: reserved)
    let (srcArray, srcValid) = buildArrayNMT(source, vocab: srcVocab, numSteps: numSteps)
    let (tgtArray, tgtValid) = buildArrayNMT(target, vocab: tgtVocab, numSteps: numSteps)
    let iterator = NMTDataIterator(numExamples: source.count, batchSize: batchSize, shuffle: true, seed: seed) { idx in
        (gatherRows(srcArray, idx), gatherRows(srcValid, idx), gatherRows(tgtArray, idx), gatherRows(tgtValid, idx))
    }
    return (iterator, srcVocab, tgtVocab)
}
