import D2L
import Foundation
import NN
import Tensor

// §3.3 Linear regression, concisely: `loadArray` for the minibatches, `Sequential(Linear(2, 1))`
// for the model, `MSELoss` (mean of (ŷ − y)², no ½) and the NN `SGD` optimizer.

/// §3.3.3–3.3.7: the weight starts as N(0, 0.01²), the bias as 0; per batch the three-line step
/// `trainer.zeroGrad(); l.backward(); trainer.step()`; after each epoch prints the MSE over all
/// examples, `epoch 1, loss 0.000248`. At most `maxBatches` per epoch; a NaN or infinite batch
/// loss throws `TrainingError.nonFiniteLoss`.
func linearRegressionConcise(features: Tensor, labels: Tensor, dataIter: DataIterator, lr: Float,
                             numEpochs: Int, maxBatches: Int? = nil, w initialW: Tensor? = nil,
                             log: (String) -> Void = { print($0) }) throws -> LinearRegressionResult {
    let net = Sequential(Linear(inputSize: 2, outputSize: 1))  // (n, 2) → (n, 1)
    let layer = net[0] as! Linear
    if let initialW { layer.weight.value = initialW.reshaped(to: [1, 2]) } else { Init.normal(layer.weight, std: 0.01) }
    Init.zeros(layer.bias!)
    let loss = MSELoss()                                        // mean of (ŷ − y)²
    let trainer = SGD(parameters: net.parameters(), lr: lr)
    var losses: [Float] = []
    for epoch in 0..<numEpochs {
        for (i, (X, y)) in dataIter.prefix(maxBatches ?? .max).enumerated() {
            let l = loss(net(X), y)
            trainer.zeroGrad()
            l.backward()
            trainer.step()
            try checkFinite(Double(l.item()), epoch: epoch + 1, batch: i + 1)
        }
        let l = withNoGrad { loss(net(features), labels).item() }
        losses.append(l)
        log("epoch \(epoch + 1), loss \(String(format: "%f", l))")
    }
    return LinearRegressionResult(w: layer.weight.value.scalars, b: layer.bias!.value.item(), epochLosses: losses)
}
