import D2L
import Foundation
import NN
import Tensor
import TestSupport
import XCTest
@testable import Chapter05_LeNet

/// Chapter05-LeNet (book §6.2–6.6): the scratch demos give the book's values, the scratch
/// and concise LeNets match PyTorch (golden) and each other, and the flags build the
/// architectures they name.
final class Chapter05Tests: XCTestCase {
    // MARK: §6.2–6.5

    func testCorr2dAndEdgeDetection() {
        XCTAssertEqual(corr2d(Tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), Tensor([[0, 1], [2, 3]])).scalars, [19, 25, 37, 43])
        let Y = corr2d(edgeImage(), edgeKernel)
        XCTAssertEqual(Y.shape, [6, 7])
        for r in 0..<6 {
            XCTAssertEqual(Array(Y.scalars[(r * 7)..<(r * 7 + 7)]), [0, 1, 0, 0, 0, -1, 0])
        }
        XCTAssertEqual(corr2d(edgeImage().transposed(), edgeKernel).scalars, [Float](repeating: 0, count: 40))
    }

    func testLearningTheEdgeKernelConvergesToOneMinusOne() {
        Tensor.manualSeed(0)
        let (kernel, losses) = learnKernel()
        XCTAssertEqual(kernel.shape, [1, 2])
        XCTAssertEqual(kernel.scalars[0], 1, accuracy: 0.1)
        XCTAssertEqual(kernel.scalars[1], -1, accuracy: 0.1)
        XCTAssertEqual(losses.count, 10)
        XCTAssertLessThan(losses[9], 0.2)
        XCTAssertLessThan(losses[9], losses[1] / 10)
    }

    func testPaddingAndStrideShapes() {
        XCTAssertEqual(compConv2d(kernelSize: (3, 3), padding: (1, 1)), [8, 8])
        XCTAssertEqual(compConv2d(kernelSize: (5, 3), padding: (2, 1)), [8, 8])
        XCTAssertEqual(compConv2d(kernelSize: (3, 3), padding: (1, 1), stride: (2, 2)), [4, 4])
        XCTAssertEqual(compConv2d(kernelSize: (3, 5), padding: (0, 1), stride: (3, 4)), [2, 2])
    }

    func testMultiChannelCorrelationAndOneByOne() {
        let (X, K) = multiChannelExample()
        XCTAssertEqual(corr2dMultiIn(X, K).scalars, [56, 72, 104, 120])
        let K3 = Tensor.stack([K, K + 1, K + 2], axis: 0)
        XCTAssertEqual(corr2dMultiInOut(X, K3).scalars, [56, 72, 104, 120, 76, 100, 148, 172, 96, 128, 192, 224])
        var g = SeededGenerator(seed: 5)
        let X1 = Tensor.randn([3, 3, 3], generator: &g), K1 = Tensor.randn([2, 3, 1, 1], generator: &g)
        let c = compare(corr2dMultiInOut1x1(X1, K1), corr2dMultiInOut(X1, K1), atol: 1e-5, rtol: 1e-5, label: "1×1")
        XCTAssert(c.ok, c.description)
        // And both equal the library's conv2d with that kernel.
        let conv = Tensor.conv2d(X1.reshaped(to: [1, 3, 3, 3]), weight: K1).reshaped(to: [2, 3, 3])
        XCTAssert(compare(corr2dMultiInOut1x1(X1, K1), conv, label: "1×1 vs conv2d").ok)
    }

    func testPool2dLoopsMatchTheBookAndTheLibrary() {
        let X = Tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
        XCTAssertEqual(pool2d(X, poolSize: (2, 2), mode: .max).scalars, [4, 5, 7, 8])
        XCTAssertEqual(pool2d(X, poolSize: (2, 2), mode: .avg).scalars, [2, 3, 5, 6])
        var g = SeededGenerator(seed: 9)
        let R = Tensor.randn([5, 6], generator: &g), R4 = R.reshaped(to: [1, 1, 5, 6])
        XCTAssert(compare(pool2d(R, poolSize: (2, 3), mode: .max),
                          R4.maxPool2d(kernelSize: (2, 3), stride: (1, 1)).reshaped(to: [4, 4]), label: "max").ok)
        XCTAssert(compare(pool2d(R, poolSize: (2, 3), mode: .avg),
                          R4.avgPool2d(kernelSize: (2, 3), stride: (1, 1)).reshaped(to: [4, 4]), label: "avg").ok)
    }

    func testDemosPrintTheBookValues() {
        var text = ""
        Tensor.manualSeed(0)
        runScratchDemos { text += $0 + "\n" }
        XCTAssert(text.contains("[[19., 25.],"), text)
        XCTAssert(text.contains("epoch 10, loss "))
        XCTAssert(text.contains("(< 1e-6: true)"))
        XCTAssert(text.contains("tensor([[[[10.]]]], shape: (1, 1, 1, 1))"))
    }

    // MARK: §6.6 LeNet

    func testConciseLeNetHasTheBookShapes() {
        let shapes = layerShapes(lenet(), input: Tensor.zeros([1, 1, 28, 28]))
        XCTAssertEqual(shapes.map(\.name), ["Conv2d", "Sigmoid", "AvgPool2d", "Conv2d", "Sigmoid", "AvgPool2d",
                                            "Flatten", "Linear", "Sigmoid", "Linear", "Sigmoid", "Linear"])
        XCTAssertEqual(shapes.map(\.shape), [[1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10],
                                             [1, 16, 10, 10], [1, 16, 5, 5], [1, 400], [1, 120], [1, 120],
                                             [1, 84], [1, 84], [1, 10]])
        XCTAssert(shapeTable(shapes).hasPrefix("Conv2d output shape:      (1, 6, 28, 28)"))
        XCTAssertEqual(lenet().parameterCount, 61_706)
        XCTAssertEqual(LeNetScratch().parameterCount, 61_706)
    }

    /// The golden case's parameters, in `parameters()` order.
    private func goldenParameters(_ c: GoldenCase) -> [Tensor] {
        ["c1_w", "c1_b", "c2_w", "c2_b", "f1_w", "f1_b", "f2_w", "f2_b", "f3_w", "f3_b"].map { c.input($0) }
    }

    /// Loss and gradients (every parameter, then X) of mean cross-entropy.
    private func lossAndGrads(_ forward: (Tensor) -> Tensor, _ params: [Parameter], _ X: Tensor,
                              _ labels: [Int]) -> (Float, [Tensor]) {
        var x = X.detached()
        x.requiresGrad = true
        for p in params { p.zeroGrad() }
        let l = CrossEntropyLoss()(forward(x), labels)
        l.backward()
        return (l.item(), params.map { $0.grad! } + [x.grad!])
    }

    /// Compares with an absolute tolerance scaled to the expected values (X's gradients are ~1e-6).
    private func assertClose(_ got: Tensor, _ expected: Tensor, _ label: String) {
        let scale = expected.scalars.map(abs).max() ?? 1
        let c = compare(got, expected, atol: 1e-4 * scale + 1e-10, rtol: 1e-3, label: label)
        XCTAssert(c.ok, c.description)
    }

    func testScratchAndConciseLeNetMatchPyTorchGolden() throws {
        let c = try Golden.case("models", "lenet_loss_and_grads")
        let labels = c.intInputs["labels"]!.data
        let names = ["c1_w", "c1_b", "c2_w", "c2_b", "f1_w", "f1_b", "f2_w", "f2_b", "f3_w", "f3_b", "X"]
        func check(_ forward: (Tensor) -> Tensor, _ params: [Parameter], _ label: String) {
            XCTAssertEqual(params.count, 10)
            for (p, v) in zip(params, goldenParameters(c)) {
                XCTAssertEqual(p.shape, v.shape)
                p.value = v
            }
            let (loss, grads) = lossAndGrads(forward, params, c.input("X"), labels)
            XCTAssertEqual(loss, c.output.item(), accuracy: 1e-5, label)
            for (g, name) in zip(grads, names) { assertClose(g, c.grad(name), "\(label) d/d\(name)") }
        }
        let concise = lenet(), scratch = LeNetScratch()
        check({ concise($0) }, concise.parameters(), "concise")
        check({ scratch($0) }, scratch.parameters(), "scratch")
    }

    func testScratchAndConciseAgreeWithTheSameWeights() {
        var config = LeNetConfig()
        config.pool = .max
        config.activation = .relu
        config.kernelSize = 3
        config.channels = [4, 8, 8]
        config.fc = [32]
        Tensor.manualSeed(3)
        let concise = lenetVariant(config), scratch = LeNetScratchVariant(config)
        XCTAssertEqual(concise.parameters().map(\.shape), scratch.parameters().map(\.shape))
        for (a, b) in zip(scratch.parameters(), concise.parameters()) { a.value = b.value + 0 }
        var g = SeededGenerator(seed: 4)
        let X = Tensor.rand([3, 1, 28, 28], generator: &g)
        let (l1, g1) = lossAndGrads({ concise($0) }, concise.parameters(), X, [1, 7, 3])
        let (l2, g2) = lossAndGrads({ scratch($0) }, scratch.parameters(), X, [1, 7, 3])
        XCTAssertEqual(l1, l2, accuracy: 1e-6)
        for (i, (a, b)) in zip(g1, g2).enumerated() { assertClose(b, a, "grad \(i)") }
        let maps1 = convActivations(concise, X), maps2 = withNoGrad { scratch.activations(X) }
        XCTAssertEqual(maps1.map(\.shape), [[3, 4, 28, 28], [3, 8, 12, 12], [3, 8, 4, 4]])
        for (a, b) in zip(maps1, maps2) { XCTAssert(compare(b, a, label: "activations").ok) }
    }

    // MARK: Flags

    private func exercise(_ args: [String]) throws -> LeNetExercise {
        try LeNetExercise(chapterCommand().parse(args).parsed)
    }

    func testFlagsBuildTheNamedArchitecture() throws {
        let args = ["--pool", "max", "--activation", "relu", "--channels", "8,16", "--fc", "100,50",
                    "--lr", "0.1", "--init", "normal", "--model", "scratch"]
        let o = try chapterCommand().parse(args), e = try exercise(args)
        XCTAssertEqual(e.config.pool, .max)
        XCTAssertEqual(e.config.activation, .relu)
        XCTAssertEqual(o.models, [.scratch])
        XCTAssertFalse(e.xavierInit)
        XCTAssertFalse(e.isLesson)
        XCTAssertEqual(o.lr, 0.1)
        let net = lenetVariant(e.config)
        XCTAssertEqual(net.parameters().map(\.shape), [[8, 1, 5, 5], [8], [16, 8, 5, 5], [16], [100, 400], [100],
                                                       [50, 100], [50], [10, 50], [10]])
        XCTAssertEqual(layerShapes(net, input: Tensor.zeros([1, 1, 28, 28])).map(\.name),
                       ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten",
                        "Linear", "ReLU", "Linear", "ReLU", "Linear"])
        XCTAssertEqual(LeNetScratchVariant(e.config).parameters().map(\.shape), net.parameters().map(\.shape))
        XCTAssertEqual(o.figureName("lenet", "scratch"),
                       "ch05-lenet-scratch-lr-0.1-pool-max-activation-relu-channels-8-16-fc-100-50-init-normal")
        XCTAssertTrue(try exercise([]).isLesson, "no exercise flag: the lesson's lenet() and LeNetScratch")
        XCTAssertEqual(try chapterCommand().parse([]).models, [.scratch, .concise], "both versions by default")
    }

    /// The exercise variant with the default configuration is the lesson's LeNet, layer for layer.
    func testDefaultVariantIsTheLessonsLeNet() {
        Tensor.manualSeed(2)
        let a = lenet()
        Tensor.manualSeed(2)
        let b = lenetVariant(LeNetConfig())
        XCTAssertEqual(a.description, b.description)
        XCTAssertEqual(a.parameters().map(\.value.scalars), b.parameters().map(\.value.scalars), "same draws, same order")
    }

    func testKernelSizeAndConvLayersDeriveTheFlattenedSize() throws {
        let e = try exercise(["--conv-layers", "3", "--kernel-size", "3", "--activation", "tanh"])
        XCTAssertEqual(e.config.channels, [6, 16, 32])
        // 28 → conv(p1) 28 → 14 → conv 12 → 6 → conv 4 → 2: 32·2·2 = 128 inputs to the first Linear.
        let net = lenetVariant(e.config)
        XCTAssertEqual((net.layers.first { $0 is Linear } as! Linear).inputSize, 128)
        XCTAssertEqual(withNoGrad { net(Tensor.zeros([2, 1, 28, 28])) }.shape, [2, 10])
        XCTAssertEqual(try exercise(["--conv-layers", "1"]).config.channels, [6])
    }

    func testBadFlagCombinationsAreRejected() throws {
        // Three 5×5 blocks shrink 28×28 below what the third pooling needs.
        XCTAssertThrowsError(try exercise(["--conv-layers", "3"])) { XCTAssert("\($0)".contains("block 3"), "\($0)") }
        XCTAssertThrowsError(try exercise(["--conv-layers", "3", "--channels", "6,16"])) { XCTAssert($0 is OptionError) }
        for args in [["--pool", "min"], ["--chanels", "6,16"], ["--epochs", "0"], ["--channels", "6,x"]] {
            XCTAssertThrowsError(try chapterCommand().parse(args), "\(args)")
        }
    }

    /// Issue 9 item 12: `--channels` and `--fc` have upper bounds with a clear message (before:
    /// `--fc 1000000000` aborted on a 1.6 TB allocation, `--channels 100000` grew to 24 GB).
    func testSizeFlagsAreBounded() {
        for (args, option) in [(["--channels", "6,100000"], "channels"), (["--fc", "1000000000"], "fc"),
                               (["--batch-size", "100000000"], "batch-size"), (["--threads", "5000"], "threads")] {
            XCTAssertThrowsError(try chapterCommand().parse(args)) { error in
                guard case .checkFailed(let name, _, let message)? = error as? OptionError else { return XCTFail("\(error)") }
                XCTAssertEqual(name, option)
                XCTAssertTrue(message.hasPrefix("must be between 1 and "), message)
            }
        }
    }

    func testHelpListsTheCommonOptions() {
        assertListsCommonOptions(chapterCommand().usage())
    }

    /// Both versions train (2 batches, 1 epoch) and each prints the book's result under ours.
    func testBothVersionsTrainAndPrintTheBookLine() throws {
        let data = try fashionMNISTSubset(batchSize: 32, trainBatches: 2)
        let o = try chapterCommand().parse(["--epochs", "1", "--no-progress"])
        let captured = CapturedReport()
        var finals: [Double] = []
        try o.forEachModel { finals.append(try runLeNet($0, o, report: captured.report, data: data).final.trainLoss) }
        XCTAssertEqual(finals.count, 2)
        XCTAssertTrue(finals.allSatisfy { (1.5...3.5).contains($0) }, "\(finals)")
        XCTAssertEqual(captured.text.components(separatedBy: bookLeNet.line).count - 1, 2, captured.text)
        XCTAssertTrue(bookLeNet.line.hasSuffix("(loss 0.451–0.497, train 0.811–0.834, test 0.779–0.824 over 20 builds)"))
    }

    /// The book's corr2d loops agree with the library's differentiable `Tensor.corr2d`.
    func testCorr2dLoopsMatchTheLibrary() {
        var g = SeededGenerator(seed: 11)
        let X = Tensor.randn([7, 9], generator: &g), K = Tensor.randn([3, 2], generator: &g)
        let c = compare(corr2d(X, K), withNoGrad { Tensor.corr2d(X, K) }, atol: 1e-5, rtol: 1e-5, label: "corr2d")
        XCTAssert(c.ok, c.description)
    }

    func testMissingDataSetIsADataError() throws {
        let hub = DataHub(dataDirectory: NSTemporaryDirectory() + "no-such-dir", checkoutDatasets: nil,
                          allowDownload: false)
        XCTAssertThrowsError(try readIDXImageSets(.mnist, splits: ["t10k"], hub: hub)) { error in
            XCTAssert(error is DataError)
            XCTAssert("\(error)".contains("MNIST"), "\(error)")
        }
    }

    // MARK: Activations

    func testActivationFiguresForPulloverAndCoat() throws {
        var g = SeededGenerator(seed: 1)
        let X = Tensor.rand([6, 1, 28, 28], generator: &g)
        let testIter = loadArray(features: X, labels: Tensor([0, 4, 2, 2, 4, 1]), batchSize: 4, shuffle: false)
        let images = try XCTUnwrap(pulloverAndCoat(testIter))
        XCTAssertEqual(images.shape, [2, 1, 28, 28])
        XCTAssertEqual(images.slice(axis: 0, 0..<1).scalars, X.slice(axis: 0, 2..<3).scalars)  // first label 2
        XCTAssertEqual(images.slice(axis: 0, 1..<2).scalars, X.slice(axis: 0, 1..<2).scalars)  // first label 4
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ch05-\(UUID().uuidString)")
        let saved = Figures.directory
        Figures.directory = dir
        defer { Figures.directory = saved; try? FileManager.default.removeItem(at: dir) }
        let urls = try saveActivations(convActivations(lenet(), images), images: images, prefix: "t")
        XCTAssertEqual(urls.map(\.lastPathComponent), ["t-conv1-activations.svg", "t-conv2-activations.svg"])
        let svg = try String(contentsOf: urls[1], encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<image").count - 1, 2 * 17)  // 2 rows × (input + 16 channels)
        XCTAssert(svg.contains(">coat<"))
    }
}
