import XCTest
import Tensor
import TestSupport

/// Results never depend on the thread count (issue 9 item 14): every kernel that splits work over
/// threads either splits outputs or reduces a fixed number of parts in a fixed order, so 1, 2 and
/// 3 threads give bit-identical floats. (`Parallel.withThreads` scopes the count to the call.)
final class ThreadDeterminismTests: XCTestCase {
    func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        var gen = SeededGenerator(seed: seed)
        return Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
    }

    /// `f` run with 1, 2 and 3 threads: the bit patterns of every output agree.
    func assertSameForThreadCounts(_ label: String, line: UInt = #line, _ f: () -> [Tensor]) {
        let results = [1, 2, 3].map { t in Parallel.withThreads(t) { f().map { $0.scalars.map(\.bitPattern) } } }
        for (t, r) in zip([2, 3], results.dropFirst()) {
            for (i, (a, b)) in zip(results[0], r).enumerated() where a != b {
                let k = a.indices.first { a[$0] != b[$0] } ?? -1
                XCTFail("\(label): output \(i) differs between 1 and \(t) threads (first at element \(k))", line: line)
            }
        }
    }

    func testWithThreadsIsScoped() {
        let before = Parallel.threads
        Parallel.withThreads(3) {
            XCTAssertEqual(Parallel.threads, 3)
            Parallel.withThreads(1) { XCTAssertEqual(Parallel.threads, 1) }
            XCTAssertEqual(Parallel.threads, 3)
        }
        XCTAssertEqual(Parallel.threads, before)
        XCTAssertEqual(Parallel.withThreads(0) { Parallel.threads }, 1, "at least one thread")
    }

    func testThreadCountFromEnvironment() {
        XCTAssertEqual(Parallel.threadCount(fromEnvironment: nil, cores: 8), 8)
        XCTAssertEqual(Parallel.threadCount(fromEnvironment: "", cores: 8), 8)
        XCTAssertEqual(Parallel.threadCount(fromEnvironment: "3", cores: 8), 3)
        XCTAssertNil(Parallel.threadCount(fromEnvironment: "0", cores: 8))
        XCTAssertNil(Parallel.threadCount(fromEnvironment: "two", cores: 8))
    }

    func testGEMMAtTheMLPShapes() {
        // Forward 256×784·(256×784)ᵀ, the weight gradient (256×256)ᵀ·256×784, and a tall product.
        let x = randn([256, 784], seed: 1), w = randn([256, 784], seed: 2), g = randn([256, 256], seed: 3)
        let tall = randn([1000, 300], seed: 4), b = randn([300, 70], seed: 5)
        assertSameForThreadCounts("gemm") {
            [x.matmul(w.transposed()), g.transposed().matmul(x), tall.matmul(b)]
        }
    }

    func testConvolutionGradients() {
        // LeNet's two convolutions at batch 64 (the direct and channel-vector weight-gradient
        // kernels) and a 3×3 stride-2 one (the im2col path); every gradient must agree bitwise.
        let cases: [(x: [Int], w: [Int], stride: Int, pad: Int)] = [
            ([64, 1, 28, 28], [6, 1, 5, 5], 1, 2), ([64, 6, 14, 14], [16, 6, 5, 5], 1, 0),
            ([24, 8, 17, 17], [12, 8, 3, 3], 2, 1), ([24, 32, 12, 12], [48, 32, 3, 3], 1, 1),
        ]
        for (i, c) in cases.enumerated() {
            let x0 = randn(c.x, seed: UInt64(10 + i)), w0 = randn(c.w, seed: UInt64(20 + i))
            let b0 = randn([c.w[0]], seed: UInt64(30 + i))
            assertSameForThreadCounts("conv \(c.x)*\(c.w)") {
                var x = x0, w = w0, b = b0
                x.requiresGrad = true; w.requiresGrad = true; b.requiresGrad = true
                let y = Tensor.conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.pad)
                (y * y).sum().backward()
                return [y, x.grad!, w.grad!, b.grad!]
            }
        }
    }

    func testReductionsPoolingAndElementwise() {
        // Sizes that are not multiples of 16, big enough to be split over threads.
        let x = randn([3, 100_003], seed: 7), planes = randn([64, 6, 28, 28], seed: 8)
        assertSameForThreadCounts("reductions") {
            [x.sum(), x.sum(alongAxes: [0]), x.sum(alongAxes: [1]), x.mean(), x.max(alongAxes: [1]),
             x.exp(), x.sigmoid(), x.tanh(), x.relu() * x]
        }
        assertSameForThreadCounts("pooling") {
            var p = planes
            p.requiresGrad = true
            let y = p.maxPool2d(kernelSize: 2) + p.avgPool2d(kernelSize: 2)
            (y * y).sum().backward()
            return [y, p.grad!]
        }
    }
}
