import D2L
import Foundation
import NN
import Tensor
import TestSupport
import XCTest
@testable import Chapter06_ModernCNN

/// Chapter06-ModernCNN (book §7.1–7.7): the networks' shape walks equal the book's, the blocks
/// give the book's shapes, batch norm and the residual block from scratch equal the concise
/// ones, and a small network trains.
final class Chapter06Tests: XCTestCase {
    private func walk(_ net: Sequential, side: Int) -> [String] {
        shapeWalk(net, input: Tensor.zeros([1, 1, side, side])).map { "\($0.name) \(describeShape($0.shape))" }
    }

    // MARK: Shape walks (the book's printed shapes)

    func testAlexNetShapes() {
        XCTAssertEqual(walk(alexnet(), side: 224), [
            "Conv2d (1, 96, 54, 54)", "ReLU (1, 96, 54, 54)", "MaxPool2d (1, 96, 26, 26)",
            "Conv2d (1, 256, 26, 26)", "ReLU (1, 256, 26, 26)", "MaxPool2d (1, 256, 12, 12)",
            "Conv2d (1, 384, 12, 12)", "ReLU (1, 384, 12, 12)", "Conv2d (1, 384, 12, 12)", "ReLU (1, 384, 12, 12)",
            "Conv2d (1, 256, 12, 12)", "ReLU (1, 256, 12, 12)", "MaxPool2d (1, 256, 5, 5)", "Flatten (1, 6400)",
            "Linear (1, 4096)", "ReLU (1, 4096)", "Dropout (1, 4096)", "Linear (1, 4096)", "ReLU (1, 4096)",
            "Dropout (1, 4096)", "Linear (1, 10)"])
        XCTAssertEqual(walk(alexnet(inputSize: 96), side: 96)[12...13], ["MaxPool2d (1, 256, 1, 1)", "Flatten (1, 256)"])
    }

    func testVGGShapes() {
        XCTAssertEqual(vggBlock(numConvs: 2, inChannels: 3, outChannels: 8)(Tensor.zeros([2, 3, 10, 10])).shape, [2, 8, 5, 5])
        // The book prints the walk of the full-width VGG-11; the small one has a quarter of the channels.
        XCTAssertEqual(Array(walk(vgg11Small(), side: 224).prefix(7)), [
            "Sequential (1, 16, 112, 112)", "Sequential (1, 32, 56, 56)", "Sequential (1, 64, 28, 28)",
            "Sequential (1, 128, 14, 14)", "Sequential (1, 128, 7, 7)", "Flatten (1, 6272)", "Linear (1, 4096)"])
        XCTAssertEqual(vgg11ConvArch.map { $0.1 }, [64, 128, 256, 512, 512], "the full VGG-11 the book's walk prints")
        XCTAssertEqual(walk(vgg11Small(inputSize: 64), side: 64)[5], "Flatten (1, 512)")
    }

    func testNiNShapes() {
        XCTAssertEqual(ninBlock(inChannels: 1, outChannels: 96, kernelSize: 11, stride: 4, padding: 0).count, 6)
        XCTAssertEqual(walk(nin(), side: 224), [
            "Sequential (1, 96, 54, 54)", "MaxPool2d (1, 96, 26, 26)", "Sequential (1, 256, 26, 26)",
            "MaxPool2d (1, 256, 12, 12)", "Sequential (1, 384, 12, 12)", "MaxPool2d (1, 384, 5, 5)",
            "Dropout (1, 384, 5, 5)", "Sequential (1, 10, 5, 5)", "AdaptiveAvgPool2d (1, 10, 1, 1)", "Flatten (1, 10)"])
    }

    func testGoogLeNetShapes() {
        let inception = Inception(inChannels: 192, c1: 64, c2: (96, 128), c3: (16, 32), c4: 32)
        XCTAssertEqual(withNoGrad { inception(Tensor.zeros([2, 192, 5, 5]) )}.shape, [2, 256, 5, 5])
        XCTAssertEqual(inception.namedParameters().map(\.name).prefix(3), ["p1_1.weight", "p1_1.bias", "p2_1.weight"])
        XCTAssertEqual(walk(googlenet(), side: 96), [
            "Sequential (1, 64, 24, 24)", "Sequential (1, 192, 12, 12)", "Sequential (1, 480, 6, 6)",
            "Sequential (1, 832, 3, 3)", "Sequential (1, 1024)", "Linear (1, 10)"])
    }

