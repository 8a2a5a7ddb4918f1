import D2L
import Foundation
import NN
import Tensor

// The chapter's sections (§10.1–10.3, §10.5–10.6): each prints the book's results and writes
// its figures (`ch08-<section>-…`).

func saveHeatmap(_ m: Tensor, xlabel: String, ylabel: String, titles: [String] = [], figsize: (Double, Double) = (2.5, 2.5),
                 cmap: Colormap = .reds, _ file: String, _ log: TextOutput, figures: Bool) {
    guard figures else { return }
    if let url = Figures.saveOrWarn(file, {
        try showHeatmaps(m, xlabel: xlabel, ylabel: ylabel, titles: titles, figsize: figsize, cmap: cmap, file: file)
    }) { log.write("saved \(url.path)\n") }
}

func savePlot(_ plot: LinePlot, _ file: String, _ log: TextOutput, figures: Bool) {
    guard figures else { return }
    if let url = Figures.saveOrWarn(file, { try plot.save(file) }) { log.write("saved \(url.path)\n") }
}

/// §10.1: the attention weights of queries on keys as a heat map; the identity (each query
/// attends only to the key of its own index).
func runCues(log: TextOutput, figures: Bool) {
    log.write("§10.1 attention cues: identity attention weights (10 × 10)\n")
    let eye = Tensor(shape: [1, 1, 10, 10], scalars: (0..<100).map { $0 / 10 == $0 % 10 ? 1 : 0 })
    saveHeatmap(eye, xlabel: "Keys", ylabel: "Queries", "ch08-cues-eye", log, figures: figures)
}

/// §10.2's data: 50 sorted training inputs in [0, 5), `y = 2 sin x + x^0.8 + N(0, 0.5)`; the
/// test inputs `0, 0.1, …, 4.9` and the noise-free truth.
struct NWData {
    let xTrain: Tensor, yTrain: Tensor, xTest: Tensor, yTruth: Tensor
    static func f(_ x: Tensor) -> Tensor {
        Tensor(shape: x.shape, scalars: x.scalars.map { 2 * Foundation.sin($0) + Foundation.pow($0, 0.8) })
    }
    init(nTrain: Int = 50) {
        xTrain = Tensor(shape: [nTrain], scalars: (Tensor.rand([nTrain]) * Tensor(5)).scalars.sorted())
        yTrain = NWData.f(xTrain) + Tensor.normal([nTrain], mean: 0, std: 0.5)
        xTest = Tensor.arange(0, 5, step: 0.1)
        yTruth = NWData.f(xTest)
    }
}

