import Foundation

/// BLEU of a predicted sequence against one label sequence (book §9.7.4, `bleu`): tokens are the
/// space-separated words, and
///
/// `exp(min(0, 1 − len_label / len_pred)) · Π_{n=1…k} p_n^(1/2ⁿ)`,
///
/// where `p_n` is the fraction of the prediction's n-grams that match the label's, each label
/// n-gram matching at most as often as it occurs (clipped counts). The first factor penalises
/// short predictions; the weights `1/2ⁿ` make longer n-gram matches count more. A perfect
/// prediction scores 1. The book uses `k = 2`. A prediction shorter than `n` tokens has no
/// n-grams and scores 0.
///
/// ```swift
/// bleu(predSeq: "il est calme .", labelSeq: "il est riche .", k: 2)   // 0.658
/// ```
public func bleu(predSeq: String, labelSeq: String, k: Int) -> Double {
    let pred = predSeq.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    let label = labelSeq.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    let (lenPred, lenLabel) = (pred.count, label.count)
    var score = Foundation.exp(min(0, 1 - Double(lenLabel) / Double(lenPred)))
    for n in 1...max(k, 1) {
        guard lenPred >= n else { return 0 }
        var labelSubs: [ArraySlice<String>: Int] = [:]
        if lenLabel >= n {
            for i in 0...(lenLabel - n) { labelSubs[label[i..<(i + n)], default: 0] += 1 }
        }
        var matches = 0
        for i in 0...(lenPred - n) {
            let gram = pred[i..<(i + n)]
            if let c = labelSubs[gram], c > 0 {
                matches += 1
                labelSubs[gram] = c - 1
            }
        }
        score *= Foundation.pow(Double(matches) / Double(lenPred - n + 1), Foundation.pow(0.5, Double(n)))
    }
    return score
}
