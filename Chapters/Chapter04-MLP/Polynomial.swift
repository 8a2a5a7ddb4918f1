import D2L
import Foundation
import NN
import Tensor

// §4.4 Model selection, underfitting and overfitting: fitting a degree-3 polynomial with
// 4 features (right), 2 features (underfit) and all 20 (overfit, few data).

/// The §4.4.4 data: x ~ N(0, 1), features xⁱ / i! for i < maxDegree, and
/// y = 5 + 1.2x − 3.4x²/2! + 5.6x³/3! + ε with ε ~ N(0, 0.1²).
struct PolynomialData {
    let maxDegree: Int
    let nTrain: Int
    /// (nTrain + nTest, maxDegree): row k is (1, x, x²/2!, …).
    let polyFeatures: Tensor
    /// (nTrain + nTest, 1).
    let labels: Tensor
    static let trueW: [Float] = [5, 1.2, -3.4, 5.6]

    init(maxDegree: Int = 20, nTrain: Int = 100, nTest: Int = 100) {
        self.maxDegree = maxDegree
        self.nTrain = nTrain
        let n = nTrain + nTest
        let x = Tensor.randn([n]).scalars
        var poly = [Float](repeating: 0, count: n * maxDegree), y = [Float](repeating: 0, count: n)
        let noise = Tensor.normal([n], mean: 0, std: 0.1).scalars
        for k in 0..<n {
            var term: Float = 1  // xⁱ / i!, built up term by term
            for i in 0..<maxDegree {
                if i > 0 { term *= x[k] / Float(i) }
                poly[k * maxDegree + i] = term
                if i < PolynomialData.trueW.count { y[k] += PolynomialData.trueW[i] * term }
            }
            y[k] += noise[k]
        }
        polyFeatures = Tensor(shape: [n, maxDegree], scalars: poly)
        labels = Tensor(shape: [n, 1], scalars: y)
    }

    /// The first `numFeatures` columns of the training and test rows.
    func split(numFeatures: Int) -> (trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor) {
        let X = polyFeatures.slice(axis: 1, 0..<numFeatures)
        return (X.slice(axis: 0, 0..<nTrain), labels.slice(axis: 0, 0..<nTrain),
                X.slice(axis: 0, nTrain...), labels.slice(axis: 0, nTrain...))
    }
}

/// What a polynomial fit learned: the weights and the loss curves (epoch 1 and every 20).
struct PolynomialFit {
    var weight: [Float]
    var epochs: [Double] = []
    var trainLoss: [Double] = []
    var testLoss: [Double] = []
}

/// §4.4.4 `train`: `Linear(d, 1, bias: false)`, per-example `MSELoss`, `SGD(lr 0.01)`,
/// batch min(10, n), via `trainEpochCh3` (a regression: no accuracy); the train and test losses
/// (`evaluateLoss`) are logged at epoch 1 and every 20 epochs. Throws
/// `TrainingError.nonFiniteLoss` if the fit diverges.
func trainPolynomial(trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor, numEpochs: Int = 400,
                     lr: Float = 0.01, batchSize: Int = 10, maxBatches: Int? = nil) throws -> PolynomialFit {
    let loss: PerExampleLoss = { MSELoss(reduction: .none)($0, $1) }
    let net = Sequential(Linear(inputSize: trainX.shape[1], outputSize: 1, bias: false))
    let batchSize = min(batchSize, trainY.shape[0])
    let trainIter = loadArray(features: trainX, labels: trainY, batchSize: batchSize)
    let testIter = loadArray(features: testX, labels: testY, batchSize: batchSize, shuffle: false)
    let trainer = SGD(parameters: net.parameters(), lr: lr)
    var fit = PolynomialFit(weight: [])
    for epoch in 0..<numEpochs {
        try trainEpochCh3(net: net, trainIter: trainIter, loss: loss, updater: .optimizer(trainer), epoch: epoch + 1,
                          classification: false, maxBatches: maxBatches)
        if epoch == 0 || (epoch + 1) % 20 == 0 {
            fit.epochs.append(Double(epoch + 1))
            fit.trainLoss.append(evaluateLoss(net: { net($0) }, dataIter: trainIter, loss: loss))
            fit.testLoss.append(evaluateLoss(net: { net($0) }, dataIter: testIter, loss: loss))
        }
    }
    fit.weight = (net[0] as! Linear).weight.value.scalars
    return fit
}
