import Tensor

/// A tiny notebook printer: the walk-through of each section is a list of cells, as in
/// the book's Jupyter notebooks. A cell is one line of Swift (prefixed with `> `) and,
/// when it has one, the value it produces, printed exactly as `print` would show it.
/// Explanations are printed as Swift comments (`// ...`).
///
/// The value shown for a declaration (`let x = Tensor.arange(12)`) is the declared value,
/// as a playground shows it beside the line.
///
/// Every cell is also recorded (`cells`), so tests can look up what a line printed with
/// `output(of:)`.
struct Notebook {
    /// One line of code and the text printed for it (empty when it produces nothing).
    struct Cell: Equatable {
        var code: String
        var output: String
    }

    /// Every printed line, in order.
    private(set) var lines: [String] = []
    /// Every code cell, in order.
    private(set) var cells: [Cell] = []
    /// When true, lines are also written to standard output as they are produced.
    var echo: Bool

    init(echo: Bool = false) { self.echo = echo }

    private mutating func emit(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(String(line))
            if echo { print(line) }
        }
    }

    /// A section title, e.g. `2.1 Data manipulation`.
    mutating func section(_ title: String) {
        if !lines.isEmpty { emit("") }
        emit(title)
        emit(String(repeating: "=", count: title.count))
    }

    /// A subsection title, e.g. `2.1.1 Getting started`.
    mutating func subsection(_ title: String) {
        emit("")
        emit("--- \(title) ---")
    }

    /// An explanation, printed as Swift comment lines.
    mutating func note(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            emit(line.isEmpty ? "//" : "// \(line)")
        }
    }

    /// A statement that prints nothing (a definition, an assignment, a `backward()` call).
    mutating func code(_ statement: String) {
        cells.append(Cell(code: statement, output: ""))
        emit("> \(statement)")
    }

    /// A line of code and the value it produces.
    mutating func show<T>(_ code: String, _ value: T) {
        let text = String(describing: value)
        cells.append(Cell(code: code, output: text))
        emit("> \(code)")
        emit(text)
    }

    /// A line whose value is an optional tensor (`x.grad`): `nil` or the tensor.
    mutating func showOptional(_ code: String, _ value: Tensor?) {
        show(code, value.map { String(describing: $0) } ?? "nil")
    }

    /// A line of plain output that is not a cell (a row of a table).
    mutating func text(_ line: String) { emit(line) }

    /// What the last cell with exactly this code printed (nil if there is no such cell).
    func output(of code: String) -> String? {
        cells.last { $0.code == code }?.output
    }

    /// What every cell with exactly this code printed, in order.
    func outputs(of code: String) -> [String] {
        cells.filter { $0.code == code }.map(\.output)
    }
}
