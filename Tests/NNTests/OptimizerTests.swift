import Foundation
import NN
import Tensor
import TestSupport
import XCTest

final class OptimizerTests: XCTestCase {
    /// Optim golden cases hold `inputs.p0`, `grads_per_step` and `output.params_after_each_step`.
    private func runGolden(_ name: String, _ makeOptimizer: ([Parameter], [String: Any]) -> Optimizer) throws {
        let c = try Golden.rawCase("optim", name)
        let p0 = Golden.tensor((c["inputs"] as! [String: Any])["p0"]!)!
        let grads = (c["grads_per_step"] as! [Any]).map { Golden.tensor($0)! }
        let expected = ((c["output"] as! [String: Any])["params_after_each_step"] as! [Any]).map { Golden.tensor($0)! }
        let p = Parameter(p0)
        let opt = makeOptimizer([p], c["attrs"] as! [String: Any])
        for (step, g) in grads.enumerated() {
            opt.zeroGrad()
            (p.value * g).sum().backward()     // ∂/∂p = g
            opt.step()
            let r = compare(p.value, expected[step], label: "\(name) step \(step + 1)")
            XCTAssert(r.ok, r.description)
        }
    }

    private func f(_ attrs: [String: Any], _ key: String) -> Float { Float(attrs[key] as? Double ?? 0) }

    func testSGDGolden() throws {
        try runGolden("sgd") { SGD(parameters: $0, lr: self.f($1, "lr")) }
    }

    func testSGDWeightDecayGolden() throws {
        try runGolden("sgd_weight_decay") { SGD(parameters: $0, lr: self.f($1, "lr"), weightDecay: self.f($1, "weight_decay")) }
    }

    func testMomentumGolden() throws {
        try runGolden("momentum") { SGD(parameters: $0, lr: self.f($1, "lr"), momentum: self.f($1, "momentum")) }
    }

    /// Weight decay on the weight only (book §4.5): the bias group updates without decay.
    func testParameterGroups() {
        let w = Parameter(Tensor([1, 2])), b = Parameter(Tensor([1, 2]))
        let opt = SGD(groups: [.init(params: [w], weightDecay: 3), .init(params: [b])], lr: 0.1)
        (w.value.sum() + b.value.sum()).backward()
        opt.step()
        // w − 0.1·(1 + 3w), b − 0.1·1
        XCTAssert(compare(w.value, Tensor([1 - 0.1 * 4, 2 - 0.1 * 7])).ok, "\(w.value)")
        XCTAssert(compare(b.value, Tensor([0.9, 1.9])).ok, "\(b.value)")
        let fast = SGD(groups: [.init(params: [b], lr: 1)], lr: 0.1)
        fast.step()
        XCTAssert(compare(b.value, Tensor([-0.1, 0.9])).ok, "group lr overrides the default: \(b.value)")
    }

    /// The update writes the parameter's buffer in place: no copy per step, also with momentum.
    func testStepUpdatesInPlace() {
        let layer = Linear(inputSize: 64, outputSize: 32)
        let opt = SGD(parameters: layer.parameters(), lr: 0.01, momentum: 0.9, weightDecay: 1e-3)
        let x = Tensor.randn([8, 64])
        let before = layer.weight.value.storage.pointer   // an address, so the test holds no reference
        for _ in 0..<3 {
            let l = layer(x).sum()
            opt.zeroGrad()
            l.backward()
            let old = layer.weight.value.scalars
            opt.step()
            XCTAssert(layer.weight.value.storage.pointer == before, "SGD copied the weight buffer")
            XCTAssertNotEqual(layer.weight.value.scalars, old)
            XCTAssert(layer.weight.value.requiresGrad && layer.weight.value.isLeaf)
        }
    }

    func testStepSkipsParametersWithoutGradient() {
        let used = Parameter(Tensor([1])), unused = Parameter(Tensor([5]))
        let opt = SGD(parameters: [used, unused], lr: 1)
        (used.value * 2).sum().backward()
        opt.step()
        XCTAssertEqual(used.value.scalars, [-1])
        XCTAssertEqual(unused.value.scalars, [5])
        opt.zeroGrad()
        XCTAssertNil(used.grad)
    }
}
