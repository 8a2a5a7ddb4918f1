import NN
import Tensor

/// Classification metrics shared by every chapter (book §3.6.5).

/// The number of correct predictions in a batch (the book's `accuracy` returns a count, not a
/// fraction, so an `Accumulator` can add counts over batches). `yHat` holds scores
/// `(n, classes)` (the argmax over axis 1 is the prediction) or predicted labels `(n,)`;
/// `y` holds the true labels `(n,)` as Float values.
public func accuracy(_ yHat: Tensor, _ y: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Double {
    let predicted = yHat.rank > 1 && yHat.shape[1] > 1 ? yHat.argmaxIndices(axis: 1, file: file, line: line)
                                                        : classIndices(yHat)
    let truth = classIndices(y)
    shapeCheck(predicted.count == truth.count,
               "accuracy: \(predicted.count) predictions (from \(describeShape(yHat.shape))) but \(truth.count) labels (\(describeShape(y.shape)))",
               file: file, line: line)
    var correct = 0
    for i in 0..<truth.count where truth[i] >= 0 && predicted[i] == truth[i] { correct &+= 1 }
    return Double(correct)
}

/// The class indices held in a tensor of labels as Float values. A value that is not a whole
/// number an `Int` can hold (NaN, ±∞, 1e30, 2.5) becomes −1, which matches no class: a diverged
/// prediction counts as wrong instead of trapping in the Float → Int conversion.
public func classIndices(_ labels: Tensor) -> [Int] {
    labels.scalars.map { v in
        v.isFinite && v == v.rounded() && abs(v) < 1e15 ? Int(v) : -1
    }
}

/// Fraction of correct predictions of `net` over a data set (book `evaluate_accuracy`),
/// computed without recording the graph. Any sequence of batches works, e.g. a `DataIterator`
/// or `testIter.prefix(10)` (the first ten batches).
public func evaluateAccuracy<Batches: Sequence>(_ net: (Tensor) -> Tensor, _ dataIter: Batches) -> Double
    where Batches.Element == (X: Tensor, y: Tensor) {
    var metric = Accumulator(2)  // correct predictions, number of predictions
    withNoGrad {
        for (X, y) in dataIter { metric.add(accuracy(net(X), y), Double(y.count)) }
    }
    return metric[0] / metric[1]
}

/// `evaluateAccuracy` for a module: switches it to evaluation mode (dropout off) for the
/// pass and restores its previous mode afterwards, as the book's `net.eval()` does.
public func evaluateAccuracy<Batches: Sequence>(_ net: Layer, _ dataIter: Batches) -> Double
    where Batches.Element == (X: Tensor, y: Tensor) {
    let wasTraining = net.isTraining
    net.eval()
    defer { net.train(wasTraining) }
    return evaluateAccuracy({ net($0) }, dataIter)
}
