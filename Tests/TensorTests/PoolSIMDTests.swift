import XCTest
import Tensor
import TestSupport

/// The vectorised max-pooling windows (stride 1 and 2, rows wide enough for 16 outputs) and the
/// two-pass path for narrow rows against
/// the naive reference, with ties (small integers) and NaNs, whose rules the vector path must keep:
/// the first maximum wins a tie, a NaN propagates (the last NaN's index).
final class PoolSIMDTests: XCTestCase {
    func testWideRowsWithTiesAndNaNsMatchNaive() {
        var gen = SeededGenerator(seed: 42)
        // Wide rows take the vector windows; narrow ones (GoogLeNet's 12×12, 6×6 and 3×3 planes,
        // odd sizes, strides 1–3, padding up to half the kernel) the two 1-D passes (`maxPoolSeparable`).
        for (k, s, p, h, w) in [(3, 2, 1, 9, 71), (3, 1, 1, 5, 40), (3, 2, 0, 7, 69), (2, 1, 0, 4, 35), (5, 2, 2, 6, 80),
                                (3, 1, 1, 12, 12), (3, 1, 1, 6, 6), (3, 1, 1, 3, 3), (3, 2, 1, 12, 12), (3, 2, 1, 6, 6),
                                (3, 2, 0, 7, 9), (2, 1, 0, 5, 5), (5, 1, 2, 6, 7), (4, 3, 2, 10, 11), (1, 1, 0, 4, 4),
                                // AlexNet's 3×3/2 pools at the quick 67 px (15×15, 7×7, 3×3), rows of 9–17
                                // outputs (two vector chunks), and the same with −∞ inputs (below).
                                (3, 2, 0, 15, 15), (3, 2, 0, 7, 7), (3, 2, 0, 3, 3), (3, 1, 1, 17, 9), (3, 2, 1, 20, 33)] {
            let g = ConvGeometry(batch: 2, channels: 3, height: h, width: w, kernelH: k, kernelW: k,
                                 strideH: s, strideW: s, padH: p, padW: p)
            var values = (0..<(2 * 3 * h * w)).map { _ in Float(Int(gen.next() % 4)) - 2 }   // many ties
            // −∞ (whole windows of it where the pattern lines up: the vector path's −∞ padding must
            // never win, and an all −∞ window must still point inside the row).
            for i in stride(from: 5, to: values.count, by: 3) where gen.next() % 3 != 0 { values[i] = -.infinity }
            for i in stride(from: 37, to: values.count, by: 211) { values[i] = .nan }
            let x = Tensor(shape: [2, 3, h, w], scalars: values)
            let outShape = [2, 3, g.outH, g.outW]
            var naive = Tensor.zeros(outShape), dxNaive = Tensor.zeros(x.shape)
            let gOut = Tensor(shape: outShape, scalars: (0..<shapeCount(outShape)).map { Float($0 % 7) + 1 })
            naive.withUnsafeMutableBufferPointer { o in
                dxNaive.withUnsafeMutableBufferPointer { d in
                    Kernels.pool2dNaive(max: true, x: x.storage.pointer, out: o.baseAddress!, gOut: gOut.storage.pointer,
                                        dx: d.baseAddress!, g)
                }
            }
            var xg = x; xg.requiresGrad = true
            let y = xg.maxPool2d(kernelSize: (k, k), stride: (s, s), padding: (p, p))
            y.backward(gradient: gOut)
            let label = "max \(g)"
            XCTAssertEqual(y.scalars.map(\.bitPattern), naive.scalars.map(\.bitPattern), "\(label) forward")
            let r = compare(xg.grad!, dxNaive, atol: 0, label: "\(label) dx (where each gradient went)")
            XCTAssertTrue(r.ok, r.description)
            XCTAssertTrue(y.scalars.contains { $0.isNaN }, "\(label): the NaNs reach the output")
        }
    }
}
