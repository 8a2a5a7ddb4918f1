import Foundation
import Tensor

/// Sinusoidal positional encoding (book §10.6.3): adds `P[:, :T, :]` to the input `(B, T, d)`
/// and applies dropout, with
/// `P[pos, 2i] = sin(pos / 10000^{2i/d})`, `P[pos, 2i+1] = cos(pos / 10000^{2i/d})`.
///
/// ```swift
/// let pe = PositionalEncoding(numHiddens: 32, dropout: 0)
/// pe(Tensor.zeros([1, 60, 32]))   // the table itself, as in the book's figure
/// ```
public final class PositionalEncoding: ModuleBase, Layer {
    public let numHiddens: Int
    public let maxLen: Int
    public let dropout: Dropout
    /// `(1, maxLen, numHiddens)`.
    public let table: Tensor

    public init(numHiddens: Int, dropout: Float, maxLen: Int = 1000, file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(numHiddens > 0 && maxLen > 0,
                   "PositionalEncoding: numHiddens \(numHiddens) and maxLen \(maxLen) must be positive", file: file, line: line)
        (self.numHiddens, self.maxLen) = (numHiddens, maxLen)
        self.dropout = Dropout(dropout, file: file, line: line)
        table = PositionalEncoding.table(steps: maxLen, numHiddens: numHiddens)
    }

    /// The sin/cos table `(1, steps, numHiddens)` (float32 math, like the book's).
    public static func table(steps: Int, numHiddens d: Int) -> Tensor {
        var p = [Float](repeating: 0, count: steps * d)
        for i in stride(from: 0, to: d, by: 2) {
            let div = Foundation.pow(Float(10000), Float(i) / Float(d))
            for pos in 0..<steps {
                let x = Float(pos) / div
                p[pos * d + i] = Foundation.sin(x)
                if i + 1 < d { p[pos * d + i + 1] = Foundation.cos(x) }
            }
        }
        return Tensor(shape: [1, steps, d], scalars: p)
    }

    public var children: [(name: String, module: Module)] { [("dropout", dropout)] }
    public var extraDescription: String { "numHiddens: \(numHiddens), maxLen: \(maxLen)" }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        shapeCheck(x.rank == 3 && x.shape[2] == numHiddens && x.shape[1] <= maxLen,
                   "PositionalEncoding(numHiddens: \(numHiddens), maxLen: \(maxLen)): input \(describeShape(x.shape)) "
                   + "must be (batch, steps ≤ \(maxLen), \(numHiddens))", file: #fileID, line: #line)
        return dropout(x + table.slice(axis: 1, 0..<x.shape[1]))
    }
}