/// §10.2: average pooling, non-parametric and parametric (trained) Nadaraya–Watson regression.
/// Returns the parametric model's per-epoch losses (sum of squared errors over the 50 points).
@discardableResult
func runNadarayaWatson(log: TextOutput, figures: Bool, epochs: Int = 5, lr: Float = 0.5) -> [Float] {
    log.write("§10.2 Nadaraya–Watson kernel regression\n")
    let data = NWData()
    let (n, nTest) = (data.xTrain.count, data.xTest.count)
    func plot(_ yHat: Tensor, _ name: String) {
        var p = LinePlot(xlabel: "x", ylabel: "y", legend: ["Truth", "Pred"], xlim: 0...5, ylim: -1...5)
        p.add(x: data.xTest.scalars, y: data.yTruth.scalars)
        p.add(x: data.xTest.scalars, y: yHat.scalars)
        p.add(x: data.xTrain.scalars, y: data.yTrain.scalars, format: "o")
        savePlot(p, "ch08-nadaraya-watson-\(name)", log, figures: figures)
    }
    // Average pooling: every prediction is the mean of the training targets.
    let mean = data.yTrain.mean().item()
    log.write(String(format: "average pooling: every prediction is %.4f\n", mean))
    plot(Tensor.full([nTest], mean), "average")
    // Non-parametric: softmax over −(x − xᵢ)²/2 weights the training targets.
    let diff = data.xTest.reshaped(to: [-1, 1]) - data.xTrain.reshaped(to: [1, -1])   // (nTest, n)
    let weights = (diff * diff * Tensor(-0.5)).softmax(axis: 1)
    let yHat = weights.matmul(data.yTrain.reshaped(to: [-1, 1])).reshaped(to: [-1])
    log.write(String(format: "non-parametric: squared error over the test points %.4f\n",
                     ((yHat - data.yTruth) * (yHat - data.yTruth)).sum().item()))
    plot(yHat, "nonparametric")
    saveHeatmap(weights.reshaped(to: [1, 1, nTest, n]), xlabel: "Sorted training inputs", ylabel: "Sorted testing inputs",
                "ch08-nadaraya-watson-nonparametric-weights", log, figures: figures)
    // Parametric: leave-one-out keys and values (each training point's own pair removed).
    let xTile = Array(repeating: data.xTrain.scalars, count: n), yTile = Array(repeating: data.yTrain.scalars, count: n)
    func leaveOneOut(_ tile: [[Float]]) -> Tensor {
        Tensor(shape: [n, n - 1], scalars: tile.enumerated().flatMap { i, row in row.enumerated().filter { $0.offset != i }.map(\.element) })
    }
    let keys = leaveOneOut(xTile), values = leaveOneOut(yTile)
    let net = NWKernelRegression()
    var losses: [Float] = []
    for epoch in 0..<epochs {
        net.zeroGrad()
        let err = net(data.xTrain, keys, values) - data.yTrain
        let l = (err * err).sum()                                   // MSELoss(reduction='none').sum()
        l.backward()
        withNoGrad { net.w.value = net.w.value - Tensor(lr) * net.w.grad! }
        losses.append(l.item())
        log.write(String(format: "epoch %d, loss %f\n", epoch + 1, l.item()))
    }
    log.write(BookResult("loss (sum over 50) per epoch 48.22, 15.62, 13.52, 12.82, 12.37",
                         spread: "final 4.4–51.9, depends on the random data").line + "\n")
    let testKeys = Tensor(shape: [nTest, n], scalars: Array(repeating: data.xTrain.scalars, count: nTest).flatMap { $0 })
    let testValues = Tensor(shape: [nTest, n], scalars: Array(repeating: data.yTrain.scalars, count: nTest).flatMap { $0 })
    let yParam = withNoGrad { net(data.xTest, testKeys, testValues) }
    log.write(String(format: "parametric: w = %.4f\n", net.w.value.scalars[0]))
    plot(yParam, "parametric")
    saveHeatmap(net.attentionWeights.reshaped(to: [1, 1, nTest, n]), xlabel: "Sorted training inputs",
                ylabel: "Sorted testing inputs", "ch08-nadaraya-watson-parametric-weights", log, figures: figures)
    return losses
}

/// §10.3's toy inputs: keys of ones `(2, 10, 2)`, values `0…39` as `(10, 4)` for both batch
/// elements, valid lengths `[2, 6]`.
struct ScoringToy {
    let keys = Tensor.ones([2, 10, 2])
    let values = Tensor.stack([Tensor.arange(40).reshaped(to: [10, 4]), Tensor.arange(40).reshaped(to: [10, 4])])
    let validLens = [2, 6]
}

/// §10.3: masked softmax, additive and scaled dot-product attention on the toy inputs.
func runScoring(log: TextOutput, figures: Bool, models: [ModelVersion]) {
    log.write("§10.3 attention scoring functions\n")
    log.write("masked_softmax(rand(2, 2, 4), [2, 3]):\n\(maskedSoftmaxScratch(Tensor.rand([2, 2, 4]), validLens: [2, 3]))\n")
    log.write("masked_softmax(rand(2, 2, 4), [[1, 3], [2, 4]]):\n"
              + "\(maskedSoftmaxScratch(Tensor.rand([2, 2, 4]), validLens: [1, 3, 2, 4]))\n")
    let toy = ScoringToy()
    let queries = Tensor.normal([2, 1, 20], mean: 0, std: 1)
    let additive = AdditiveAttention(keySize: 2, querySize: 20, numHiddens: 8, dropout: 0.1)
    additive.eval()
    log.write("AdditiveAttention:\n\(withNoGrad { additive(queries, toy.keys, toy.values, validLens: toy.validLens) })\n")
    log.write(BookResult("[[[2, 3, 4, 5]], [[10, 11, 12, 13]]]").line + "\n")
    saveHeatmap(additive.attentionWeights.reshaped(to: [1, 1, 2, 10]), xlabel: "Keys", ylabel: "Queries",
                "ch08-scoring-additive", log, figures: figures)
    let q2 = Tensor.normal([2, 1, 2], mean: 0, std: 1)
    if models.contains(.scratch) {
        let dot = DotProductAttention(dropout: 0.5)
        dot.eval()
        log.write("DotProductAttention (scratch):\n\(withNoGrad { dot(q2, toy.keys, toy.values, validLens: toy.validLens) })\n")
        saveHeatmap(dot.attentionWeights.reshaped(to: [1, 1, 2, 10]), xlabel: "Keys", ylabel: "Queries",
                    "ch08-scoring-dot-product-scratch", log, figures: figures)
    }
    if models.contains(.concise) {
        let (out, w) = withNoGrad { dotProductAttentionConcise(q2, toy.keys, toy.values, validLens: toy.validLens) }
        log.write("scaled dot-product attention (concise, fused):\n\(out)\n")
        saveHeatmap(w.reshaped(to: [1, 1, 2, 10]), xlabel: "Keys", ylabel: "Queries",
                    "ch08-scoring-dot-product-concise", log, figures: figures)
    }
    log.write(BookResult("[[[2, 3, 4, 5]], [[10, 11, 12, 13]]]").line + "\n")
}

