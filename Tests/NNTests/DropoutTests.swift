import NN
import Tensor
import XCTest

final class DropoutTests: XCTestCase {
    func testTrainingDropsAboutPAndScales() {
        Tensor.manualSeed(11)
        let d = Dropout(0.3)
        let y = d(Tensor.ones([100, 100])).scalars
        let zeros = y.filter { $0 == 0 }.count
        XCTAssertEqual(Double(zeros) / 10_000, 0.3, accuracy: 0.02)
        XCTAssert(y.allSatisfy { $0 == 0 || abs($0 - 1 / 0.7) < 1e-6 })
        // Reproducible from the seed.
        Tensor.manualSeed(11)
        XCTAssertEqual(d(Tensor.ones([100, 100])).scalars, y)
    }

    func testGradientUsesTheSameMask() {
        Tensor.manualSeed(4)
        var x = Tensor.randn([50]); x.requiresGrad = true
        let y = Dropout(0.5)(x)
        y.sum().backward()
        let ys = y.scalars, xs = x.scalars, g = x.grad!.scalars
        for i in 0..<50 { XCTAssertEqual(g[i] * xs[i], ys[i], accuracy: 1e-5) }
        XCTAssert(g.allSatisfy { $0 == 0 || $0 == 2 })
    }

    func testEvalModeAndEdgeCases() {
        let x = Tensor.randn([4, 5])
        let d = Dropout(0.5)
        d.eval()
        XCTAssertEqual(d(x).scalars, x.scalars)
        XCTAssert(d(x).sharesStorage(with: x))
        XCTAssertEqual(Dropout(0)(x).scalars, x.scalars)
        XCTAssertEqual(Dropout(1)(x).scalars, [Float](repeating: 0, count: 20))
    }
}
