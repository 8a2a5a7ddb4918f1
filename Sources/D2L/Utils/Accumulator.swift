/// Sums over `n` variables (book §3.6, `d2l.Accumulator`).
///
///     var metric = Accumulator(3)                      // loss sum, correct, count
///     metric.add(lossSum, correct, Double(batchSize))
///     let trainLoss = metric[0] / metric[2]
public struct Accumulator {
    /// The running sums, one per slot.
    public private(set) var data: [Double]

    /// Creates `n` slots, all zero.
    public init(_ n: Int) {
        if n < 0 { fatalError("Accumulator(\(n)): the number of slots must be non-negative") }
        data = Array(repeating: 0, count: n)
    }

    /// Adds `values[i]` to slot `i`; exactly one value per slot.
    public mutating func add(_ values: Double..., file: StaticString = #fileID, line: UInt = #line) {
        add(values, file: file, line: line)
    }

    /// Array form of `add(_:...)`.
    public mutating func add(_ values: [Double], file: StaticString = #fileID, line: UInt = #line) {
        if values.count != data.count {
            fatalError("Accumulator.add: got \(values.count) values for \(data.count) slots", file: file, line: line)
        }
        for i in data.indices { data[i] += values[i] }
    }

    /// Sets every slot back to zero.
    public mutating func reset() {
        for i in data.indices { data[i] = 0 }
    }

    /// The number of slots.
    public var count: Int { data.count }

    /// The running sum in slot `i`.
    public subscript(i: Int) -> Double { data[i] }
}
