import XCTest
import Tensor
import TestSupport

/// Fast reduction and transpose kernels against naive references on odd sizes.
final class ReduceTests: XCTestCase {
    var gen = SeededGenerator(seed: 11)

    func naiveSum(_ x: Tensor, _ axes: [Int]) -> [Float] {
        var outShape = x.shape
        for a in axes { outShape[a] = 1 }
        var out = [Float](repeating: 0, count: shapeCount(outShape))
        x.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { Kernels.sumNaive(xp.baseAddress!, x.shape, $0.baseAddress!, outShape) } }
        return out
    }

    func testSumMatchesNaiveOnOddSizes() {
        let sizes = [1, 7, 17, 33, 100, 257]
        for n in sizes {
            for m in [1, 7, 33, 100] {
                let x = Tensor.uniform([m, n], low: -1, high: 1, generator: &gen)
                for axes in [[0], [1], [0, 1]] {
                    let c = compare(Tensor(x.sum(alongAxes: axes).scalars), Tensor(naiveSum(x, axes)), atol: 1e-4, rtol: 1e-5,
                                    label: "sum (\(m), \(n)) over \(axes)")
                    XCTAssertTrue(c.ok, "\(c)")
                }
            }
        }
        for shape in [[3, 7, 17], [17, 1, 33], [2, 100, 7, 3], [257, 2, 5]] {
            let x = Tensor.uniform(shape, low: -1, high: 1, generator: &gen)
            for axes in [[0], [1], [2], [0, 2], [1, 2], [0, 1], [0, 1, 2]] {
                let c = compare(Tensor(x.sum(alongAxes: axes).scalars), Tensor(naiveSum(x, axes)), atol: 1e-4, rtol: 1e-5,
                                label: "sum \(shape) over \(axes)")
                XCTAssertTrue(c.ok, "\(c)")
            }
        }
        // A large column sum exercises the column-split path.
        let big = Tensor.uniform([3, 40_000], low: -1, high: 1, generator: &gen)
        XCTAssertTrue(compare(Tensor(big.sum(alongAxes: [0]).scalars), Tensor(naiveSum(big, [0])), atol: 1e-5, rtol: 1e-5).ok)
    }

    func testShapesAndKeepDims() {
        let x = Tensor.arange(24).reshaped(to: [2, 3, 4])
        XCTAssertEqual(x.sum(alongAxes: [1], keepDims: true).shape, [2, 1, 4])
        XCTAssertEqual(x.sum(alongAxes: [-1]).shape, [2, 3])
        XCTAssertEqual(x.sum().shape, [])
        XCTAssertEqual(x.sum().item(), 276)
        XCTAssertEqual(x.mean().item(), 11.5)
        XCTAssertEqual(x.mean(alongAxes: [0, 2]).scalars, [7.5, 11.5, 15.5])
        XCTAssertEqual(x.max().item(), 23)
        XCTAssertEqual(x.min(alongAxes: [1]).scalars, [0, 1, 2, 3, 12, 13, 14, 15])
        XCTAssertEqual(x.max(alongAxes: [0, 2], keepDims: true).shape, [1, 3, 1])
        XCTAssertEqual(x.max(alongAxes: [0, 2]).scalars, [15, 19, 23])
    }

    func testArgmaxTiesAndLayouts() {
        let t = Tensor([[1, 3, 3, 0], [5, 5, 5, 5], [-1, -2, -3, -4]])
        XCTAssertEqual(t.argmax(axis: 1).scalars, [1, 0, 0])
        XCTAssertEqual(t.argmin(axis: 1).scalars, [3, 0, 3])
        XCTAssertEqual(t.argmax(axis: 0).scalars, [1, 1, 1, 1])
        XCTAssertEqual(t.argmaxIndices(axis: -1), [1, 0, 0])
        // The max gradient goes to the first maximal entry.
        var l = t; l.requiresGrad = true
        l.max(alongAxes: [1]).sum().backward()
        XCTAssertEqual(l.grad?.scalars, [0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])
        // SIMD path (rows ≥ 32) vs the naive scan, with a tie in a later vector.
        for n in [32, 33, 100, 257] {
            var v = Tensor.uniform([3, n], low: -1, high: 1, generator: &gen).scalars
            v[n + n - 1] = 5; v[n + 17] = 5
            let x = Tensor(shape: [3, n], scalars: v)
            var vals = [Float](repeating: 0, count: 3), idx = [Int](repeating: 0, count: 3)
            for isMax in [true, false] {
                x.withUnsafeBufferPointer { xp in vals.withUnsafeMutableBufferPointer { vp in idx.withUnsafeMutableBufferPointer { ip in
                    Kernels.argReduceRowsNaive(xp.baseAddress!, rows: 3, n: n, isMax: isMax, vp.baseAddress!, ip.baseAddress!)
                }}}
                let fast = isMax ? x.argmaxIndices(axis: 1) : x.argmin(axis: 1).scalars.map { Int($0) }
                XCTAssertEqual(fast, idx, "n=\(n) isMax=\(isMax)")
                XCTAssertEqual((isMax ? x.max(alongAxes: [1]) : x.min(alongAxes: [1])).scalars, vals)
            }
            XCTAssertEqual(x.argmaxIndices(axis: 1)[1], 17)
        }
    }

    func testPermuteMatchesNaive() {
        let cases: [([Int], [Int])] = [
            ([7, 17], [1, 0]), ([33, 100], [1, 0]), ([1, 257], [1, 0]), ([3, 17, 33], [0, 2, 1]),
            ([2, 7, 17], [2, 0, 1]), ([7, 3, 5, 2], [1, 0, 2, 3]), ([5, 4, 3, 2], [3, 2, 1, 0]), ([100, 7], [1, 0]),
        ]
        for (shape, axes) in cases {
            let x = Tensor.uniform(shape, low: -1, high: 1, generator: &gen)
            var ref = [Float](repeating: 0, count: x.count)
            x.withUnsafeBufferPointer { xp in ref.withUnsafeMutableBufferPointer { Kernels.permuteNaive(xp.baseAddress!, shape, axes, $0.baseAddress!) } }
            let got = x.permuted(axes)
            XCTAssertEqual(got.shape, axes.map { shape[$0] })
            XCTAssertEqual(got.scalars, ref, "permute \(shape) by \(axes)")
        }
        let m = Tensor([[1, 2, 3], [4, 5, 6]])
        XCTAssertEqual(m.transposed().scalars, [1, 4, 2, 5, 3, 6])
        XCTAssertEqual(m.transposed(0, 1).shape, [3, 2])
    }
}
