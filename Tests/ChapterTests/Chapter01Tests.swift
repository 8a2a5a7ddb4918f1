import XCTest
import Foundation
@testable import Chapter01_Preliminaries
import D2L
import Tensor

/// Chapter01-Preliminaries (book §2.1, 2.3, 2.4, 2.5): the walk-through prints what the
/// book's cells show, and the values it prints are the right ones (checked against
/// values computed independently here).
final class Chapter01Tests: XCTestCase {
    private func run(_ section: Section) -> Notebook {
        var nb = Notebook(echo: false)
        section.run(&nb)
        return nb
    }

    // MARK: §2.1

    func testDataManipulationShowsCreationAndShapes() {
        let nb = run(.data)
        XCTAssertEqual(nb.output(of: "let x = Tensor.arange(12)"),
                       "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.])")
        XCTAssertEqual(nb.output(of: "x.shape"), "[12]")
        XCTAssertEqual(nb.output(of: "x.count"), "12")
        XCTAssertEqual(nb.output(of: "x.reshaped(to: [-1, 4]).shape"), "[3, 4]")
        XCTAssertEqual(nb.output(of: "x.reshaped(to: [3, -1]).shape"), "[3, 4]")
        XCTAssertEqual(nb.output(of: "Tensor.concatenate([X, Y], axis: 0)")?.hasSuffix("shape: (6, 4))"), true)
        XCTAssertEqual(nb.output(of: "Tensor.concatenate([X, Y], axis: 1)")?.hasSuffix("shape: (3, 8))"), true)
        // X = arange(12) as 3×4 and the book's Y agree at (0, 1) and (0, 3) only.
        XCTAssertEqual(nb.output(of: "X .== Y"),
                       "tensor([[0., 1., 0., 1.],\n        [0., 0., 0., 0.],\n        [0., 0., 0., 0.]], shape: (3, 4))")
        XCTAssertEqual(nb.output(of: "X.sum()"), "tensor(\(Float((0..<12).reduce(0, +)).formatted0).)")
        XCTAssertEqual(nb.output(of: "p + q"),
                       "tensor([[0., 1.],\n        [1., 2.],\n        [2., 3.]], shape: (3, 2))")
        XCTAssertEqual(nb.output(of: "X.slice(axis: 0, 2...).squeezed(0)"), "tensor([ 8.,  9., 10., 11.])")
        XCTAssertEqual(nb.output(of: "X[-1, -1]"), "11.0")
        XCTAssertEqual(nb.output(of: "a.exp()"),
                       Tensor([1, 2, 4, 8].map { Float(Foundation.exp(Double($0))) }).description)
        XCTAssertEqual(nb.output(of: "s.item()"), "3.5")
    }

    func testDataManipulationWritesAndMemory() {
        let nb = run(.data)
        let w = nb.outputs(of: "W")
        XCTAssertEqual(w.count, 2)
        XCTAssertEqual(w.first, "tensor([[ 0.,  1.,  2.,  3.],\n        [ 4.,  5.,  9.,  7.],\n        [ 8.,  9., 10., 11.]], shape: (3, 4))")
        XCTAssertEqual(w.last, "tensor([[12., 12., 12., 12.],\n        [12., 12., 12., 12.],\n        [ 8.,  9., 10., 11.]], shape: (3, 4))")
        // Y = Y + X gets a new buffer; Y += X keeps it (the book's id(Y) demo).
        XCTAssertEqual(nb.outputs(of: "ObjectIdentifier(Y.storage) == before"), ["false", "true"])
        XCTAssertEqual(nb.output(of: "R.sharesStorage(with: X)"), "true")
        // Copy-on-write: shared until written, then separate, and the original keeps its value.
        XCTAssertEqual(nb.outputs(of: "C.sharesStorage(with: R)"), ["true", "false"])
        XCTAssertEqual(nb.output(of: "C[0, 0]"), "100.0")
        XCTAssertEqual(nb.output(of: "R[0, 0]"), "0.0")
        XCTAssertEqual(nb.output(of: "X[0, 0]"), "0.0")
    }

    // MARK: §2.3

