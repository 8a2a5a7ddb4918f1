import NN
import Tensor
import XCTest

final class InitTests: XCTestCase {
    func testFans() {
        XCTAssert(Init.fans([256, 784]) == (784, 256))
        XCTAssert(Init.fans([16, 6, 5, 5]) == (150, 400))
    }

    func testXavierUniformBound() {
        Tensor.manualSeed(3)
        let l = Linear(inputSize: 30, outputSize: 20)
        Init.xavierUniform(l.weight)
        let a = (6 / Float(50)).squareRoot()
        let w = l.weight.value.scalars
        XCTAssert(w.allSatisfy { abs($0) <= a })
        XCTAssertGreaterThan(w.map { abs($0) }.max()!, 0.9 * a)
    }

    func testApplyVisitsEveryLinearAndKeepsLeaves() {
        let net = Sequential(Flatten(), Linear(inputSize: 8, outputSize: 6), ReLU(),
                             Sequential(Linear(inputSize: 6, outputSize: 4)))
        var visited = 0
        net.apply { m in
            if let l = m as? Linear { Init.constant(l.weight, 0.5); Init.zeros(l.bias!); visited += 1 }
        }
        XCTAssertEqual(visited, 2)
        for (name, p) in net.namedParameters() {
            let expected: Float = name.hasSuffix("weight") ? 0.5 : 0
            XCTAssert(p.value.scalars.allSatisfy { $0 == expected }, name)
            XCTAssert(p.value.requiresGrad && p.value.isLeaf, name)
        }
    }

    func testNormalStatistics() {
        Tensor.manualSeed(0)
        let p = Parameter(Tensor.zeros([100, 100]))
        Init.normal(p, mean: 1, std: 0.01)
        let s = p.value.scalars
        let mean = s.reduce(0, +) / Float(s.count)
        let std = (s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(s.count)).squareRoot()
        XCTAssertEqual(mean, 1, accuracy: 1e-3)
        XCTAssertEqual(std, 0.01, accuracy: 5e-4)
    }
}
