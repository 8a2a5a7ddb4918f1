import D2L
import Foundation

// `swift run Datasets fetch`: fetch and verify every data set the chapters use (see
// `runDatasetsCommand` and Datasets/README.md).
exit(runDatasetsCommand(Array(CommandLine.arguments.dropFirst())))
