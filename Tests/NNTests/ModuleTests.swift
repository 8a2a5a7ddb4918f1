import NN
import Tensor
import TestSupport
import XCTest

/// A custom block as a chapter writes it (book §5.1): two shared uses of one layer.
private final class TiedNet: Layer {
    let input = Linear(inputSize: 4, outputSize: 8)
    let shared = Linear(inputSize: 8, outputSize: 8)
    var isTraining = true
    var children: [(name: String, module: Module)] { [("input", input), ("shared", shared), ("shared2", shared)] }
    func callAsFunction(_ x: Tensor) -> Tensor { shared(shared(input(x).tanh()).tanh()) }
}

final class ModuleTests: XCTestCase {
    private func mlp() -> Sequential {
        Sequential(Flatten(), Linear(inputSize: 784, outputSize: 256), ReLU(), Dropout(0.5),
                   Linear(inputSize: 256, outputSize: 10))
    }

    func testNamedParametersAndShapes() {
        let net = mlp()
        let named = net.namedParameters()
        XCTAssertEqual(named.map { $0.name }, ["1.weight", "1.bias", "4.weight", "4.bias"])
        XCTAssertEqual(named.map { $0.parameter.shape }, [[256, 784], [256], [10, 256], [10]])
        XCTAssertEqual(net.parameterCount, 784 * 256 + 256 + 256 * 10 + 10)
        XCTAssert((net[1] as! Linear).weight === named[0].parameter)
        XCTAssertEqual(net.parameterSummary(), """
            1.weight  (256, 784)
            1.bias    (256)
            4.weight  (10, 256)
            4.bias    (10)
            total: 203530 parameters
            """)
    }

    func testPrintFormat() {
        let net = mlp()
        net.append(Sequential(Sigmoid(), Tanh()))
        XCTAssertEqual("\(net)", """
            Sequential(
              (0): Flatten()
              (1): Linear(inputSize: 784, outputSize: 256, bias: true)
              (2): ReLU()
              (3): Dropout(p: 0.5)
              (4): Linear(inputSize: 256, outputSize: 10, bias: true)
              (5): Sequential(
                (0): Sigmoid()
                (1): Tanh()
              )
            )
            """)
    }

    func testForwardShapeAndTrainEvalRecursion() {
        let net = mlp()
        net.append(Sequential(Dropout(0.1)))
        XCTAssertEqual(net(Tensor.rand([2, 1, 28, 28])).shape, [2, 10])
        net.eval()
        XCTAssert(net.modules().allSatisfy { !$0.isTraining })
        XCTAssertEqual(net.modules().count, 8)
        net.train()
        XCTAssert(net.modules().allSatisfy { $0.isTraining })
    }

    /// Book §5.2.3: a layer used twice ties its parameters; both uses add into one gradient.
    func testTiedParametersAccumulateGradients() {
        Tensor.manualSeed(2)
        let net = TiedNet()
        XCTAssertEqual(net.namedParameters().map { $0.name }, ["input.weight", "input.bias", "shared.weight", "shared.bias"])
        XCTAssertEqual(net.parameters().count, 4)
        let x = Tensor.randn([3, 4])
        net(x).sum().backward()
        let g = net.shared.weight.grad!
        // Finite differences through both uses of the shared weight.
        let w0 = net.shared.weight.value.detached()
        let numeric = numericalGradients([w0]) { ws in
            net.shared.weight.value = ws[0]
            return net(x).sum()
        }[0]
        let r = compare(g, numeric, atol: 5e-3, rtol: 2e-2, label: "tied weight gradient")
        XCTAssert(r.ok, r.description)
        // One use alone gives a different gradient: the tie really sums two contributions.
        net.shared.weight.value = w0
        net.zeroGrad()
        net.shared(net.input(x).tanh()).sum().backward()
        XCTAssertFalse(compare(net.shared.weight.grad!, g, atol: 1e-3, rtol: 0).ok)
    }

    func testSharedParameterObjectListedOnce() {
        let l1 = Linear(inputSize: 3, outputSize: 3), l2 = Linear(inputSize: 3, outputSize: 3)
        let net = Sequential(l1, l2)
        // `tied` reuses the layer l1.
        let tied = Sequential(l1, Linear(inputSize: 3, outputSize: 3))
        XCTAssertEqual(net.parameters().count, 4)
        XCTAssertEqual(Sequential(net, tied).parameters().count, 6)
        XCTAssertEqual(Sequential(net, tied).namedParameters().map { $0.name },
                       ["0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias", "1.1.weight", "1.1.bias"])
    }
}
