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

    /// Writes `text` to `url`, creating its folder. A folder that is a regular file (for example
    /// `D2L_FIGURES` pointing at a file) or any other I/O failure throws a `FigureError` naming the path.
    /// Every figure writer goes through here.
    public static func write(_ text: String, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        // Walk up to the first existing ancestor: it must be a folder.
        var ancestor = folder
        while !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
            let parent = ancestor.deletingLastPathComponent()
            if parent.path == ancestor.path { break }
            ancestor = parent
        }
        if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw FigureError.notAFolder(ancestor.path)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw FigureError.cannotWrite(url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Runs `save` (which writes a figure and returns its URL); on failure writes one warning line
    /// to `warnings` and returns nil, so a run goes on without its figure. The chapters save every
    /// figure through here: a bad `D2L_FIGURES` is a warning, never an exit.
    @discardableResult
    public static func saveOrWarn(_ name: String, warnings: TextOutput = .standardError,
                                  _ save: () throws -> URL) -> URL? {
        do {
            return try save()
        } catch {
            warnings.write("warning: could not save figure \(name): \(error)\n")
            return nil
        }
    }

    /// The URL a figure called `file` is written to: a bare name (with or without ".svg")
    /// goes into `directory`; a name containing "/" is used as a path as given.
    public static func url(_ file: String) -> URL {
        let withExtension = file.hasSuffix(".svg") ? file : file + ".svg"
        if file.contains("/") { return URL(fileURLWithPath: withExtension) }
        return directory.appendingPathComponent(withExtension)
    }
}

/// Why a figure could not be written.
public enum FigureError: Error, Equatable, CustomStringConvertible {
    /// The figures folder (or one of its parents) exists as a regular file.
    case notAFolder(String)
    /// Creating the folder or writing the file failed.
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .notAFolder(let path):
            return "\(path) is a file, not a folder (check D2L_FIGURES)"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
