#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where progress lines and messages go: a write function plus whether the destination is an
/// interactive terminal (then lines may be redrawn in place with `\r`).
///
/// Tests inject their own: `TextOutput(isTerminal: false) { buffer += $0 }`.
public struct TextOutput {
    /// Writes a piece of text (no newline is added).
    public let write: (String) -> Void
    /// True when the destination is a terminal (`isatty`), so `\r` redraws make sense.
    public let isTerminal: Bool

    public init(isTerminal: Bool, write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Standard error, unbuffered; `isTerminal` comes from `isatty(2)`.
    public static var standardError: TextOutput {
        TextOutput(isTerminal: isatty(2) == 1) { text in
            _ = text.utf8CString.withUnsafeBufferPointer { fputs($0.baseAddress!, stderr) }
        }
    }

    /// Standard output (flushed after each write so progress shows up at once).
    public static var standardOutput: TextOutput {
        TextOutput(isTerminal: isatty(1) == 1) { text in
            _ = text.utf8CString.withUnsafeBufferPointer { fputs($0.baseAddress!, stdout) }
            fflush(stdout)
        }
    }
}