    func testResNetShapes() {
        let x = Tensor.rand([4, 3, 6, 6])
        XCTAssertEqual(withNoGrad { Residual(inputChannels: 3, numChannels: 3)(x) }.shape, [4, 3, 6, 6])
        XCTAssertEqual(withNoGrad { Residual(inputChannels: 3, numChannels: 6, use1x1conv: true, strides: 2)(x) }.shape,
                       [4, 6, 3, 3])
        XCTAssertEqual(walk(resnet18(), side: 224), [
            "Sequential (1, 64, 56, 56)", "Sequential (1, 64, 56, 56)", "Sequential (1, 128, 28, 28)",
            "Sequential (1, 256, 14, 14)", "Sequential (1, 512, 7, 7)", "AdaptiveAvgPool2d (1, 512, 1, 1)",
            "Flatten (1, 512)", "Linear (1, 10)"])
        XCTAssertEqual(resnet18().parameterCount, 11_178_378, "ResNet-18 for 1 channel and 10 classes, as PyTorch counts")
    }

    func testDenseNetShapes() {
        let blk = DenseBlock(numConvs: 2, inputChannels: 3, numChannels: 10)
        let Y = withNoGrad { blk(Tensor.rand([4, 3, 8, 8])) }
        XCTAssertEqual(Y.shape, [4, 23, 8, 8])
        XCTAssertEqual(withNoGrad { transitionBlock(inputChannels: 23, numChannels: 10)(Y) }.shape, [4, 10, 4, 4])
        XCTAssertEqual(walk(densenet(), side: 96), [
            "Sequential (1, 64, 24, 24)", "DenseBlock (1, 192, 24, 24)", "Sequential (1, 96, 12, 12)",
            "DenseBlock (1, 224, 12, 12)", "Sequential (1, 112, 6, 6)", "DenseBlock (1, 240, 6, 6)",
            "Sequential (1, 120, 3, 3)", "DenseBlock (1, 248, 3, 3)", "BatchNorm2d (1, 248, 3, 3)", "ReLU (1, 248, 3, 3)",
            "AdaptiveAvgPool2d (1, 248, 1, 1)", "Flatten (1, 248)", "Linear (1, 10)"])
        // Quick configurations' image sizes go through every network (in evaluation mode: a 1×1 map
        // of one image has a single value per channel, which training-mode batch norm rejects).
        for (net, side) in [(densenet(), 32), (googlenet(), 28), (resnet18(), 28), (nin(), 67)] {
            net.eval()
            XCTAssertEqual(walk(net, side: side).last?.hasSuffix("(1, 10)"), true, "\(side)")
        }
    }

    // MARK: §7.5 batch norm, scratch = concise

    /// Copies the concise LeNet-BN's weights into the scratch one (γ and β reshaped to (1, C[, 1, 1])).
    private func copyWeights(from concise: Sequential, to scratch: Sequential) {
        let (src, dst) = (concise.parameters(), scratch.parameters())
        XCTAssertEqual(src.count, dst.count)
        for (s, d) in zip(src, dst) { d.value = s.value.reshaped(to: d.shape) }
    }

