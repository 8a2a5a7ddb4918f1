import Tensor

/// Book §4.10: reads `kaggle_house_pred_train.csv` (1460 houses, 81 columns: Id, 79 features,
/// SalePrice) and `kaggle_house_pred_test.csv` (1459 houses, no SalePrice).
public func readKaggleHouseData(hub: DataHub = .shared) throws -> (train: CSVTable, test: CSVTable) {
    (try CSVTable(parsing: hub.readText(.kaggleHouseTrain), file: DataFile.kaggleHouseTrain.path),
     try CSVTable(parsing: hub.readText(.kaggleHouseTest), file: DataFile.kaggleHouseTest.path))
}

/// Features and labels ready for the §4.10 model.
public struct KaggleHouseData {
    public let trainFeatures: Tensor  // (1460, 331)
    public let testFeatures: Tensor   // (1459, 331)
    public let trainLabels: Tensor    // (1460, 1): SalePrice
    public let featureNames: [String]
    public let testIDs: [String]
}

/// Book §4.10 preprocessing of train and test together (without Id and SalePrice):
/// numeric columns (every non-missing value parses as a number) are standardised,
/// (x − mean)/std with the sample std (pandas, ddof = 1) over the non-missing values, and
/// missing values become 0 (the mean); every other column is one-hot encoded with a column
/// per value (sorted) plus one for "missing" (`pd.get_dummies(dummy_na=True)`). Numeric columns
/// come first, then the indicator columns, as pandas orders them.
public func preprocessKaggleHouseData(train: CSVTable, test: CSVTable) throws -> KaggleHouseData {
    guard let label = train.columnIndex("SalePrice"), train.header.first == "Id", test.header.first == "Id" else {
        throw DataError.badFormat(file: DataFile.kaggleHouseTrain.path, reason: "expected Id first and a SalePrice column")
    }
    let names = Array(test.header.dropFirst())
    guard Array(train.header.dropFirst().filter { $0 != "SalePrice" }) == names else {
        throw DataError.badFormat(file: DataFile.kaggleHouseTest.path, reason: "train and test columns differ")
    }
    let trainIdx = names.map { train.columnIndex($0)! }
    let all: [[String]] = train.rows.map { r in trainIdx.map { r[$0] } } + test.rows.map { Array($0.dropFirst()) }
    var numericColumns: [[Float]] = [], numericNames: [String] = []
    var dummyColumns: [[Float]] = [], dummyNames: [String] = []
    for (j, name) in names.enumerated() {
        let values = all.map { $0[j] }
        let present = values.filter { !CSVTable.isMissing($0) }
        let numbers = present.compactMap { Double($0) }
        if numbers.count == present.count {
            let mean = numbers.reduce(0, +) / Double(numbers.count)
            let variance = numbers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, numbers.count - 1))
            let std = variance.squareRoot()
            numericColumns.append(values.map { v in
                guard !CSVTable.isMissing(v), let x = Double(v) else { return 0 }
                return std > 0 ? Float((x - mean) / std) : 0
            })
            numericNames.append(name)
        } else {
            let categories = Set(present).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for c in categories {
                dummyColumns.append(values.map { $0 == c ? 1 : 0 }); dummyNames.append("\(name)_\(c)")
            }
            dummyColumns.append(values.map { CSVTable.isMissing($0) ? 1 : 0 }); dummyNames.append("\(name)_nan")
        }
    }
    let columns = numericColumns + dummyColumns
    let d = columns.count, nTrain = train.rows.count, nTest = test.rows.count
    func matrix(_ rows: Range<Int>) -> Tensor {
        var scalars = [Float](repeating: 0, count: rows.count * d)
        for (r, i) in rows.enumerated() { for j in 0..<d { scalars[r * d + j] = columns[j][i] } }
        return Tensor(shape: [rows.count, d], scalars: scalars)
    }
    var labels: [Float] = []
    for (k, r) in train.rows.enumerated() {
        guard let v = Float(r[label]) else {
            throw DataError.badFormat(file: DataFile.kaggleHouseTrain.path, reason: "SalePrice \"\(r[label])\" in row \(k + 1) is not a number")
        }
        labels.append(v)
    }
    return KaggleHouseData(trainFeatures: matrix(0..<nTrain), testFeatures: matrix(nTrain..<(nTrain + nTest)),
                           trainLabels: Tensor(shape: [nTrain, 1], scalars: labels),
                           featureNames: numericNames + dummyNames, testIDs: test.column(0))
}
