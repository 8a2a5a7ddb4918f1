import Foundation

/// The sections of the chapter that can be run on their own (`--section NAME`).
enum Section: String, CaseIterable {
    case data, linalg, calculus, autograd

    /// The book section a name stands for.
    var title: String {
        switch self {
        case .data: return "2.1 data manipulation"
        case .linalg: return "2.3 linear algebra"
        case .calculus: return "2.4 calculus"
        case .autograd: return "2.5 automatic differentiation"
        }
    }

    /// Appends this section's walk-through to the notebook.
    func run(_ nb: inout Notebook) {
        switch self {
        case .data: dataManipulation(&nb)
        case .linalg: linearAlgebra(&nb)
        case .calculus: Chapter01_Preliminaries.calculus(&nb)
        case .autograd: automaticDifferentiation(&nb)
        }
    }
}

/// What the command line asks for.
enum Command: Equatable {
    /// Run these sections, in order.
    case run([Section])
    /// Print the usage message.
    case help
}

/// The usage message.
let usage = """
    Usage: Chapter01-Preliminaries [--section NAME]

    Walks through the book's chapter 2 (Preliminaries) with our Tensor library.
    Without options every section runs. NAME is one of:
    \(Section.allCases.map { "  \($0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0))\($0.title)" }.joined(separator: "\n"))
    """

/// Parses the arguments (without the program name). Returns an error message for anything
/// it does not understand.
func parseArguments(_ args: [String]) -> Result<Command, ArgumentError> {
    switch args.count {
    case 0:
        return .success(.run(Section.allCases))
    case 1 where args[0] == "--help" || args[0] == "-h":
        return .success(.help)
    case 2 where args[0] == "--section":
        guard let s = Section(rawValue: args[1]) else {
            return .failure(ArgumentError(message: "unknown section '\(args[1])'"))
        }
        return .success(.run([s]))
    case 1 where args[0] == "--section":
        return .failure(ArgumentError(message: "--section needs a NAME"))
    default:
        return .failure(ArgumentError(message: "unexpected arguments: \(args.joined(separator: " "))"))
    }
}

/// A command-line mistake, with a message for the user.
struct ArgumentError: Error, Equatable {
    var message: String
}
