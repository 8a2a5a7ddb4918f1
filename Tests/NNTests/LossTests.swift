import Foundation
import NN
import Tensor
import TestSupport
import XCTest

final class LossTests: XCTestCase {
    /// Checks a loss of (prediction, target) against a golden case: value and both gradients.
    private func checkGolden(_ name: String, _ loss: (Tensor, Tensor) -> Tensor) throws {
        let c = try Golden.case("loss", name)
        var p = c.input("pred"), t = c.input("target")
        p.requiresGrad = true; t.requiresGrad = true
        let l = loss(p, t)
        let r = compare(l, c.output, label: "\(name) value")
        XCTAssert(r.ok, r.description)
        l.backward()
        for (g, key) in [(p.grad!, "pred"), (t.grad!, "target")] {
            let r = compare(g, c.grad(key), label: "\(name) d/d\(key)")
            XCTAssert(r.ok, r.description)
        }
    }

    func testMSEMatchesGolden() throws { try checkGolden("mse_mean") { MSELoss()($0, $1) } }

    func testHuberMatchesGolden() throws {
        let beta = try Golden.case("loss", "huber_mean").attrs["beta"] as? Double ?? 1
        try checkGolden("huber_mean") { HuberLoss(beta: Float(beta))($0, $1) }
    }

    func testReductions() {
        let p = Tensor([1, 2, 3]), t = Tensor([0, 0, 0])
        XCTAssertEqual(MSELoss(reduction: .sum)(p, t).item(), 14)
        XCTAssertEqual(MSELoss(reduction: .none)(p, t).scalars, [1, 4, 9])
        XCTAssertEqual(MSELoss()(p, t).item(), 14 / 3, accuracy: 1e-6)
        // Huber, β = 1: ½·1, 2 − ½, 3 − ½
        XCTAssertEqual(HuberLoss(reduction: .none)(p, t).scalars, [0.5, 1.5, 2.5])
        XCTAssertEqual(HuberLoss(beta: 4, reduction: .none)(p, t).scalars, [0.125, 0.5, 1.125])
    }

    func testMSEAndHuberFiniteDifferences() {
        Tensor.manualSeed(5)
        let p = Tensor.randn([4, 3]), t = Tensor.randn([4, 3])
        for r in gradCheck([p, t], label: "MSELoss", { xs in MSELoss()(xs[0], xs[1]) }) { XCTAssert(r.ok, r.description) }
        for r in gradCheck([p, t], label: "MSELoss none", { xs in MSELoss(reduction: .none)(xs[0], xs[1]) }) {
            XCTAssert(r.ok, r.description)
        }
        // β = 0.5 puts differences on both sides of the kink (Huber is C¹, so differences still work).
        for r in gradCheck([p * 2, t], label: "HuberLoss", { xs in HuberLoss(beta: 0.5, reduction: .sum)(xs[0], xs[1]) }) {
            XCTAssert(r.ok, r.description)
        }
    }

    func testCrossEntropyMatchesGolden() throws {
        let c = try Golden.case("loss", "cross_entropy_mean")
        var z = c.input("logits"); z.requiresGrad = true
        let labels = c.intInputs["labels"]!.data
        let l = CrossEntropyLoss()(z, labels)
        let r = compare(l, c.output, label: "cross_entropy_mean value")
        XCTAssert(r.ok, r.description)
        l.backward()
        let rg = compare(z.grad!, c.grad("logits"), label: "cross_entropy_mean d/dlogits")
        XCTAssert(rg.ok, rg.description)
        // Labels as a Float tensor give the same value.
        let l2 = CrossEntropyLoss()(z.detached(), Tensor(labels.map(Float.init)))
        XCTAssertEqual(l2.item(), l.item())
    }

    func testCrossEntropyReductionsShapesAndStability() {
        let z = Tensor([[1000, 0, -1000], [0, 0, 0]])
        let none = CrossEntropyLoss(reduction: .none)(z, [0, 2])
        XCTAssertEqual(none.shape, [2])
        XCTAssertEqual(none[0], 0, accuracy: 1e-6)                  // no overflow for huge logits
        XCTAssertEqual(none[1], Float(log(3.0)), accuracy: 1e-5)
        XCTAssertEqual(CrossEntropyLoss(reduction: .sum)(z, [0, 2]).item(), none.scalars.reduce(0, +), accuracy: 1e-6)
        // (B, T, V) logits with (B, T) labels, as in sequence models.
        let seq = Tensor.randn([2, 3, 5])
        XCTAssertEqual(CrossEntropyLoss(reduction: .none)(seq, [0, 1, 2, 3, 4, 0]).shape, [2, 3])
    }

    func testCrossEntropyFiniteDifferences() {
        Tensor.manualSeed(8)
        let z = Tensor.randn([4, 6]) * 2
        for r in gradCheck([z], label: "CrossEntropyLoss", { xs in CrossEntropyLoss()(xs[0], [5, 0, 3, 3]) }) {
            XCTAssert(r.ok, r.description)
        }
        for r in gradCheck([z], label: "CrossEntropyLoss none", { xs in CrossEntropyLoss(reduction: .none)(xs[0], [1, 2, 3, 4]) }) {
            XCTAssert(r.ok, r.description)
        }
    }
}
