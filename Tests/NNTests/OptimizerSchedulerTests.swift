import NN
import Tensor
import XCTest

/// Learning-rate schedules (book §11.11) against hand-computed sequences.
final class OptimizerSchedulerTests: XCTestCase {
    private func assertClose(_ got: [Float], _ expected: [Double], _ label: String, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, label, line: line)
        for (i, (a, b)) in zip(got, expected).enumerated() {
            XCTAssertEqual(Double(a), b, accuracy: 1e-6 * max(1, abs(b)), "\(label) epoch \(i)", line: line)
        }
    }

    private func sgd(_ lr: Float) -> SGD { SGD(parameters: [Parameter(Tensor([0]))], lr: lr) }

    func testStepLR() {
        let s = StepLR(optimizer: sgd(1), stepSize: 3, gamma: 0.5)
        assertClose(s.lrs(8), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25], "StepLR")
    }

    func testMultiStepLRSetsTheOptimizerRate() {
        let opt = sgd(0.5)
        let s = MultiStepLR(optimizer: opt, milestones: [15, 30], gamma: 0.5)
        var seen: [Float] = []
        for _ in 0..<32 { seen.append(opt.lr); s.step() }
        assertClose(seen, Array(repeating: 0.5, count: 15) + Array(repeating: 0.25, count: 15) + [0.125, 0.125],
                    "MultiStepLR")
    }

    /// T = 20, η₀ = 0.3, η_min = 0.01: η_e = 0.01 + 0.29·(1 + cos(πe/20))/2.
    func testCosineAnnealing() {
        let s = CosineAnnealingLR(optimizer: sgd(0.3), tMax: 20, etaMin: 0.01)
        let expected: [Double] = [0.300000, 0.298215, 0.292903, 0.284196, 0.272307, 0.257530, 0.240229, 0.220829,
                                  0.199807, 0.177683, 0.155000, 0.132317, 0.110193, 0.089171, 0.069771, 0.052470,
                                  0.037693, 0.025804, 0.017097, 0.011785, 0.010000, 0.010000, 0.010000]
        for (e, v) in expected.enumerated() {
            let want = e <= 20 ? 0.01 + 0.29 * (1 + cos(Double.pi * Double(e) / 20)) / 2 : 0.01
            XCTAssertEqual(v, want, accuracy: 1e-6)      // the table above is the formula, rounded to 6 places
        }
        for (e, lr) in s.lrs(23).enumerated() { XCTAssertEqual(Double(lr), expected[e], accuracy: 1e-6, "cosine epoch \(e)") }
    }

    /// Warm-up 5 epochs from 0 to 0.3, then cosine to 0.01 at epoch 20.
    func testCosineWithWarmup() {
        let s = CosineAnnealingLR(optimizer: sgd(0.3), tMax: 20, etaMin: 0.01, warmupEpochs: 5)
        let got = s.lrs(22)
        assertClose(Array(got[0..<6]), [0, 0.06, 0.12, 0.18, 0.24, 0.3], "warm-up")
        XCTAssertEqual(Double(got[20]), 0.01, accuracy: 1e-7)
        XCTAssertEqual(Double(got[21]), 0.01, accuracy: 1e-7)
        XCTAssertEqual(Double(got[10]), 0.01 + 0.29 * (1 + cos(Double.pi * 5 / 15)) / 2, accuracy: 1e-6)
    }
}
