import Foundation
import Tensor

/// Book §11.5 `get_data_ch11(batch_size=10, n=1500)`: the NASA airfoil self-noise data
/// (1503 rows, tab-separated, 6 columns). Every column is standardised over all rows,
/// (x − mean)/std with the population std (NumPy's default, ddof = 0); the first `n` rows are
/// kept; the 5 first columns are the features and the last (sound pressure) the target y (n,).
/// Returns a shuffled iterator and the feature dimension (5). Statistics are computed in
/// Double (the book's float32 NumPy differs by up to ~3e-5 after standardisation).
public func getDataCh11(batchSize: Int = 10, n: Int = 1500, hub: DataHub = .shared,
                        seed: UInt64? = nil) throws -> (iterator: DataIterator, featureDim: Int) {
    try getDataCh11(text: hub.readText(.airfoil), batchSize: batchSize, n: n, seed: seed)
}

/// `getDataCh11` on the file's text (the parsing and standardising half).
public func getDataCh11(text: String, batchSize: Int = 10, n: Int = 1500,
                        seed: UInt64? = nil) throws -> (iterator: DataIterator, featureDim: Int) {
    var rows: [[Double]] = []
    for (k, line) in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
        let fields = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
        if fields.isEmpty || (fields.count == 1 && fields[0].isEmpty) { continue }
        let values = fields.compactMap { Double($0) }
        guard values.count == fields.count, rows.isEmpty || values.count == rows[0].count else {
            throw DataError.badFormat(file: DataFile.airfoil.path, reason: "line \(k + 1) is not \(rows.first?.count ?? 6) tab-separated numbers")
        }
        rows.append(values)
    }
    guard let cols = rows.first?.count, cols >= 2 else {
        throw DataError.badFormat(file: DataFile.airfoil.path, reason: "no data")
    }
    for j in 0..<cols {
        let mean = rows.reduce(0) { $0 + $1[j] } / Double(rows.count)
        let std = (rows.reduce(0) { $0 + ($1[j] - mean) * ($1[j] - mean) } / Double(rows.count)).squareRoot()
        for i in rows.indices { rows[i][j] = std > 0 ? (rows[i][j] - mean) / std : 0 }  // a constant column → 0, not NaN
    }
    let kept = rows.prefix(n)
    let d = cols - 1
    let X = Tensor(shape: [kept.count, d], scalars: kept.flatMap { $0[..<d].map { Float($0) } })
    let y = Tensor(shape: [kept.count], scalars: kept.map { Float($0[d]) })
    return (loadArray(features: X, labels: y, batchSize: batchSize, shuffle: true, seed: seed), d)
}
