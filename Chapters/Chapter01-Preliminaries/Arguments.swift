import D2L

/// The sections of the chapter that can be run on their own (`NAME` or `--section NAME`).
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

/// The chapter's command line, with the shared `OptionParser`: no options, only sections.
let parser: OptionParser = {
    var parser = OptionParser(program: "Chapter01-Preliminaries",
                              overview: "Walks through the book's chapter 2 (Preliminaries) with our Tensor library.")
    parser.sections(Section.allCases.map { ($0.rawValue, $0.title) })
    return parser
}()

/// The usage message.
var usage: String { parser.usage() }

/// Parses the arguments (without the program name); an `OptionError` describes anything
/// it does not understand.
func parseArguments(_ args: [String]) -> Result<Command, OptionError> {
    do {
        let options = try parser.parse(args)
        return .success(.run(Section.allCases.filter { options.runs($0.rawValue) }))
    } catch OptionError.helpRequested {
        return .success(.help)
    } catch {
        return .failure(error as! OptionError)
    }
}
