/// A parsed CSV file (RFC 4180): a header row and rows of string fields.
///
/// Fields are separated by commas; a field in double quotes may contain commas, newlines and
/// doubled quotes (`""` → `"`). Lines end with `\n` or `\r\n`. Missing values stay as written
/// (`NA` or empty); `isMissing` recognises them the way pandas' `read_csv` does by default for
/// the values that occur in the book's files.
public struct CSVTable {
    public let header: [String]
    public let rows: [[String]]

    public init(header: [String], rows: [[String]]) { self.header = header; self.rows = rows }

    /// Parses CSV text; every row must have as many fields as the header.
    public init(parsing text: String, file: String = "CSV") throws {
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false, quotedField = false
        var text = text
        try text.withUTF8 { bytes in
            var i = 0
            let n = bytes.count
            func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true); quotedField = false }
            func endRecord() { endField(); if !(record.count == 1 && record[0].isEmpty) { records.append(record) }; record = [] }
            while i < n {
                let c = bytes[i]
                if inQuotes {
                    if c == 34 {
                        if i + 1 < n && bytes[i + 1] == 34 { field.append(34); i += 1 } else { inQuotes = false }
                    } else { field.append(c) }
                } else if c == 34 {
                    if !field.isEmpty || quotedField {
                        throw DataError.badFormat(file: file, reason: "quote inside an unquoted field in record \(records.count + 1)")
                    }
                    inQuotes = true; quotedField = true
                } else if c == 44 {
                    endField()
                } else if c == 10 {
                    endRecord()
                } else if c == 13 && i + 1 < n && bytes[i + 1] == 10 {
                    // \r\n: the \n ends the record
                } else {
                    field.append(c)
                }
                i += 1
            }
            if inQuotes { throw DataError.badFormat(file: file, reason: "unterminated quoted field at the end") }
            if !field.isEmpty || !record.isEmpty { endRecord() }
        }
        guard let header = records.first else { throw DataError.badFormat(file: file, reason: "empty file") }
        for (k, r) in records.enumerated().dropFirst() where r.count != header.count {
            throw DataError.badFormat(file: file, reason: "record \(k + 1) has \(r.count) fields, the header has \(header.count)")
        }
        self.header = header
        self.rows = Array(records.dropFirst())
    }

    /// Index of a column by name.
    public func columnIndex(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// All values of one column.
    public func column(_ index: Int) -> [String] { rows.map { $0[index] } }

    /// pandas' default NA markers that matter here: empty, `NA`, `NaN`, `N/A`, `null`.
    public static func isMissing(_ s: String) -> Bool {
        s.isEmpty || s == "NA" || s == "NaN" || s == "N/A" || s == "null" || s == "nan"
    }
}
