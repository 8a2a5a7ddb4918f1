// Chapter04-MLP: the book's chapter 4 (multilayer perceptrons): activation functions (§4.1),
// the MLP from scratch and concisely (§4.2–4.3), under- and overfitting (§4.4), weight decay
// (§4.5) and dropout (§4.6). By default the MLP section runs; name others as `Chapter04-MLP dropout`
// or `--section dropout`. Usage: swift run Chapter04-MLP [section] [--epochs N] [--lr η] ...
import D2L
import Foundation
import Tensor

let sections = [("mlp", "§4.2–4.3 MLP from scratch and concise (default)"),
                ("activations", "§4.1 ReLU, sigmoid, tanh and their gradients (figures)"),
                ("polynomial", "§4.4 polynomial fits: normal, underfitting, overfitting"),
                ("weight-decay", "§4.5 weight decay, scratch and concise, λ = 0 and 3"),
                ("dropout", "§4.6 dropout MLP, scratch and concise"),
                ("all", "every section in turn")]
var parser = OptionParser(program: "Chapter04-MLP", overview: "Multilayer perceptrons (book chapter 4).")
parser.sections(sections)
parser.int("epochs", default: 10, help: "training epochs (default: each section's book value)", check: .positive)
parser.float("lr", default: 0.1, help: "learning rate (default: each section's book value)", check: .positive)
parser.int("batch-size", default: 256, help: "minibatch size for Fashion-MNIST", check: .positive)
parser.int("seed", default: 0, help: "random seed (weights, data, shuffling, dropout)", check: .nonNegative)
parser.flag("no-progress", help: "no progress bars")
let options = parser.parseOrExit()

let section = options.section ?? "mlp"
let config = Config(numEpochs: options.isSet("epochs") ? options.int("epochs") : nil,
                    lr: options.isSet("lr") ? options.float("lr") : nil,
                    batchSize: options.int("batch-size"), showProgress: !options.flag("no-progress"))
func runs(_ name: String) -> Bool { section == name || section == "all" }

Tensor.manualSeed(UInt64(options.int("seed")))
do {
    if runs("activations") {
        for url in try plotActivations() { print("saved \(url.path)") }
        print("")
    }
    if runs("mlp") || runs("dropout") {
        let (trainIter, testIter) = try loadDataFashionMNIST(batchSize: config.batchSize)
        if runs("mlp") { _ = runMLP(trainIter: trainIter, testIter: testIter, config: config); print("") }
        if runs("dropout") { _ = runDropout(trainIter: trainIter, testIter: testIter, config: config); print("") }
    }
    if runs("polynomial") { runPolynomial(config: config); print("") }
    if runs("weight-decay") { runWeightDecay(config: config) }
} catch {
    fputs("Chapter04-MLP: \(error)\n", stderr)
    exit(1)
}
