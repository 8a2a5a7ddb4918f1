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

/// The chapter's command line: sections only (no training), plus `--seed` and `--threads`.
func chapterCommand() -> ChapterCommand {
    ChapterCommand(program: "Chapter01-Preliminaries",
                   overview: "Walks through the book's chapter 2 (Preliminaries) with our Tensor library.",
                   sections: Section.allCases.map { ($0.rawValue, $0.title) })
}

/// Runs the selected sections as notebook cells (each reseeded with `--seed`).
func runChapter(_ o: ChapterOptions) {
    print("Dive into Deep Learning, chapter 2 (Preliminaries), with our Swift Tensor.")
    print("Lines starting with `> ` are Swift code; the lines under them are what the code prints.")
    print("")
    var nb = Notebook(echo: true)
    for s in Section.allCases { o.section(s.rawValue) { s.run(&nb) } }
}
