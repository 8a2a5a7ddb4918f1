/// The book's printed result for a run and its spread over 20 builds of the book
/// (from ../shared/BOOK.md), printed under ours so a learner sees at once whether a run is normal:
///
///     ours:  loss 0.457, train acc 0.829, test acc 0.791
///     book:  loss 0.469, train acc 0.823, test acc 0.779 (test 0.779–0.824 over 20 builds)
public struct BookResult: Equatable {
    /// What the book printed, e.g. `loss 0.469, train acc 0.823, test acc 0.779`.
    public var printed: String
    /// The range seen over 20 builds, e.g. `test 0.779–0.824` (nil: deterministic or not recorded).
    public var spread: String?

    public init(_ printed: String, spread: String? = nil) {
        self.printed = printed
        self.spread = spread
    }

    /// The line printed after a run: `book:  <printed> (<spread> over 20 builds)`.
    public var line: String {
        "book:  " + printed + (spread.map { " (\($0) over 20 builds)" } ?? "")
    }
}
