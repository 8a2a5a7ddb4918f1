import Tensor

/// Book §2.1 (Data manipulation, `chapter_preliminaries/ndarray.md`): creating tensors,
/// elementwise operations, concatenation, comparison masks, broadcasting, indexing,
/// writing elements, memory (in-place updates, shared storage, copy-on-write) and
/// conversion to Swift values.
func dataManipulation(_ nb: inout Notebook) {
    nb.section("2.1 Data manipulation")

    // MARK: 2.1.1 Getting started
    nb.subsection("2.1.1 Getting started")
    nb.note("All our tensors hold Float32 values, so whole numbers print as `0.`, `1.`, ...")
    let x = Tensor.arange(12)
    nb.show("let x = Tensor.arange(12)", x)
    nb.show("x.shape", x.shape)
    nb.show("x.count", x.count)
    nb.note("reshaped(to:) keeps the 12 elements in row-major order; at most one size may be -1,\n"
            + "and it is worked out from the others.")
    let X = x.reshaped(to: [3, 4])
    nb.show("let X = x.reshaped(to: [3, 4])", X)
    nb.show("x.reshaped(to: [-1, 4]).shape", x.reshaped(to: [-1, 4]).shape)
    nb.show("x.reshaped(to: [3, -1]).shape", x.reshaped(to: [3, -1]).shape)
    nb.show("Tensor.zeros([2, 3, 4])", Tensor.zeros([2, 3, 4]))
    nb.show("Tensor.ones([2, 3, 4])", Tensor.ones([2, 3, 4]))
    nb.note("Samples from the standard normal distribution; the seed makes the run repeatable.")
    Tensor.manualSeed(0)
    nb.code("Tensor.manualSeed(0)")
    nb.show("Tensor.randn([3, 4])", Tensor.randn([3, 4]))
    nb.show("Tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])",
            Tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]]))

    // MARK: 2.1.2 Operations
    nb.subsection("2.1.2 Operations")
    let a = Tensor([1.0, 2, 4, 8])
    let b = Tensor([2.0, 2, 2, 2])
    nb.show("let a = Tensor([1.0, 2, 4, 8])", a)
    nb.show("let b = Tensor([2.0, 2, 2, 2])", b)
    nb.show("a + b", a + b)
    nb.show("a - b", a - b)
    nb.show("a * b", a * b)
    nb.show("a / b", a / b)
    nb.show("Tensor.pow(a, b)", Tensor.pow(a, b))
    nb.show("a.exp()", a.exp())

    var Y = Tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
    nb.show("var Y = Tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])", Y)
    nb.note("Concatenating along axis 0 stacks the rows (6 × 4); along axis 1 it joins the columns (3 × 8).")
    nb.show("Tensor.concatenate([X, Y], axis: 0)", Tensor.concatenate([X, Y], axis: 0))
    nb.show("Tensor.concatenate([X, Y], axis: 1)", Tensor.concatenate([X, Y], axis: 1))
    nb.note("Comparisons are spelled like Swift's SIMD comparisons and give a mask of 1s (true) and 0s (false).")
    nb.show("X .== Y", X .== Y)
    nb.show("X.sum()", X.sum())

    // MARK: 2.1.3 Broadcasting
    nb.subsection("2.1.3 Broadcasting")
    let p = Tensor.arange(3).reshaped(to: [3, 1])
    let q = Tensor.arange(2).reshaped(to: [1, 2])
    nb.show("let p = Tensor.arange(3).reshaped(to: [3, 1])", p)
    nb.show("let q = Tensor.arange(2).reshaped(to: [1, 2])", q)
    nb.note("Shapes (3, 1) and (1, 2) are both stretched to (3, 2): p's column is copied across,\n"
            + "q's row is copied down.")
    nb.show("p + q", p + q)

    // MARK: 2.1.4 Indexing and slicing
    nb.subsection("2.1.4 Indexing and slicing")
    nb.note("PyTorch's X[-1] (the last row) and X[1:3] (rows 1 and 2). slice(axis:_:) copies the rows;\n"
            + "squeezed(0) drops the size-1 axis so the last row is a vector.")
    nb.show("X.slice(axis: 0, 2...).squeezed(0)", X.slice(axis: 0, 2...).squeezed(0))
    nb.show("X.slice(axis: 0, 1..<3)", X.slice(axis: 0, 1..<3))
    nb.note("A single element reads as a Swift Float; negative indices count from the end.")
    nb.show("X[1, 2]", X[1, 2])
    nb.show("X[-1, -1]", X[-1, -1])
    nb.note("Writing elements: the subscript also sets one element. There is no slice assignment,\n"
            + "so PyTorch's X[0:2, :] = 12 becomes a loop (fine for a few elements; whole-tensor ops\n"
            + "are what make compute fast).")
    var W = X
    nb.code("var W = X")
    W[1, 2] = 9
    nb.code("W[1, 2] = 9")
    nb.show("W", W)
    for i in 0..<2 {
        for j in 0..<4 { W[i, j] = 12 }
    }
    nb.code("for i in 0..<2 { for j in 0..<4 { W[i, j] = 12 } }")
    nb.show("W", W)
    nb.note("X is untouched: `var W = X` made a copy of the value (see 2.1.5).")
    nb.show("X", X)

    // MARK: 2.1.5 Saving memory
    nb.subsection("2.1.5 Saving memory")
    nb.note("The book checks Python's id(Y). Our analogue is the identity of the tensor's storage buffer.\n"
            + "`Y = Y + X` computes into a new buffer and then rebinds Y:")
    var before = ObjectIdentifier(Y.storage)
    nb.code("var before = ObjectIdentifier(Y.storage)")
    Y = Y + X
    nb.code("Y = Y + X")
    nb.show("ObjectIdentifier(Y.storage) == before", ObjectIdentifier(Y.storage) == before)
    nb.note("`Y += X` writes the sum into Y's own buffer when no other tensor shares it (and autograd\n"
            + "is not tracking Y), so no new memory is allocated:")
    before = ObjectIdentifier(Y.storage)
    nb.code("before = ObjectIdentifier(Y.storage)")
    Y += X
    nb.code("Y += X")
    nb.show("ObjectIdentifier(Y.storage) == before", ObjectIdentifier(Y.storage) == before)
    nb.show("Y", Y)

    nb.note("")
    nb.note("reshaped(to:) never copies: the new tensor reads the same buffer.")
    let R = X.reshaped(to: [4, 3])
    nb.show("let R = X.reshaped(to: [4, 3])", R)
    nb.show("R.sharesStorage(with: X)", R.sharesStorage(with: X))
    nb.note("Tensors are values with copy-on-write: a copy shares the buffer until one of them is\n"
            + "written; the first write gives the writer its own buffer, so the other is left intact.")
    var C = R
    nb.code("var C = R")
    nb.show("C.sharesStorage(with: R)", C.sharesStorage(with: R))
    C[0, 0] = 100
    nb.code("C[0, 0] = 100")
    nb.show("C.sharesStorage(with: R)", C.sharesStorage(with: R))
    nb.show("C[0, 0]", C[0, 0])
    nb.show("R[0, 0]", R[0, 0])
    nb.show("X[0, 0]", X[0, 0])
    nb.note("This differs from PyTorch, where X.reshape(4, 3) (or X.view) is an alias: writing\n"
            + "R[0, 0] = 100 there also changes X[0, 0], and `B = A` is the same tensor under two names\n"
            + "(you call A.clone() to get a copy). Here sharing is only an optimisation you cannot\n"
            + "observe through values: R, C and X each keep the values they were given.")

    // MARK: 2.1.6 Conversion to other Swift objects
    nb.subsection("2.1.6 Conversion to other Swift objects")
    nb.note("`scalars` copies the elements into a Swift array (row-major); Tensor(shape:scalars:) goes back.")
    let A = X.scalars
    let B = Tensor(shape: X.shape, scalars: A)
    nb.show("let A = X.scalars", A)
    nb.show("let B = Tensor(shape: X.shape, scalars: A)", B)
    nb.show("(type(of: A), type(of: B))", (type(of: A), type(of: B)))
    let s = Tensor([3.5])
    nb.show("let s = Tensor([3.5])", s)
    nb.show("s.item()", s.item())
    nb.show("Int(s.item())", Int(s.item()))
}