    func testBatchNormScratchEqualsConciseOverSeveralSteps() {
        Tensor.manualSeed(11)
        let concise = lenetBN(), scratch = lenetBNScratch()
        copyWeights(from: concise, to: scratch)
        let loss = CrossEntropyLoss()
        let optimizers = [SGD(parameters: scratch.parameters(), lr: 1), SGD(parameters: concise.parameters(), lr: 1)]
        let batch = 16
        for step in 0..<4 {
            let X = Tensor.rand([batch, 1, 28, 28]), y = Tensor((0..<batch).map { Float(($0 * 7 + step) % 10) })
            var losses: [Float] = []
            for (net, opt) in zip([scratch, concise], optimizers) {
                let l = loss(net(X), y)
                opt.zeroGrad()
                l.backward()
                opt.step()
                losses.append(l.item())
            }
            XCTAssertEqual(losses[0], losses[1], accuracy: 1e-4, "step \(step) loss")
        }
        for (s, c) in zip(scratch.namedParameters(), concise.namedParameters()) {
            let r = compare(s.parameter.value.reshaped(to: c.parameter.shape), c.parameter.value, atol: 1e-4, rtol: 1e-3,
                            label: "\(s.name) vs \(c.name)")
            XCTAssert(r.ok, r.description)
        }
        // Same running mean; the variances differ only by PyTorch's unbiased M/(M−1) factor on each batch term:
        // running − 0.9⁴ = M/(M−1)·(moving − 0.9⁴) with M = 16·24·24 values per channel of the first layer.
        let s1 = scratch[1] as! BatchNormScratch, c1 = concise[1] as! BatchNorm2d
        XCTAssert(compare(s1.movingMean.value.reshaped(to: [6]), c1.runningMean!, atol: 1e-5).ok)
        let decay = Float(pow(0.9, 4.0)), m = Float(batch * 24 * 24)
        let unbiased = (s1.movingVar.value.reshaped(to: [6]) - decay) * (m / (m - 1)) + decay
        let r = compare(unbiased, c1.runningVar!, atol: 1e-5, label: "running var")
        XCTAssert(r.ok, r.description)
        // Evaluation mode uses the moving statistics, not the batch's.
        scratch.eval()
        let X = Tensor.rand([2, 1, 28, 28])
        let direct = (X - s1.movingMean.value) / (s1.movingVar.value + 1e-5).sqrt() * s1.gamma.value + s1.beta.value
        XCTAssert(compare(s1(X), direct, atol: 1e-5).ok)
    }

