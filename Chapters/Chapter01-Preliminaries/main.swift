// Chapter01-Preliminaries: the book's chapter 2 (Preliminaries) — §2.1 data manipulation,
// §2.3 linear algebra, §2.4 calculus, §2.5 automatic differentiation — as notebook-style
// cells run with our Tensor. Usage: swift run Chapter01-Preliminaries [NAME | --section NAME]
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

switch parseArguments(Array(CommandLine.arguments.dropFirst())) {
case .success(.help):
    print(usage, terminator: "")
case .success(.run(let sections)):
    print("Dive into Deep Learning, chapter 2 (Preliminaries), with our Swift Tensor.")
    print("Lines starting with `> ` are Swift code; the lines under them are what the code prints.")
    print("")
    var nb = Notebook(echo: true)
    for s in sections { s.run(&nb) }
case .failure(let error):
    fputs("Chapter01-Preliminaries: error: \(error)\n\n\(usage)", stderr)
    exit(2)
}
