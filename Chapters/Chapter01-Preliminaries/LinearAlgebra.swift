import Tensor

/// Book §2.3 (Linear algebra, `chapter_preliminaries/linear-algebra.md`): scalars, vectors,
/// matrices and their transpose, higher-rank tensors, elementwise (Hadamard) products,
/// reductions along axes, products (dot, matrix-vector, matrix-matrix) and norms.
func linearAlgebra(_ nb: inout Notebook) {
    nb.section("2.3 Linear algebra")

    // MARK: 2.3.1 Scalars
    nb.subsection("2.3.1 Scalars")
    nb.note("A scalar is a tensor with no axes (shape []).")
    let x = Tensor(3.0)
    let y = Tensor(2.0)
    nb.code("let x = Tensor(3.0), y = Tensor(2.0)")
    nb.show("(x + y, x * y, x / y, Tensor.pow(x, y))", (x + y, x * y, x / y, Tensor.pow(x, y)))

    // MARK: 2.3.2 Vectors
    nb.subsection("2.3.2 Vectors")
    let v = Tensor.arange(4)
    nb.show("let v = Tensor.arange(4)", v)
    nb.show("v[3]", v[3])
    nb.note("The length (PyTorch's len) is the number of elements of a vector.")
    nb.show("v.count", v.count)
    nb.show("v.shape", v.shape)

    // MARK: 2.3.3 Matrices
    nb.subsection("2.3.3 Matrices")
    let A = Tensor.arange(20).reshaped(to: [5, 4])
    nb.show("let A = Tensor.arange(20).reshaped(to: [5, 4])", A)
    nb.note("The transpose swaps rows and columns: (5, 4) becomes (4, 5).")
    nb.show("A.transposed()", A.transposed())
    nb.note("A symmetric matrix equals its transpose: the mask is all 1s.")
    let S = Tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])
    nb.show("let S = Tensor([[1, 2, 3], [2, 0, 4], [3, 4, 5]])", S)
    nb.show("S .== S.transposed()", S .== S.transposed())

    // MARK: 2.3.4 Tensors
    nb.subsection("2.3.4 Tensors")
    nb.note("Rank 3: two matrices of 3 rows and 4 columns each (think of channels × height × width).")
    let T = Tensor.arange(24).reshaped(to: [2, 3, 4])
    nb.show("let T = Tensor.arange(24).reshaped(to: [2, 3, 4])", T)

    // MARK: 2.3.5 Basic properties of tensor arithmetic
    nb.subsection("2.3.5 Basic properties of tensor arithmetic")
    nb.note("`let B = A` is already an independent copy (PyTorch needs A.clone()): tensors are values.")
    let B = A
    nb.code("let B = A")
    nb.show("A + B", A + B)
    nb.note("The Hadamard product multiplies matching elements (⊙), not rows by columns.")
    nb.show("A * B", A * B)
    nb.note("A scalar combines with every element; the shape is unchanged.")
    nb.show("2 + T", 2 + T)
    nb.show("(2 * T).shape", (2 * T).shape)

    // MARK: 2.3.6 Reduction
    nb.subsection("2.3.6 Reduction")
    let x4 = Tensor.arange(4)
    nb.show("let x4 = Tensor.arange(4)", x4)
    nb.show("x4.sum()", x4.sum())
    nb.show("(A.shape, A.sum())", (A.shape, A.sum()))
    nb.note("Summing along axis 0 adds up the rows (one total per column); axis 1 the columns.")
    let sum0 = A.sum(alongAxes: [0])
    nb.show("let sum0 = A.sum(alongAxes: [0])", sum0)
    nb.show("sum0.shape", sum0.shape)
    let sum1 = A.sum(alongAxes: [1])
    nb.show("let sum1 = A.sum(alongAxes: [1])", sum1)
    nb.show("sum1.shape", sum1.shape)
    nb.show("A.sum(alongAxes: [0, 1])", A.sum(alongAxes: [0, 1]))
    nb.note("The mean is the sum divided by the number of elements summed.")
    nb.show("(A.mean(), A.sum() / Float(A.count))", (A.mean(), A.sum() / Float(A.count)))
    nb.show("A.mean(alongAxes: [0])", A.mean(alongAxes: [0]))
    nb.show("A.sum(alongAxes: [0]) / Float(A.shape[0])", A.sum(alongAxes: [0]) / Float(A.shape[0]))

    nb.note("keepDims leaves the summed axis with size 1, so the (5, 1) result broadcasts against A:")
    let sumA = A.sum(alongAxes: [1], keepDims: true)
    nb.show("let sumA = A.sum(alongAxes: [1], keepDims: true)", sumA)
    nb.show("A / sumA", A / sumA)
    nb.note("Our Tensor has no cumulative-sum op. The running sum down the rows (PyTorch's\n"
            + "A.cumsum(axis=0)) is a product with a lower-triangular matrix of 1s, which a\n"
            + "broadcast comparison builds: L[i, j] = 1 when i ≥ j.")
    let rows = Tensor.arange(5).reshaped(to: [5, 1])
    let cols = Tensor.arange(5).reshaped(to: [1, 5])
    let L = rows .>= cols
    nb.show("let L = Tensor.arange(5).reshaped(to: [5, 1]) .>= Tensor.arange(5).reshaped(to: [1, 5])", L)
    nb.show("L.matmul(A)", L.matmul(A))

    // MARK: 2.3.7 Dot products
    nb.subsection("2.3.7 Dot products")
    let y4 = Tensor.ones([4])
    nb.show("let y4 = Tensor.ones([4])", y4)
    nb.note("The dot product xᵀy is the sum of the elementwise product.")
    nb.show("(x4 * y4).sum()", (x4 * y4).sum())

    // MARK: 2.3.8 Matrix-vector products
    nb.subsection("2.3.8 Matrix-vector products")
    nb.note("matmul takes matrices, so the vector x4 becomes a (4, 1) column; Ax is then a (5, 1) column\n"
            + "whose entry i is the dot product of row i of A with x4.")
    nb.show("(A.shape, x4.shape)", (A.shape, x4.shape))
    let Ax = A.matmul(x4.reshaped(to: [4, 1]))
    nb.show("let Ax = A.matmul(x4.reshaped(to: [4, 1]))", Ax)
    nb.show("Ax.reshaped(to: [-1])", Ax.reshaped(to: [-1]))

    // MARK: 2.3.9 Matrix-matrix multiplication
    nb.subsection("2.3.9 Matrix-matrix multiplication")
    let M = Tensor.ones([4, 3])
    nb.code("let M = Tensor.ones([4, 3])")
    nb.note("(5, 4) × (4, 3) → (5, 3): every column of M is all 1s, so each entry is a row sum of A.")
    nb.show("A.matmul(M)", A.matmul(M))

    // MARK: 2.3.10 Norms
    nb.subsection("2.3.10 Norms")
    let u = Tensor([3.0, -4.0])
    nb.show("let u = Tensor([3.0, -4.0])", u)
    nb.note("L2 norm: the square root of the sum of squares, √(3² + 4²).")
    nb.show("u.square().sum().sqrt()", u.square().sum().sqrt())
    nb.note("L1 norm: the sum of absolute values.")
    nb.show("u.abs().sum()", u.abs().sum())
    nb.note("Frobenius norm of a matrix: the L2 norm of all its entries; for a 4 × 9 matrix of 1s, √36.")
    nb.show("Tensor.ones([4, 9]).square().sum().sqrt()", Tensor.ones([4, 9]).square().sum().sqrt())
}
