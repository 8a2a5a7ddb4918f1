// Chapter03-SoftmaxRegression: the book's §3.5–3.7. The Fashion-MNIST data set (§3.5), softmax
// regression from scratch (§3.6) and concisely (§3.7), each trained 10 epochs at batch 256, lr 0.1.
// Usage: swift run Chapter03-SoftmaxRegression [dataset|scratch|concise] [--epochs N] [--lr η] ...
import D2L
import Foundation
import Tensor

var parser = OptionParser(program: "Chapter03-SoftmaxRegression",
                          overview: "Softmax regression on Fashion-MNIST (book §3.5–3.7).")
parser.sections([("dataset", "§3.5 the Fashion-MNIST data set and its first 18 images"),
                 ("scratch", "§3.6 softmax regression from scratch"),
                 ("concise", "§3.7 softmax regression with Flatten + Linear and CrossEntropyLoss")])
parser.int("epochs", default: 10, help: "training epochs", check: .positive)
parser.float("lr", default: 0.1, help: "learning rate", check: .positive)
parser.int("batch-size", default: 256, help: "minibatch size", check: .positive)
parser.int("seed", default: 0, help: "random seed (weights and shuffling)", check: .nonNegative)
parser.flag("no-progress", help: "no progress bars")
let options = parser.parseOrExit()

Tensor.manualSeed(UInt64(options.int("seed")))
let config = Config(numEpochs: options.int("epochs"), lr: options.float("lr"), batchSize: options.int("batch-size"),
                    showProgress: !options.flag("no-progress"))
do {
    if options.runs("dataset") { try showDataset(hub: .shared, log: config.log) }
    if options.runs("scratch") || options.runs("concise") {
        let (trainIter, testIter) = try loadDataFashionMNIST(batchSize: config.batchSize)
            if options.runs("scratch") { print(""); runScratch(trainIter: trainIter, testIter: testIter, config: config) }
        if options.runs("concise") { print(""); runConcise(trainIter: trainIter, testIter: testIter, config: config) }
    }
} catch {
    fputs("Chapter03-SoftmaxRegression: \(error)\n", stderr)
    exit(1)
}
