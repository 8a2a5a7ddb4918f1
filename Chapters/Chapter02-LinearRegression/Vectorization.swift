import D2L
import Foundation
import Tensor

// §3.1.2 Vectorization for speed and §3.1.3 the normal distribution.

/// The §3.1.2 demo: adds two 10000-vectors of ones one element at a time (a loop over tensor
/// subscripts, the Swift analogue of the book's Python loop), then with one vectorised `a + b`.
/// Returns both times in seconds; `c` and `d` must agree.
@discardableResult
func vectorizationDemo(n: Int = 10000, log: (String) -> Void = { print($0) }) -> (loop: Double, vectorized: Double) {
    let a = Tensor.ones([n]), b = Tensor.ones([n])
    _ = a + b  // warm-up: the first parallel kernel call starts the worker threads
    var timer = Stopwatch()
    var c = [Float](repeating: 0, count: n)
    for i in 0..<n { c[i] = a[i] + b[i] }  // one scalar add per element
    let loop = timer.stop()
    log("loop of scalar additions: \(String(format: "%.5f", loop)) sec")
    timer.start()
    let d = a + b                          // one vectorised addition (SIMD kernel)
    let vectorized = timer.stop()
    log("vectorised a + b:         \(String(format: "%.5f", vectorized)) sec")
    if c != d.scalars { fatalError("vectorizationDemo: the loop and the vectorised sums differ") }
    return (loop, vectorized)
}

/// The normal density p(x) = exp(−(x − μ)² / 2σ²) / √(2πσ²) (§3.1.3).
func normal(_ x: [Double], mu: Double, sigma: Double) -> [Double] {
    let p = 1 / (2 * Double.pi * sigma * sigma).squareRoot()
    return x.map { p * Foundation.exp(-0.5 / (sigma * sigma) * ($0 - mu) * ($0 - mu)) }
}

/// §3.1.3's figure: the normal densities for (μ, σ) = (0, 1), (0, 2), (3, 1) over x ∈ [−7, 7).
func plotNormalDistributions(file: String = "ch02-basics-normal-distributions") throws -> URL {
    let x = stride(from: -7.0, to: 7.0, by: 0.01).map { $0 }
    let params: [(Double, Double)] = [(0, 1), (0, 2), (3, 1)]
    return try plot(x: x, y: params.map { normal(x, mu: $0.0, sigma: $0.1) }, xlabel: "x", ylabel: "p(x)",
                    legend: params.map { "mean \(Int($0.0)), std \(Int($0.1))" }, figsize: (4.5, 2.5), file: file)
}
