import Foundation

/// Where figures go and how their files are named.
///
/// Figures are written to `figures/` under the current directory (created on demand and
/// git-ignored), or to the folder named by the environment variable `D2L_FIGURES`.
///
///     let url = try plot(x: xs, y: [ys], file: Figures.name("chapter04", "weight-decay", "lambda 3"))
///     print("saved \(url.path)")            // figures/chapter04-weight-decay-lambda-3.svg
public enum Figures {
    /// The output folder. Chapters may set it; tests pass explicit URLs instead.
    nonisolated(unsafe) public static var directory: URL = {
        if let env = ProcessInfo.processInfo.environment["D2L_FIGURES"], !env.isEmpty {
            return URL(fileURLWithPath: env, isDirectory: true)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent("figures", isDirectory: true)
    }()

    /// Pixels per inch of written SVGs (the book's 3.5 × 2.5 in figure becomes 420 × 300 px).
    nonisolated(unsafe) public static var dpi: Double = 120

    /// Joins the parts with "-" into a safe file stem: letters, digits, "_" and "." are kept,
    /// every other run of characters becomes one "-"; all lower-cased.
    /// `name("Chapter04", "weight decay", "λ=3")` → "chapter04-weight-decay-3".
    public static func name(_ parts: String...) -> String {
        var out = ""
        var pendingDash = false
        for c in parts.joined(separator: "-").lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".") {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.append(c)
            } else {
                pendingDash = true
            }
        }
        return out.isEmpty ? "figure" : out
    }

    /// The URL a figure called `file` is written to: a bare name (with or without ".svg")
    /// goes into `directory`; a name containing "/" is used as a path as given.
    public static func url(_ file: String) -> URL {
        let withExtension = file.hasSuffix(".svg") ? file : file + ".svg"
        if file.contains("/") { return URL(fileURLWithPath: withExtension) }
        return directory.appendingPathComponent(withExtension)
    }
}