    func testLinearAlgebraValues() {
        let nb = run(.linalg)
        XCTAssertEqual(nb.output(of: "(x + y, x * y, x / y, Tensor.pow(x, y))"),
                       "(tensor(5.), tensor(6.), tensor(1.5000), tensor(9.))")
        XCTAssertEqual(nb.output(of: "S .== S.transposed()"),
                       Tensor.ones([3, 3]).description)
        XCTAssertEqual(nb.output(of: "let sum0 = A.sum(alongAxes: [0])"), "tensor([40., 45., 50., 55.])")
        XCTAssertEqual(nb.output(of: "let sum1 = A.sum(alongAxes: [1])"), "tensor([ 6., 22., 38., 54., 70.])")
        XCTAssertEqual(nb.output(of: "(A.mean(), A.sum() / Float(A.count))"), "(tensor(9.5000), tensor(9.5000))")
        XCTAssertEqual(nb.output(of: "let sumA = A.sum(alongAxes: [1], keepDims: true)")?.hasSuffix("shape: (5, 1))"), true)
        // The cumulative sum down the rows of A = arange(20) as 5×4, computed here with a loop.
        var running = [Float](repeating: 0, count: 4), cumsum: [Float] = []
        for i in 0..<5 {
            for j in 0..<4 { running[j] += Float(4 * i + j) }
            cumsum += running
        }
        XCTAssertEqual(nb.output(of: "L.matmul(A)"), Tensor(shape: [5, 4], scalars: cumsum).description)
        XCTAssertEqual(nb.output(of: "(x4 * y4).sum()"), "tensor(6.)")
        // Row i of A dotted with (0, 1, 2, 3).
        var mv: [Float] = []
        for i in 0..<5 {
            var dot = 0
            for j in 0..<4 { dot += (4 * i + j) * j }
            mv.append(Float(dot))
        }
        XCTAssertEqual(nb.output(of: "Ax.reshaped(to: [-1])"), Tensor(mv).description)
        XCTAssertEqual(nb.output(of: "u.square().sum().sqrt()"), "tensor(5.)")
        XCTAssertEqual(nb.output(of: "u.abs().sum()"), "tensor(7.)")
        XCTAssertEqual(nb.output(of: "Tensor.ones([4, 9]).square().sum().sqrt()"), "tensor(6.)")
    }

    // MARK: §2.4

    func testNumericalLimitApproachesDerivative() {
        let f: (Double) -> Double = { 3 * $0 * $0 - 4 * $0 }
        for h in [0.1, 0.01, 0.001] {
            XCTAssertEqual(numericalLimit(f, 1, h), 2 + 3 * h, accuracy: 1e-9)
        }
        let nb = run(.calculus)
        let table = nb.lines.filter { $0.hasPrefix("h=") }
        XCTAssertEqual(table.count, 5)
        XCTAssertEqual(table.first, "h=0.10000, numerical limit=2.30000")
        XCTAssertEqual(table.last, "h=0.00001, numerical limit=2.00003")
    }

    // MARK: §2.5

    func testAutogradReportsBookGradients() {
        let nb = run(.autograd)
        XCTAssertEqual(nb.outputs(of: "x.grad"), [
            "nil",
            "tensor([ 0.,  4.,  8., 12.])",   // 4x
            "tensor([1., 1., 1., 1.])",       // d/dx sum(x)
            "tensor([0., 2., 4., 6.])",       // 2x through y.sum()
            "tensor([0., 2., 4., 6.])",       // the same with backward(gradient: ones)
        ])
        let allTrue = "tensor([1., 1., 1., 1.])"
        XCTAssertEqual(nb.output(of: "x.grad! .== 4 * x"), allTrue)
        XCTAssertEqual(nb.output(of: "x.grad! .== u"), allTrue)
        XCTAssertEqual(nb.output(of: "x.grad! .== 2 * x"), allTrue)
        XCTAssertEqual(nb.output(of: "a.grad! .== d / a"), "tensor(1.)")
    }

    /// Whatever branch f takes, d = k·a, so the gradient is d / a; checked for both signs
    /// (the two branches) and for small and large |a| (different loop counts).
    func testControlFlowGradientIsDOverA() {
        for value: Float in [0.3, -0.3, 0.001, -2.5, 700] {
            var a = Tensor(value)
            a.requiresGrad = true
            let d = controlFlowFunction(a)
            d.backward()
            let grad = a.grad!.item(), expected = d.item() / value
            XCTAssertEqual(grad, expected, accuracy: Swift.abs(expected) * 1e-6, "a = \(value)")
            // Negative sums take the ×100 branch.
            XCTAssertEqual(value < 0, Swift.abs(d.item()) >= 100_000, "a = \(value)")
        }
    }

    // MARK: Command line

    func testCommandLine() throws {
        let command = chapterCommand()
        XCTAssertEqual(try command.parse([]).parsed.selected, Section.allCases.map(\.rawValue))
        XCTAssertEqual(try command.parse(["--section", "autograd"]).parsed.selected, ["autograd"])
        XCTAssertEqual(try command.parse(["autograd", "data"]).parsed.selected, ["data", "autograd"], "several, book order")
        XCTAssertEqual(try command.parse(["--section=linalg"]).parsed.selected, ["linalg"])
        for help in ["--help", "-h"] {
            XCTAssertThrowsError(try command.parse([help])) { XCTAssertEqual($0 as? OptionError, .helpRequested) }
        }
        XCTAssertThrowsError(try command.parse(["--section", "optim"])) {
            XCTAssertEqual($0 as? OptionError, .unknownSection("optim", allowed: ["data", "linalg", "calculus", "autograd", "all"]))
        }
        XCTAssertThrowsError(try command.parse(["--section"]))
        XCTAssertThrowsError(try command.parse(["--sections", "data"])) {
            XCTAssertEqual($0 as? OptionError, .unknownOption("--sections", suggestion: "--section"))
        }
        let usage = command.usage()
        XCTAssertTrue(usage.contains("autograd") && usage.contains("2.5 automatic differentiation"))
        XCTAssertTrue(usage.contains("--seed <int>") && usage.contains("--threads <int>"))
    }
}

private extension Float {
    /// A whole number without its decimal part, e.g. 66 → "66".
    var formatted0: String { String(Int(self)) }
}
