import Tensor

/// The book's example of a function built with Swift control flow (§2.5.4): it doubles
/// `a` until the L2 norm reaches 1000, then keeps the result or multiplies it by 100
/// depending on the sign of its sum. Whatever branch runs, d = k·a for a constant k,
/// so ∂d/∂a = k = d / a.
func controlFlowFunction(_ a: Tensor) -> Tensor {
    var b = a * 2
    while b.square().sum().sqrt().item() < 1000 {
        b = b * 2
    }
    let c: Tensor
    if b.sum().item() > 0 {
        c = b
    } else {
        c = 100 * b
    }
    return c
}

/// Book §2.5 (Automatic differentiation, `chapter_preliminaries/autograd.md`): the gradient
/// of y = 2xᵀx, accumulation and `zeroGrad()`, backward of a non-scalar through `sum()`,
/// detaching, and gradients through Swift control flow.
func automaticDifferentiation(_ nb: inout Notebook) {
    nb.section("2.5 Automatic differentiation")

    // MARK: 2.5.1 A simple example
    nb.subsection("2.5.1 A simple example")
    var x = Tensor.arange(4)
    nb.show("var x = Tensor.arange(4)", x)
    nb.note("Ask autograd to record every operation on x, so that gradients with respect to x can be\n"
            + "computed. Until backward() runs, x.grad is nil.")
    x.requiresGrad = true
    nb.code("x.requiresGrad = true")
    nb.showOptional("x.grad", x.grad)
    nb.note("y = 2xᵀx (the dot product written as the sum of the elementwise product).")
    let y = 2 * (x * x).sum()
    nb.show("let y = 2 * (x * x).sum()", y)
    y.backward()
    nb.code("y.backward()")
    nb.showOptional("x.grad", x.grad)
    nb.note("The gradient of 2xᵀx is 4x; the mask says so for every element:")
    nb.show("x.grad! .== 4 * x", x.grad! .== 4 * x)

    nb.note("Gradients accumulate (+=) over backward() calls, so clear them before the next function.\n"
            + "The gradient of x.sum() is a vector of 1s.")
    x.zeroGrad()
    nb.code("x.zeroGrad()")
    let ySum = x.sum()
    nb.code("let y2 = x.sum()")
    ySum.backward()
    nb.code("y2.backward()")
    nb.showOptional("x.grad", x.grad)

    // MARK: 2.5.2 Backward for non-scalar variables
    nb.subsection("2.5.2 Backward for non-scalar variables")
    nb.note("backward() needs a scalar (calling it on a vector stops with an error that says so).\n"
            + "For a vector y = x ⊙ x we differentiate the sum of its elements; each partial\n"
            + "derivative is 2x.")
    x.zeroGrad()
    nb.code("x.zeroGrad()")
    let ySquare = x * x
    nb.code("let y3 = x * x")
    ySquare.sum().backward()
    nb.code("y3.sum().backward()")
    nb.showOptional("x.grad", x.grad)
    nb.note("Passing a gradient of 1s to backward(gradient:) is the same computation:")
    x.zeroGrad()
    nb.code("x.zeroGrad()")
    let ySquare2 = x * x
    nb.code("let y4 = x * x")
    ySquare2.backward(gradient: Tensor.ones(like: ySquare2))
    nb.code("y4.backward(gradient: Tensor.ones(like: y4))")
    nb.showOptional("x.grad", x.grad)

    // MARK: 2.5.3 Detaching computation
    nb.subsection("2.5.3 Detaching computation")
    nb.note("u = y.detached() has y's values but no history, so z = u ⊙ x treats u as a constant:\n"
            + "the gradient of z.sum() with respect to x is u, not 3x².")
    x.zeroGrad()
    nb.code("x.zeroGrad()")
    let yd = x * x
    nb.code("let y5 = x * x")
    let u = yd.detached()
    nb.show("let u = y5.detached()", u)
    let z = u * x
    nb.code("let z = u * x")
    z.sum().backward()
    nb.code("z.sum().backward()")
    nb.show("x.grad! .== u", x.grad! .== u)
    nb.note("y5 itself still has its history, so its gradient is 2x:")
    x.zeroGrad()
    nb.code("x.zeroGrad()")
    yd.sum().backward()
    nb.code("y5.sum().backward()")
    nb.show("x.grad! .== 2 * x", x.grad! .== 2 * x)

    // MARK: 2.5.4 Computing the gradient of Swift control flow
    nb.subsection("2.5.4 Computing the gradient of Swift control flow")
    nb.note("Autograd records the operations that actually run, so loops and branches need nothing special.")
    for line in [
        "func f(_ a: Tensor) -> Tensor {",
        "    var b = a * 2",
        "    while b.square().sum().sqrt().item() < 1000 { b = b * 2 }",
        "    let c: Tensor",
        "    if b.sum().item() > 0 { c = b } else { c = 100 * b }",
        "    return c",
        "}",
    ] { nb.code(line) }
    Tensor.manualSeed(0)
    nb.code("Tensor.manualSeed(0)")
    var a = Tensor.randn([])
    a.requiresGrad = true
    nb.show("var a = Tensor.randn([]); a.requiresGrad = true", a)
    let d = controlFlowFunction(a)
    nb.show("let d = f(a)", d)
    d.backward()
    nb.code("d.backward()")
    nb.showOptional("a.grad", a.grad)
    nb.note("f is linear in a (d = k·a with k fixed by the loop and the branch), so the gradient is d / a:")
    nb.show("a.grad! .== d / a", a.grad! .== d / a)
}
