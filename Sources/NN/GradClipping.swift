import Foundation
import Tensor

/// Gradient clipping by the global norm (book §8.5.5 `grad_clipping`): with `g` all gradients of
/// `parameters` stacked into one vector, if `‖g‖₂ > θ` every gradient is rescaled by `θ / ‖g‖₂`,
/// so the update direction is kept and its length capped at `θ`. Call it between `backward()`
/// and the optimizer step. Returns the norm before clipping. Parameters without a gradient are
/// skipped.
///
/// ```swift
/// loss.backward()
/// gradClipping(net, theta: 1)
/// optimizer.step()
/// ```
@discardableResult
public func gradClipping(_ parameters: [Parameter], theta: Float) -> Float {
    var squares = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        squares += g.withUnsafeBufferPointer { buf in sumOfSquares(buf.baseAddress!, buf.count) }
    }
    let norm = Float(squares.squareRoot())
    if norm > theta {
        let scale = Tensor(theta / norm)
        for p in parameters {
            guard var g = p.grad else { continue }
            p.zeroGrad()                      // drop the parameter's reference so the scale runs in place
            withNoGrad { g *= scale }
            p.value.grad = g
        }
    }
    return norm
}

/// `gradClipping` over every parameter of `net` (the book's `grad_clipping(net, theta)`).
@discardableResult
public func gradClipping(_ net: Module, theta: Float) -> Float {
    gradClipping(net.parameters(), theta: theta)
}

/// `Σ xᵢ²` with 16 float lanes per block, each block's sum added in `Double`.
func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    var total = 0.0
    var i = 0
    while i < n {
        let len = min(4096, n &- i)
        var acc = SIMD16<Float>()
        var j = 0
        let raw = UnsafeRawPointer(x + i)
        while j &+ 16 <= len {
            let v = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD16<Float>.self)
            acc.addProduct(v, v)
            j &+= 16
        }
        var s = Double(acc.sum())
        while j < len { s += Double(x[i &+ j] * x[i &+ j]); j &+= 1 }
        total += s
        i &+= len
    }
    return total
}
