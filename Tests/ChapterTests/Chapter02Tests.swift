import Foundation
import XCTest
@testable import Chapter02_LinearRegression
import D2L
import NN
import Tensor
import TestSupport

/// Chapter02-LinearRegression (book §3.1–3.3).
final class Chapter02Tests: XCTestCase {
    private func data(seed: UInt64 = 42) -> (X: Tensor, y: Tensor) {
        Tensor.manualSeed(seed)
        return syntheticData(w: trueW, b: trueB, numExamples: 1000)
    }

    /// The book's run (1000 examples, batch 10, lr 0.03, 3 epochs) takes milliseconds, so it runs
    /// in full: both versions recover w = [2, −3.4] and b = 4.2 to better than 0.01.
    func testBookRunRecoversTheParameters() throws {
        let (X, y) = data()
        var lines: [String] = []
        let scratch = try linearRegressionScratch(features: X, labels: y, batches: dataIter(batchSize: 10, features: X, labels: y),
                                              lr: 0.03, numEpochs: 3, log: { lines.append($0) })
        let concise = try linearRegressionConcise(features: X, labels: y, dataIter: loadArray(features: X, labels: y, batchSize: 10),
                                              lr: 0.03, numEpochs: 3, log: { lines.append($0) })
        for r in [scratch, concise] {
            XCTAssertLessThan(r.wError.map(abs).max()!, 0.01)
            XCTAssertLessThan(abs(r.bError), 0.01)
        }
        XCTAssertLessThan(scratch.epochLosses.last!, 1e-4, "½·σ² = 5e-5")
        XCTAssertLessThan(concise.epochLosses.last!, 2e-4, "σ² = 1e-4")
        XCTAssertGreaterThan(scratch.epochLosses.first!, scratch.epochLosses.last!)
        XCTAssertEqual(lines.count, 6)
        XCTAssertEqual(lines[0], "epoch 1, loss " + String(format: "%f", scratch.epochLosses[0]))
    }

    /// Same start, same batches: scratch (½(ŷ − y)² summed, sgd dividing by the batch) with
    /// learning rate 2η takes exactly the steps of the concise MSELoss (no ½, mean) with η, and
    /// its printed loss is half the concise one.
    func testScratchMatchesConciseStepForStep() throws {
        let (X, y) = data(seed: 7)
        let batches = loadArray(features: X, labels: y, batchSize: 10, shuffle: false)
        let w0 = Tensor([[0.3], [-0.2]])
        let scratch = try linearRegressionScratch(features: X, labels: y, batches: batches, lr: 0.02, numEpochs: 1,
                                              w: w0, log: { _ in })
        let concise = try linearRegressionConcise(features: X, labels: y, dataIter: batches, lr: 0.01, numEpochs: 1,
                                              w: w0, log: { _ in })
        XCTAssertTrue(compare(Tensor(scratch.w), Tensor(concise.w), atol: 1e-5, rtol: 1e-4, label: "w").ok)
        XCTAssertEqual(scratch.b, concise.b, accuracy: 1e-5)
        XCTAssertEqual(scratch.epochLosses[0] * 2, concise.epochLosses[0], accuracy: 1e-6)
    }

    func testDataIterVisitsEveryExampleOnceInRandomOrder() {
        let X = Tensor(shape: [25, 2], scalars: (0..<50).map(Float.init)), y = Tensor(shape: [25, 1], scalars: (0..<25).map(Float.init))
        let batches = Array(dataIter(batchSize: 10, features: X, labels: y, seed: 1))
        XCTAssertEqual(batches.map { $0.X.shape }, [[10, 2], [10, 2], [5, 2]])
        let seen = batches.flatMap { $0.y.scalars }
        XCTAssertEqual(seen.sorted(), (0..<25).map(Float.init))
        XCTAssertNotEqual(seen, (0..<25).map(Float.init), "shuffled")
        for b in batches { XCTAssertEqual(b.X.scalars.enumerated().filter { $0.offset % 2 == 0 }.map { $0.element / 2 }, b.y.scalars) }
    }

    func testVectorizationAndNormalDensity() throws {
        var lines: [String] = []
        let t = vectorizationDemo(n: 1000, log: { lines.append($0) })
        XCTAssertTrue(t.loop > 0 && t.vectorized > 0)
        XCTAssertEqual(lines.count, 2)
        // The density integrates to 1 and peaks at 1/√(2πσ²).
        let x = stride(from: -20.0, to: 20.0, by: 0.01).map { $0 }
        XCTAssertEqual(normal(x, mu: 3, sigma: 2).reduce(0, +) * 0.01, 1, accuracy: 1e-6)
        XCTAssertEqual(normal([3], mu: 3, sigma: 2)[0], 1 / (8 * Double.pi).squareRoot(), accuracy: 1e-12)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("normal-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: url) }
        let saved = try plotNormalDistributions(file: url.path)
        XCTAssertTrue(try String(contentsOf: saved, encoding: .utf8).contains("mean 3, std 1"))
    }

    // MARK: Command line and divergence

    /// The chapter's run prints the book's result under ours, and a section run alone prints what
    /// it prints inside `all` (each section reseeds).
    func testBookLineAndReproducibleSections() throws {
        var alone: [String] = [], inside: [String] = []
        let concise = try chapterCommand().parse(["concise"])
        try concise.section("concise") { try runLinearRegression(.concise, concise, log: { alone.append($0) }) }
        let all = try chapterCommand().parse([])
        all.section("scratch") { }
        try all.section("concise") { try runLinearRegression(.concise, all, log: { inside.append($0) }) }
        XCTAssertEqual(alone, inside)
        XCTAssertTrue(alone.last!.hasPrefix("book:  epoch 3, loss 0.000103"), alone.last!)
        XCTAssertTrue(alone.last!.hasSuffix("(final loss 0.000094–0.000112 over 20 builds)"))
    }

    /// Issue 9 item 4: `--lr 10` diverges; the run stops with one line naming the epoch and batch
    /// and a hint, and exits non-zero (before: `loss -nan` and exit 0).
    func testDivergenceStopsTheRun() throws {
        let o = try chapterCommand().parse(["scratch", "--lr", "10"])
        XCTAssertThrowsError(try runLinearRegression(.scratch, o, log: { _ in })) { error in
            guard case .nonFiniteLoss(_, let epoch, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(epoch, 1)
            XCTAssertTrue("\(error)".contains("try a smaller --lr"))
        }
        let concise = try chapterCommand().parse(["concise", "--lr", "10"])
        XCTAssertThrowsError(try runLinearRegression(.concise, concise, log: { _ in }))
    }
}