    func testFirstBatchNormGammaBetaOfBothVersions() {
        let (g, b) = firstBatchNormGammaBeta(lenetBNScratch())
        XCTAssertEqual(g.scalars, [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(b.shape, [6])
        XCTAssertEqual(firstBatchNormGammaBeta(lenetBN()).gamma.shape, [6])
    }

    // MARK: §7.6 the residual block, scratch = concise

    private func checkResidualScratchEqualsConcise(_ block: Residual, strides: Int, file: StaticString = #filePath, line: UInt = #line) {
        var p = ResidualParams(inputChannels: block.conv1.inChannels, numChannels: block.conv1.outChannels,
                               use1x1conv: block.conv3 != nil, strides: strides)
        XCTAssertEqual(p.all.count, block.parameters().count, file: file, line: line)
        for (d, s) in zip(p.all, block.parameters()) { d.value = s.value.reshaped(to: d.shape) }
        p.strides = strides
        var x = Tensor.randn([4, 3, 6, 6]); x.requiresGrad = true
        var x2 = x.detached(); x2.requiresGrad = true
        let yConcise = block(x), yScratch = residual(x2, p)
        XCTAssert(compare(yScratch, yConcise, atol: 1e-5).ok, "outputs", file: file, line: line)
        let w = Tensor.randn(yConcise.shape)
        (yConcise * w).sum().backward()
        (yScratch * w).sum().backward()
        XCTAssert(compare(x2.grad!, x.grad!, atol: 1e-4, rtol: 1e-3).ok, "input gradient", file: file, line: line)
        for ((name, c), s) in zip(block.namedParameters(), p.all) {
            let r = compare(s.grad!.reshaped(to: c.shape), c.grad!, atol: 1e-4, rtol: 1e-3, label: name)
            XCTAssert(r.ok, r.description, file: file, line: line)
        }
    }

    func testResidualScratchEqualsConcise() {
        Tensor.manualSeed(12)
        checkResidualScratchEqualsConcise(Residual(inputChannels: 3, numChannels: 3), strides: 1)
        checkResidualScratchEqualsConcise(Residual(inputChannels: 3, numChannels: 6, use1x1conv: true, strides: 2), strides: 2)
    }

    // MARK: Training and the command line

    /// Synthetic 28×28 images whose class (0…3) is the bright quadrant, plus noise (exactly
    /// repeated images leave channels without variance, whose batch-norm gradients blow up).
    private func quadrantImages(_ n: Int) -> (images: Tensor, labels: Tensor) {
        var pixels = [Float](repeating: 0, count: n * 28 * 28), labels = [Float](repeating: 0, count: n)
        for i in 0..<n {
            let q = i % 4
            labels[i] = Float(q)
            for r in 0..<14 { for c in 0..<14 { pixels[i * 784 + (r + 14 * (q / 2)) * 28 + c + 14 * (q % 2)] = 1 } }
        }
        return (Tensor(shape: [n, 1, 28, 28], scalars: pixels) * 0.6 + Tensor.rand([n, 1, 28, 28]) * 0.4, Tensor(labels))
    }

    /// Both LeNet-BN versions learn the quadrant task with `trainCh6` at the book's lr 1.0; their
    /// evaluation (moving statistics) agrees with training.
    func testLeNetBNTrainsOnATinySet() throws {
        for makeNet in [lenetBN, lenetBNScratch] {
            Tensor.manualSeed(13)
            let (images, labels) = quadrantImages(256)
            let data = loadArray(features: images, labels: labels, batchSize: 32, seed: 1)
            let history = try trainCh6(net: makeNet(), trainIter: data, testIter: data, numEpochs: 3, lr: 1.0,
                                       report: .silent)
            XCTAssertLessThan(history.epochs.last!.trainLoss, history.epochs.first!.trainLoss)
            XCTAssertGreaterThan(history.final.testAcc!, 0.9)
        }
    }

    /// One SGD step of ResNet-18 at the quick configuration's 28×28 runs and is finite.
    func testResNetStepAt28() {
        Tensor.manualSeed(14)
        let (images, labels) = quadrantImages(8)
        let net = resnet18()
        let l = CrossEntropyLoss()(net(images), labels)
        l.backward()
        XCTAssert(l.item().isFinite)
        XCTAssert(net.parameters().allSatisfy { $0.grad != nil })
    }

    /// `trainCh6`'s `lrSchedule` is stepped once per batch (not per epoch): a cosine over the
    /// run's 2 × 4 steps ends at rate 0; the chapter's `--cosine-lr` and the quick ResNet,
    /// DenseNet, GoogLeNet and AlexNet configurations turn it on, the book's configurations never.
    func testCosineScheduleStepsPerBatch() throws {
        Tensor.manualSeed(15)
        let (images, labels) = quadrantImages(32)
        let data = loadArray(features: images, labels: labels, batchSize: 8, seed: 1)
        var scheduler: LRScheduler?
        try trainCh6(net: lenetBN(), trainIter: data, testIter: data, numEpochs: 2, lr: 0.5,
                     lrSchedule: { optimizer in
                         let s = CosineAnnealingLR(optimizer: optimizer, tMax: 8)
                         scheduler = s
                         return s
                     }, report: .silent)
        XCTAssertEqual(scheduler?.epoch, 8)
        XCTAssertEqual(scheduler?.optimizer.lr ?? 1, 0, accuracy: 1e-6)

        let cosine = Dictionary(uniqueKeysWithValues: modelSections.map { ($0.name, $0.quick.cosineLR) })
        XCTAssertEqual(cosine.filter { $0.value }.keys.sorted(), ["alexnet", "densenet", "googlenet", "nin", "resnet", "vgg"])
        XCTAssert(modelSections.allSatisfy { !$0.book.cosineLR })
        XCTAssert(modelSections[5].quick.summary.contains("cosine"))
        let o = try chapterCommand().parse(["vgg", "--cosine-lr"])
        XCTAssert(modelSections[1].book.overridden(by: o).cosineLR)
    }

    /// `--warmup w`: the first step runs at `lr / w` (not at 0, nor at the full rate), the rate
    /// reaches `lr` after `w` steps, then the cosine takes it to 0 at the run's last step; the
    /// option turns the cosine on.
    func testWarmupThenCosine() throws {
        let optimizer = SGD(parameters: [Parameter(Tensor.zeros([1]))], lr: 0.4)
        let s = cosineSchedule(optimizer, steps: 10, warmup: 4)
        var rates = [optimizer.lr]
        for _ in 0..<10 { s.step(); rates.append(optimizer.lr) }
        for (got, want) in zip(rates.prefix(5), [Float(0.1), 0.175, 0.25, 0.325, 0.4]) {
            XCTAssertEqual(got, want, accuracy: 1e-6, "warm-up rates \(rates)")
        }
        XCTAssert(zip(rates.dropFirst(4), rates.dropFirst(5)).allSatisfy { $0 > $1 }, "no decay after the warm-up: \(rates)")
        XCTAssertEqual(rates[10], 0, accuracy: 1e-6)
        let plain = SGD(parameters: [Parameter(Tensor.zeros([1]))], lr: 0.4)
        _ = cosineSchedule(plain, steps: 10, warmup: 0)
        XCTAssertEqual(plain.lr, 0.4)

        let c = modelSections[1].book.overridden(by: try chapterCommand().parse(["vgg", "--warmup", "50"]))
        XCTAssert(c.cosineLR && c.warmup == 50 && c.summary.contains("warmed up over 50 steps"))
    }

    func testHelpListsTheCommonOptionsAndTheChapterOnes() {
        let usage = chapterCommand().usage()
        assertListsCommonOptions(usage)
        for piece in ["alexnet", "vgg", "nin", "googlenet", "batch-norm", "resnet", "densenet", "--book", "--train-size", "--resize"] {
            XCTAssert(usage.contains(piece), "--help lacks \(piece)")
        }
    }

    func testConfigurationsOverride() throws {
        let o = try chapterCommand().parse(["resnet", "--epochs", "1", "--train-size", "60000", "--resize", "28"])
        let resnet = modelSections.first { $0.name == "resnet" }!
        let c = resnet.book.overridden(by: o)
        XCTAssertEqual(c, TrainConfig(resize: nil, batchSize: 256, epochs: 1, lr: 0.05, trainSize: nil))
        XCTAssertEqual(resnet.quick.overridden(by: try chapterCommand().parse([])), resnet.quick)
        XCTAssertEqual(modelSections.map(\.name), ["alexnet", "vgg", "nin", "googlenet", "batch-norm", "resnet", "densenet"])
    }

    /// The quick configurations of the networks without batch norm use He init (with Xavier,
    /// VGG-small at 32 px sits at loss 2.30: its logits barely depend on the input), and
    /// `kaimingInitWeights` reaches every convolution inside nested blocks and `Inception`.
    func testQuickNoBatchNormNetworksUseHeInit() throws {
        let he = Dictionary(uniqueKeysWithValues: modelSections.map { ($0.name, $0.quick.heInit) })
        XCTAssertEqual(he, ["alexnet": true, "vgg": true, "nin": true, "googlenet": true,
                            "batch-norm": false, "resnet": false, "densenet": false])
        XCTAssert(modelSections.allSatisfy { !$0.book.heInit })
        XCTAssert(modelSections[1].quick.summary.contains("He (Kaiming) init"))
        let o = try chapterCommand().parse(["vgg", "--he-init"])
        XCTAssert(modelSections[1].book.overridden(by: o).heInit)

        Tensor.manualSeed(3)
        let net = Sequential(ninBlock(inChannels: 2, outChannels: 4, kernelSize: 3, stride: 1, padding: 1),
                             Inception(inChannels: 4, c1: 2, c2: (2, 3), c3: (2, 3), c4: 2))
        for m in net.modules() { if let c = m as? Conv2d { Init.zeros(c.weight) } }
        kaimingInitWeights(net)
        var convs = 0
        for m in net.modules() {
            guard let c = m as? Conv2d else { continue }
            convs += 1
            let fanIn = c.weight.shape.dropFirst().reduce(1, *)
            let bound = (6 / Float(fanIn)).squareRoot()
            let w = c.weight.value.scalars
            XCTAssert(w.allSatisfy { abs($0) <= bound } && w.contains { $0 != 0 }, "conv \(convs) not He-initialised")
        }
        XCTAssertEqual(convs, 9)

        // At VGG-small's quick size the logits' spread with He init is far above Xavier's.
        func logitSpread(_ initialise: (Module) -> Void) -> Float {
            Tensor.manualSeed(5)
            let vgg = vgg11Small(inputSize: 32)
            vgg.eval()
            initialise(vgg)
            let y = withNoGrad { vgg(Tensor.rand([4, 1, 32, 32])) }.scalars
            let mean = y.reduce(0, +) / Float(y.count)
            return (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(y.count)).squareRoot()
        }
        XCTAssertGreaterThan(logitSpread(kaimingInitWeights), 10 * logitSpread(xavierInitWeights))
    }
}
