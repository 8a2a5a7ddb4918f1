import D2L
import NN
import Tensor

// §4.5 Weight decay on a high-dimensional linear regression that overfits: 20 training
// examples, 200 inputs, y = 0.05 + Σᵢ 0.01·xᵢ + ε.

/// The §4.5.1 data: `trainIter` (20 examples, batch 5, shuffled) and `testIter` (100, in order).
struct WeightDecayData {
    var numInputs: Int
    var batchSize: Int
    var trainIter: DataIterator
    var testIter: DataIterator

    init(nTrain: Int = 20, nTest: Int = 100, numInputs: Int = 200, batchSize: Int = 5) {
        let trueW = Tensor.ones([numInputs]) * 0.01, trueB: Float = 0.05
        let train = syntheticData(w: trueW, b: trueB, numExamples: nTrain)
        let test = syntheticData(w: trueW, b: trueB, numExamples: nTest)
        self.numInputs = numInputs
        self.batchSize = batchSize
        trainIter = loadArray(features: train.X, labels: train.y, batchSize: batchSize)
        testIter = loadArray(features: test.X, labels: test.y, batchSize: batchSize, shuffle: false)
    }
}

/// What a weight-decay run ends with: ‖w‖₂ and the loss curves (every 5 epochs).
struct WeightDecayResult {
    var wNorm: Float
    var epochs: [Double] = []
    var trainLoss: [Double] = []
    var testLoss: [Double] = []
}

/// §4.5.3 from scratch: w ~ N(0, 1) (d, 1), b = 0; per batch the loss ½(ŷ − y)² + λ‖w‖²/2,
/// summed, then `sgd` (lr 0.003). Every 5 epochs the train and test losses are recorded.
/// Throws `TrainingError.nonFiniteLoss` if the run diverges.
func trainWeightDecayScratch(lambd: Float, data: WeightDecayData, numEpochs: Int = 100, lr: Float = 0.003,
                             w initialW: Tensor? = nil) throws -> WeightDecayResult {
    let w = Parameter(initialW ?? Tensor.normal([data.numInputs, 1], mean: 0, std: 1))  // (200, 1)
    let b = Parameter(Tensor.zeros([1]))
    let net: (Tensor) -> Tensor = { X in linreg(X, w.value, b.value) }
    let loss: PerExampleLoss = squaredLoss
    var result = WeightDecayResult(wNorm: 0)
    for epoch in 0..<numEpochs {
        for (i, (X, y)) in data.trainIter.enumerated() {
            let l = loss(net(X), y) + lambd * l2Penalty(w.value)  // (B, 1): the penalty is broadcast
            l.sum().backward()
            sgd([w, b], lr: lr, batchSize: X.shape[0])
            try checkFinite(Double(l.sum().item()), epoch: epoch + 1, batch: i + 1)
        }
        if (epoch + 1) % 5 == 0 { record(&result, epoch, net, data, loss) }
    }
    result.wNorm = w.value.square().sum().sqrt().item()
    return result
}

/// §4.5.4 concise: `Linear(200, 1)` with every parameter N(0, 1), `MSELoss` per example and
/// `SGD` whose weight group decays by `wd` (the bias is not decayed). Throws
/// `TrainingError.nonFiniteLoss` if the run diverges.
func trainWeightDecayConcise(wd: Float, data: WeightDecayData, numEpochs: Int = 100, lr: Float = 0.003,
                             weight initialW: Tensor? = nil) throws -> WeightDecayResult {
    let net = Sequential(Linear(inputSize: data.numInputs, outputSize: 1))
    let layer = net[0] as! Linear
    for p in net.parameters() { Init.normal(p) }
    if let initialW { layer.weight.value = initialW.reshaped(to: [1, data.numInputs]) }
    let loss: PerExampleLoss = { MSELoss(reduction: .none)($0, $1) }
    let trainer = SGD(groups: [ParameterGroup(params: [layer.weight], weightDecay: wd),
                               ParameterGroup(params: [layer.bias!])], lr: lr)
    var result = WeightDecayResult(wNorm: 0)
    for epoch in 0..<numEpochs {
        try trainEpochCh3(net: net, trainIter: data.trainIter, loss: loss, updater: .optimizer(trainer),
                          epoch: epoch + 1, classification: false)
        if (epoch + 1) % 5 == 0 { record(&result, epoch, { net($0) }, data, loss) }
    }
    result.wNorm = layer.weight.value.square().sum().sqrt().item()
    return result
}

private func record(_ result: inout WeightDecayResult, _ epoch: Int, _ net: (Tensor) -> Tensor,
                    _ data: WeightDecayData, _ loss: PerExampleLoss) {
    result.epochs.append(Double(epoch + 1))
    result.trainLoss.append(evaluateLoss(net: net, dataIter: data.trainIter, loss: loss))
    result.testLoss.append(evaluateLoss(net: net, dataIter: data.testIter, loss: loss))
}
