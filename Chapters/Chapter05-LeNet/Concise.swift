import D2L
import Foundation
import NN
import Tensor

// Book §6.6 LeNet with the NN library's layers, trained with `trainCh6`.

/// LeNet as a `Sequential` (book §6.6), following `config`; the default is the book's
///
///     Conv2d(1, 6, k5, p2) Sigmoid AvgPool2d(2, 2) Conv2d(6, 16, k5) Sigmoid AvgPool2d(2, 2)
///     Flatten Linear(400, 120) Sigmoid Linear(120, 84) Sigmoid Linear(84, 10)
///
/// The input size of the first `Linear` (400 for the book's LeNet) is found by running a
/// dummy `(1, 1, 28, 28)` image through the convolution blocks.
func makeLeNet(_ config: LeNetConfig = LeNetConfig()) -> Sequential {
    var layers: [Layer] = []
    var inChannels = 1
    for (i, out) in config.channels.enumerated() {
        layers += [Conv2d(inChannels: inChannels, outChannels: out, kernelSize: config.kernelSize,
                          padding: config.padding(block: i)),
                   config.activationLayer(), config.poolLayer()]
        inChannels = out
    }
    layers.append(Flatten())
    let dummy = Tensor.zeros([1, 1, config.imageSize, config.imageSize])
    var width = withNoGrad { Sequential(layers)(dummy) }.count
    for hidden in config.fc {
        layers += [Linear(inputSize: width, outputSize: hidden), config.activationLayer()]
        width = hidden
    }
    layers.append(Linear(inputSize: width, outputSize: config.numClasses))
    return Sequential(layers)
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

/// The output of each activation that follows a convolution (the feature maps of each block
/// before pooling), for `--show-activations`.
func convActivations(_ net: Sequential, _ x: Tensor) -> [Tensor] {
    var h = x, maps: [Tensor] = []
    var afterConv = false
    withNoGrad {
        for layer in net.layers {
            h = layer(h)
            if afterConv && (layer is Sigmoid || layer is ReLU || layer is Tanh) { maps.append(h) }
            afterConv = layer is Conv2d
        }
    }
    return maps
}

/// The first test images labelled pullover (2) and coat (4), as a `(2, 1, 28, 28)` batch.
func pulloverAndCoat(_ testIter: DataIterator) -> Tensor? {
    var found: [Int: Tensor] = [:]
    for (X, y) in testIter {
        for (i, label) in y.labelIndices.enumerated() where (label == 2 || label == 4) && found[label] == nil {
            found[label] = X.slice(axis: 0, i..<(i + 1))
        }
        if found.count == 2 { break }
    }
    guard let pullover = found[2], let coat = found[4] else { return nil }
    return Tensor.concatenate([pullover, coat], axis: 0)
}

/// Writes one SVG per convolution block (the first two at most): row 1 the pullover, row 2 the
/// coat; the input image first, then each channel's activation map. Each channel (column) has
/// its own gray scale, from its minimum to its maximum over both images, so a channel's
/// spatial pattern is visible and pullover and coat can be compared. Returns the files written.
func saveActivations(_ maps: [Tensor], images: Tensor, prefix: String) throws -> [URL] {
    try maps.prefix(2).enumerated().map { block, a in
        let (channels, plane) = (a.shape[1], a.shape[2] * a.shape[3])
        let values = a.scalars
        func map(_ row: Int, _ c: Int) -> ArraySlice<Float> {
            values[((row * channels + c) * plane)..<((row * channels + c + 1) * plane)]
        }
        var cells: [GrayImage] = [], titles: [String] = []
        for (row, name) in ["pullover", "coat"].enumerated() {
            cells.append(GrayImage(images.slice(axis: 0, row..<(row + 1)).reshaped(to: Array(images.shape.dropFirst()))))
            titles.append(name)
            for c in 0..<channels {
                let both = map(0, c) + map(1, c)
                let (lo, hi) = (both.min()!, both.max()!)
                let scaled = map(row, c).map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
                cells.append(GrayImage(width: a.shape[3], height: a.shape[2], pixels: scaled))
                titles.append("ch \(c + 1)")
            }
        }
        return try showImages(cells, numRows: 2, numCols: channels + 1, titles: titles, scale: 0.7,
                              valueRange: 0...1, file: Figures.name(prefix, "conv\(block + 1)-activations"))
    }
}

/// The §6.6 run: build the model, print its layer shapes, train it, and optionally save the
/// activation maps. Returns the history, or throws a `DataError` if the data are missing.
@discardableResult
func runLeNet(_ options: RunOptions, say: (String) -> Void = { print($0) }) throws -> TrainCh6History {
    Tensor.manualSeed(options.seed)
    let (trainIter, testIter) = try loadDataFashionMNIST(batchSize: options.batchSize, dataset: options.dataset,
                                                         seed: options.seed)
    let c = options.config
    let description = "channels \(c.channels.map(String.init).joined(separator: ",")), kernel \(c.kernelSize), "
        + "\(c.pool) pooling, \(c.activation), fc \(c.fc.map(String.init).joined(separator: ","))"
    say("\n6.6 LeNet (\(options.model) model: \(description))")
    let figure = Figures.name("chapter05", "lenet", options.model.rawValue, "train")
    let history: TrainCh6History
    var activations: (Tensor) -> [Tensor]
    switch options.model {
    case .concise:
        let net = makeLeNet(c)
        say(net.description)
        say(shapeTable(layerShapes(net, input: Tensor.rand([1, 1, c.imageSize, c.imageSize]))))
        if !options.xavierInit {
            net.apply { m in
                if let conv = m as? Conv2d { Init.normal(conv.weight, std: 0.01) }
                if let linear = m as? Linear { Init.normal(linear.weight, std: 0.01) }
            }
        }
        history = trainCh6(net: net, trainIter: trainIter, testIter: testIter, numEpochs: options.epochs,
                           lr: options.lr, xavierInit: options.xavierInit, maxBatches: options.maxBatches,
                           figure: figure)
        activations = { convActivations(net, $0) }
    case .scratch:
        let net = LeNetScratch(c, xavier: options.xavierInit)
        say(net.parameters().map { describeShape($0.shape) }.joined(separator: " "))
        history = trainCh6(net.callAsFunction, parameters: net.parameters(), trainIter: trainIter,
                           testIter: testIter, numEpochs: options.epochs, lr: options.lr,
                           maxBatches: options.maxBatches, figure: figure)
        activations = { x in withNoGrad { net.activations(x) } }
    }
    say("\(String(format: "%.2f", history.secondsPerEpoch)) sec/epoch (training steps only)")
    if options.showActivations {
        if let images = pulloverAndCoat(testIter) {
            for url in try saveActivations(activations(images), images: images,
                                           prefix: Figures.name("chapter05", "lenet", options.model.rawValue)) {
                say("saved \(url.path)")
            }
        } else {
            say("no pullover/coat test images found: no activation figures")
        }
    }
    return history
}