/// §10.5: multi-head attention (100 hiddens, 5 heads, dropout 0.5, eval) on the toy input;
/// §10.6 (`selfAttention`): the same on X, X, X. Returns the output shapes.
@discardableResult
func runMultihead(log: TextOutput, models: [ModelVersion], selfAttention: Bool) -> [[Int]] {
    log.write(selfAttention ? "§10.6 self-attention\n" : "§10.5 multi-head attention\n")
    let (numHiddens, numHeads) = (100, 5)
    let x = Tensor.ones([2, 4, numHiddens]), y = selfAttention ? x : Tensor.ones([2, 6, numHiddens])
    let validLens = [3, 2]
    var shapes: [[Int]] = []
    if models.contains(.scratch) {
        let attention = MultiHeadAttention(keySize: numHiddens, querySize: numHiddens, valueSize: numHiddens,
                                           numHiddens: numHiddens, numHeads: numHeads, dropout: 0.5)
        attention.eval()
        let out = withNoGrad { attention(x, y, y, validLens: validLens) }
        log.write("MultiHeadAttention (scratch): output shape \(describeShape(out.shape))\n")
        shapes.append(out.shape)
    }
    if models.contains(.concise) {
        let attention = multiHeadAttentionConcise(numHiddens: numHiddens, numHeads: numHeads, dropout: 0.5)
        attention.eval()
        let out = withNoGrad { attention(x, y, y, keyPaddingMask: keyPaddingMask(validLens: validLens, keys: y.shape[1])) }.output
        log.write("MultiheadAttention (concise): output shape \(describeShape(out.shape))\n")
        shapes.append(out.shape)
    }
    log.write(BookResult("torch.Size([2, 4, 100])").line + "\n")
    return shapes
}

/// §10.6.3: the positional encoding table for d = 32 and 60 steps, columns 6–9, and the binary
/// representations it is compared with.
func runPositionalEncoding(log: TextOutput, figures: Bool, models: [ModelVersion]) {
    let (dim, steps) = (32, 60)
    let P: Tensor
    if models.contains(.scratch) {
        let pe = PositionalEncodingScratch(numHiddens: dim, dropout: 0)
        pe.eval()
        P = pe(Tensor.zeros([1, steps, dim]))
    } else {
        let pe = PositionalEncoding(numHiddens: dim, dropout: 0)
        pe.eval()
        P = pe(Tensor.zeros([1, steps, dim]))
    }
    var plot = LinePlot(xlabel: "Row (position)", legend: (6..<10).map { "Col \($0)" }, figsize: (6, 2.5))
    let rows = P.reshaped(to: [steps, dim])
    for c in 6..<10 {
        plot.add(x: (0..<steps).map(Double.init), y: rows.slice(axis: 1, c..<c + 1).scalars.map(Double.init))
    }
    savePlot(plot, "ch08-self-attention-positional-encoding", log, figures: figures)
    for i in 0..<8 {
        let bits = String(i, radix: 2)
        log.write("\(i) in binary is \(String(repeating: "0", count: 3 - bits.count) + bits)\n")
    }
    saveHeatmap(P.reshaped(to: [1, 1, steps, dim]), xlabel: "Column (encoding dimension)", ylabel: "Row (position)", figsize: (3.5, 4), cmap: .blues,
                "ch08-self-attention-positional-encoding-heatmap", log, figures: figures)
}
