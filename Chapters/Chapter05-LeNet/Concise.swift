import D2L
import Foundation
import NN
import Tensor

// Book §6.6 LeNet with the NN library's layers, trained with `trainCh6`.

/// The book's LeNet (§6.6), layer by layer as its `nn.Sequential`:
/// two convolution blocks (5×5 kernels, sigmoid, 2×2 average pooling), then three dense layers.
/// (B, 1, 28, 28) → logits (B, 10); 61,706 parameters.
func lenet() -> Sequential {
    Sequential(
        Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Conv2d(inChannels: 6, outChannels: 16, kernelSize: 5), Sigmoid(),
        AvgPool2d(kernelSize: 2, stride: 2),
        Flatten(),
        Linear(inputSize: 16 * 5 * 5, outputSize: 120), Sigmoid(),
        Linear(inputSize: 120, outputSize: 84), Sigmoid(),
        Linear(inputSize: 84, outputSize: 10))
}

/// Each layer's name and output shape for input `x` (the book's shape walk of §6.6:
/// `Conv2d output shape: torch.Size([1, 6, 28, 28])`, …).
func layerShapes(_ net: Sequential, input x: Tensor) -> [(name: String, shape: [Int])] {
    var h = x
    return withNoGrad {
        net.layers.map { layer in
            h = layer(h)
            return (String(describing: type(of: layer)), h.shape)
        }
    }
}

/// The shape walk as text, one line per layer.
func shapeTable(_ shapes: [(name: String, shape: [Int])]) -> String {
    shapes.map { name, shape in
        (name + " output shape:").padding(toLength: 26, withPad: " ", startingAt: 0) + describeShape(shape)
    }.joined(separator: "\n")
}

/// The book's printed LeNet result and its spread over 20 builds (BOOK.md §2).
let bookLeNet = BookResult("loss 0.469, train acc 0.823, test acc 0.779",
                           spread: "loss 0.451–0.497, train 0.811–0.834, test 0.779–0.824")

/// §6.6 for one version: build the model (the book's `lenet()` / `LeNetScratch`, or the
/// exercise variant when an exercise flag is given), print its layer shapes, train it with
/// `trainCh6`, print the book's result under ours.
@discardableResult
func runLeNet(_ model: ModelVersion, _ o: ChapterOptions, exercise: LeNetExercise = LeNetExercise(),
              report: Reporting? = nil, data: (train: DataIterator, test: DataIterator)? = nil) throws -> TrainingHistory {
    let report = report ?? o.report(section: "lenet", model: model)
    let (trainIter, testIter) = try data ?? loadDataFashionMNIST(batchSize: o.batchSize, dataset: exercise.dataset,
                                                                 seed: o.seed)
    report.say("\n§6.6 LeNet, \(model) (\(exercise.config.summary), \(exercise.xavierInit ? "xavier" : "N(0, 0.01²)") init): "
               + "lr \(o.lr), batch \(o.batchSize), \(o.epochs) epochs")
    let net: Layer
    switch model {
    case .concise:
        let sequential = exercise.isLesson ? lenet() : lenetVariant(exercise.config)
        report.say(shapeTable(layerShapes(sequential, input: Tensor.rand([1, 1, 28, 28]))))  // the book's X = rand(1, 1, 28, 28)
        if !exercise.xavierInit { initNormal(sequential) }
        net = sequential
    case .scratch:
        net = exercise.isLesson ? LeNetScratch() : LeNetScratchVariant(exercise.config, xavier: exercise.xavierInit)
        report.say(net.parameterSummary())
    }
    let history = try trainCh6(net: net, trainIter: trainIter, testIter: testIter, numEpochs: o.epochs, lr: o.lr,
                               xavierInit: model == .concise && exercise.xavierInit, maxBatches: o.maxBatches,
                               report: report)
    report.say(bookLeNet.line)
    report.say(String(format: "%.2f sec/epoch (training steps only)", history.secondsPerEpoch))
    if exercise.showActivations { saveActivationFigures(net, testIter, name: o.figureName("lenet", model.rawValue), report) }
    return history
}
