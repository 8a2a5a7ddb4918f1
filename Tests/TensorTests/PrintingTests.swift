import XCTest
import Tensor

/// Exact strings of `description` (PyTorch-style printing).
final class PrintingTests: XCTestCase {
    func testSmallTensors() {
        XCTAssertEqual("\(Tensor.arange(6).reshaped(to: [2, 3]))",
                       "tensor([[0., 1., 2.],\n        [3., 4., 5.]], shape: (2, 3))")
        XCTAssertEqual("\(Tensor([1, 10, -3]))", "tensor([ 1., 10., -3.])")
        XCTAssertEqual("\(Tensor([0.5, 1.25, -2]))", "tensor([ 0.5000,  1.2500, -2.0000])")
        XCTAssertEqual("\(Tensor(3.5))", "tensor(3.5000)")
        XCTAssertEqual("\(Tensor(2))", "tensor(2.)")
        XCTAssertEqual("\(Tensor([1e-5, 1]))", "tensor([1.0000e-05, 1.0000e+00])")
        XCTAssertEqual("\(Tensor([Float.nan, 1, .infinity]))", "tensor([nan, 1., inf])")
        XCTAssertEqual("\(Tensor.zeros([0, 3]))", "tensor([], shape: (0, 3))")
    }

    func testRank3AndGradHint() {
        XCTAssertEqual("\(Tensor.arange(8).reshaped(to: [2, 2, 2]))",
                       "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape: (2, 2, 2))")
        var w = Tensor([1, 2]); w.requiresGrad = true
        XCTAssertEqual("\(w)", "tensor([1., 2.], requiresGrad: true)")
        XCTAssertEqual("\((w * w).sum())", "tensor(5., requiresGrad: true)")
    }

    func testSummarisedAndWrapped() {
        XCTAssertEqual("\(Tensor.arange(1000, 3000))",
                       "tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.], shape: (2000))")
        XCTAssertEqual("\(Tensor.arange(2000))",  // largest/smallest > 1000: scientific, as PyTorch
                       "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03], shape: (2000))")
        let m = (Tensor.arange(2000) + 1000).reshaped(to: [40, 50])
        XCTAssertEqual("\(m)", """
        tensor([[1000., 1001., 1002.,  ..., 1047., 1048., 1049.],
                [1050., 1051., 1052.,  ..., 1097., 1098., 1099.],
                [1100., 1101., 1102.,  ..., 1147., 1148., 1149.],
                ...,
                [2850., 2851., 2852.,  ..., 2897., 2898., 2899.],
                [2900., 2901., 2902.,  ..., 2947., 2948., 2949.],
                [2950., 2951., 2952.,  ..., 2997., 2998., 2999.]], shape: (40, 50))
        """)
        XCTAssertEqual("\(Tensor.arange(20))", """
        tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,
                14., 15., 16., 17., 18., 19.])
        """)
    }
}
