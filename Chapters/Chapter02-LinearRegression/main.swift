// Chapter02-LinearRegression: the book's §3.1–3.3 (linear regression): the vectorisation timing
// and normal-distribution figure of §3.1, then training from scratch (§3.2) and concisely (§3.3)
// on synthetic data y = Xw + b + ε with w = [2, −3.4], b = 4.2.
// Usage: swift run Chapter02-LinearRegression [section] [--epochs N] [--lr η] [--batch-size B] [--seed S]
import D2L
import Foundation
import Tensor

var parser = OptionParser(program: "Chapter02-LinearRegression",
                          overview: "Linear regression (book §3.1–3.3): from scratch, then with the NN library.")
parser.sections([("basics", "§3.1 vectorisation timing and the normal distribution figure"),
                 ("scratch", "§3.2 linear regression from scratch"),
                 ("concise", "§3.3 linear regression with Sequential(Linear), MSELoss, SGD")])
parser.int("epochs", default: 3, help: "training epochs", check: .positive)
parser.float("lr", default: 0.03, help: "learning rate", check: .positive)
parser.int("batch-size", default: 10, help: "minibatch size", check: .positive)
parser.int("examples", default: 1000, help: "synthetic examples", check: .positive)
parser.int("seed", default: 0, help: "random seed", check: .nonNegative)
let options = parser.parseOrExit()

Tensor.manualSeed(UInt64(options.int("seed")))
if options.runs("basics") {
    print("§3.1 Vectorization for speed")
    vectorizationDemo()
    do { print("saved \(try plotNormalDistributions().path)") } catch { fputs("could not save the figure: \(error)\n", stderr) }
    print("")
}
if options.runs("scratch") || options.runs("concise") {
    let (features, labels) = syntheticData(w: trueW, b: trueB, numExamples: options.int("examples"))  // (1000, 2), (1000, 1)
    print("features: \(features.shape), labels: \(labels.shape); first example \(features[0, 0]), \(features[0, 1]) → \(labels[0, 0])")
    let (lr, numEpochs, batchSize) = (options.float("lr"), options.int("epochs"), options.int("batch-size"))
    for (name, title) in [("scratch", "§3.2 from scratch"), ("concise", "§3.3 concise")] where options.runs(name) {
        print("\n\(title): lr \(lr), batch \(batchSize), \(numEpochs) epochs")
        let result = name == "scratch"
            ? linearRegressionScratch(features: features, labels: labels,
                                      batches: dataIter(batchSize: batchSize, features: features, labels: labels),
                                      lr: lr, numEpochs: numEpochs)
            : linearRegressionConcise(features: features, labels: labels,
                                      dataIter: loadArray(features: features, labels: labels, batchSize: batchSize),
                                      lr: lr, numEpochs: numEpochs)
        print("error in estimating w: \(result.wError.map { String(format: "%.6f", $0) })")
        print("error in estimating b: \(String(format: "%.6f", result.bError))")
    }
}
