import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// Every optimizer against PyTorch, step by step (`optim.json`, `optim_more.json`): each case
/// gives a start vector `p0`, one gradient per step and the parameters after each step.
final class OptimizerTests: XCTestCase {
    private func runGolden(_ name: String, in group: String = "optim",
                           _ makeOptimizer: ([Parameter], [String: Any]) -> Optimizer) throws {
        let c = try Golden.case(group, name)
        let p = Parameter(c.input("p0"))
        let opt = makeOptimizer([p], c.attrs)
        for (step, (g, expected)) in zip(c.tensorList("grads_per_step"), c.outputList("params_after_each_step")).enumerated() {
            opt.zeroGrad()
            (p.value * g).sum().backward()     // ∂/∂p = g
            opt.step()
            let r = compare(p.value, expected, label: "\(name) step \(step + 1)")
            XCTAssert(r.ok, r.description)
        }
    }

    private func f(_ attrs: [String: Any], _ key: String, _ fallback: Float = 0) -> Float {
        (attrs[key] as? Double).map(Float.init) ?? fallback
    }

    func testSGDGolden() throws {
        try runGolden("sgd") { SGD(parameters: $0, lr: self.f($1, "lr")) }
    }

    func testSGDWeightDecayGolden() throws {
        try runGolden("sgd_weight_decay") { SGD(parameters: $0, lr: self.f($1, "lr"), weightDecay: self.f($1, "weight_decay")) }
    }

    func testMomentumGolden() throws {
        try runGolden("momentum") { SGD(parameters: $0, lr: self.f($1, "lr"), momentum: self.f($1, "momentum")) }
    }

    func testNesterovGolden() throws {
        try runGolden("sgd_nesterov", in: "optim_more") {
            SGD(parameters: $0, lr: self.f($1, "lr"), momentum: self.f($1, "momentum"), nesterov: true)
        }
    }

    func testAdagradGolden() throws {
        try runGolden("adagrad") { Adagrad(parameters: $0, lr: self.f($1, "lr"), eps: self.f($1, "eps")) }
    }

    func testRMSpropGolden() throws {
        try runGolden("rmsprop") {
            RMSprop(parameters: $0, lr: self.f($1, "lr"), alpha: self.f($1, "alpha"), eps: self.f($1, "eps"))
        }
    }

    func testAdadeltaGolden() throws {
        try runGolden("adadelta") {
            Adadelta(parameters: $0, lr: self.f($1, "lr"), rho: self.f($1, "rho"), eps: self.f($1, "eps"))
        }
    }

    func testAdamGolden() throws {
        try runGolden("adam") {
            Adam(parameters: $0, lr: self.f($1, "lr"), betas: (self.f($1, "beta1"), self.f($1, "beta2")), eps: self.f($1, "eps"))
        }
    }

    func testAdamWGolden() throws {
        try runGolden("adamw", in: "optim_more") {
            AdamW(parameters: $0, lr: self.f($1, "lr"), betas: (self.f($1, "beta1"), self.f($1, "beta2")),
                  eps: self.f($1, "eps"), weightDecay: self.f($1, "weight_decay"))
        }
    }

    /// Yogi is not in PyTorch: its first two steps by hand (book §11.10.3, s₀ = 0).
    func testYogiByHand() {
        let p = Parameter(Tensor([1, -2])), opt = Yogi(parameters: [p], lr: 0.1, eps: 1e-3)
        var v: [Double] = [0, 0], s: [Double] = [0, 0], x: [Double] = [1, -2]
        let grads: [[Double]] = [[0.5, -4], [2, 0.1]]
        for (t, g) in grads.enumerated() {
            for i in 0..<2 {
                v[i] = 0.9 * v[i] + 0.1 * g[i]
                let g2 = g[i] * g[i]
                s[i] += 0.001 * (g2 - s[i] > 0 ? 1 : -1) * g2
                let vHat = v[i] / (1 - pow(0.9, Double(t + 1))), sHat = s[i] / (1 - pow(0.999, Double(t + 1)))
                x[i] -= 0.1 * vHat / (sHat.squareRoot() + 1e-3)
            }
            opt.zeroGrad()
            (p.value * Tensor(g.map(Float.init))).sum().backward()
            opt.step()
            let r = compare(p.value, Tensor(x.map(Float.init)), label: "yogi step \(t + 1)")
            XCTAssert(r.ok, r.description)
        }
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

    /// Every optimizer writes the parameter's buffer in place: no copy per step.
    func testStepUpdatesInPlace() {
        let makers: [(String, ([Parameter]) -> Optimizer)] = [
            ("SGD", { SGD(parameters: $0, lr: 0.01, momentum: 0.9, weightDecay: 1e-3) }),
            ("Adagrad", { Adagrad(parameters: $0) }), ("RMSprop", { RMSprop(parameters: $0, momentum: 0.5, centered: true) }),
            ("Adadelta", { Adadelta(parameters: $0) }), ("Adam", { Adam(parameters: $0) }),
            ("AdamW", { AdamW(parameters: $0) }), ("Yogi", { Yogi(parameters: $0) }),
        ]
        for (name, make) in makers {
            let layer = Linear(inputSize: 64, outputSize: 32)
            let opt = make(layer.parameters())
            let x = Tensor.randn([8, 64])
            let before = layer.weight.value.storage.pointer   // an address, so the test holds no reference
            for _ in 0..<3 {
                let l = layer(x).sum()
                opt.zeroGrad()
                l.backward()
                let old = layer.weight.value.scalars
                opt.step()
                XCTAssert(layer.weight.value.storage.pointer == before, "\(name) copied the weight buffer")
                XCTAssertNotEqual(layer.weight.value.scalars, old, name)
                XCTAssert(layer.weight.value.requiresGrad && layer.weight.value.isLeaf, name)
            }
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

    /// Saving Adam's state after 3 steps and loading it into a fresh Adam (PyTorch-style names)
    /// continues exactly as the uninterrupted run; a fresh Adam without the state does not.
    func testStateRoundTripsThroughSafetensors() throws {
        func gradStep(_ opt: Optimizer, _ p: Parameter, _ k: Int) {
            opt.zeroGrad()
            (p.value * Tensor([Float(k) - 1.5, 0.5, Float(k % 3) - 1])).sum().backward()
            opt.step()
        }
        let p = Parameter(Tensor([0.3, -0.2, 0.7])), opt = Adam(parameters: [p], lr: 0.05)
        for k in 0..<3 { gradStep(opt, p, k) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("adam-state-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try opt.saveState(to: url)
        let saved = try loadSafetensors(from: url)
        XCTAssertEqual(Set(saved.keys), ["param_groups.lr", "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"])
        XCTAssertEqual(saved["state.0.step"]?.scalars, [3])

        let resumed = Parameter(p.value.detached()), fresh = Parameter(p.value.detached())
        let opt2 = Adam(parameters: [resumed], lr: 0.05), opt3 = Adam(parameters: [fresh], lr: 0.05)
        try opt2.loadState(from: url)
        for k in 3..<6 { gradStep(opt, p, k); gradStep(opt2, resumed, k); gradStep(opt3, fresh, k) }
        XCTAssertEqual(resumed.value.scalars, p.value.scalars)
        XCTAssertNotEqual(fresh.value.scalars, p.value.scalars)

        let wrong = Adam(parameters: [Parameter(Tensor([1, 2]))])
        XCTAssertThrowsError(try wrong.loadStateDict(saved)) { XCTAssert("\($0)".contains("shape"), "\($0)") }
    }
}
