import Foundation
import Tensor

/// The difference quotient (f(x + h) − f(x)) / h, which tends to the derivative f′(x) as
/// h → 0 (book §2.4.1, `numerical_lim`).
func numericalLimit(_ f: (Double) -> Double, _ x: Double, _ h: Double) -> Double {
    (f(x + h) - f(x)) / h
}

/// Book §2.4 (Calculus, `chapter_preliminaries/calculus.md`): the derivative of
/// f(x) = 3x² − 4x at x = 1 as the limit of difference quotients for h = 10⁻¹ … 10⁻⁵.
/// The exact value is f′(1) = 6·1 − 4 = 2; the quotient is 2 + 3h.
func calculus(_ nb: inout Notebook) {
    nb.section("2.4 Calculus")
    nb.subsection("2.4.1 Derivatives and differentiation")
    func f(_ x: Double) -> Double { 3 * x * x - 4 * x }
    nb.code("func f(_ x: Double) -> Double { 3 * x * x - 4 * x }")
    nb.code("func numericalLimit(_ f: (Double) -> Double, _ x: Double, _ h: Double) -> Double { (f(x + h) - f(x)) / h }")
    nb.note("As h shrinks, the quotient approaches f′(1) = 6·1 − 4 = 2 (it equals 2 + 3h exactly).")
    let hs = (0..<5).map { Foundation.pow(10.0, -Double($0 + 1)) }
    nb.code("for h in [0.1, 0.01, 0.001, 0.0001, 0.00001] {")
    nb.code("    print(String(format: \"h=%.5f, numerical limit=%.5f\", h, numericalLimit(f, 1, h)))")
    nb.code("}")
    for h in hs {
        nb.text(String(format: "h=%.5f, numerical limit=%.5f", h, numericalLimit(f, 1, h)))
    }

    nb.note("")
    nb.note("The same quotients in Float32, the precision of our tensors, all five at once:")
    func fTensor(_ x: Tensor) -> Tensor { 3 * x * x - 4 * x }
    nb.code("func f(_ x: Tensor) -> Tensor { 3 * x * x - 4 * x }")
    let h = Tensor(hs.map { Float($0) })
    nb.show("let h = Tensor([0.1, 0.01, 0.001, 0.0001, 0.00001])", h)
    let quotients = (fTensor(1 + h) - fTensor(Tensor(1))) / h
    nb.show("let quotients = (f(1 + h) - f(Tensor(1))) / h", quotients)
    nb.note("How far each is from the exact quotient 2 + 3h:")
    nb.show("(quotients - (2 + 3 * h)).abs()", (quotients - (2 + 3 * h)).abs())
    nb.note("Float32 keeps about 7 significant digits (the spacing of numbers near 1 is 1.2e-7).\n"
            + "Rounding f(1 + h) and f(1) to Float32 leaves an error of that size in their difference,\n"
            + "and dividing by h magnifies it about 1/h times: the smaller h, the larger the error can be.\n"
            + "This is why gradients are computed exactly by automatic differentiation (2.5), not by\n"
            + "finite differences.")
}
