// Chapter05-LeNet: the book's chapter 6 (Convolutional neural networks). §6.2–6.5 from scratch
// (Scratch.swift), then LeNet (§6.6) trained on Fashion-MNIST with trainCh6 (Concise.swift).
// Usage: swift run Chapter05-LeNet [demos|lenet] [--model scratch|concise] [--pool max] ... (--help)
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import D2L
import Tensor

setvbuf(stdout, nil, _IOLBF, 0)  // line-buffered, so results and progress lines interleave in logs
let parser = makeParser()
let options: RunOptions
switch runOptions(from: parser.parseOrExit()) {
case .success(let o): options = o
case .failure(let error):
    fputs("Chapter05-LeNet: error: \(error)\n\n\(parser.usage())", stderr)
    exit(2)
}
if options.runDemos {
    Tensor.manualSeed(options.seed)
    runScratchDemos()
}
if options.runTraining {
    do {
        try runLeNet(options)
    } catch let error as DataError {
        fputs("Chapter05-LeNet: \(error.description)\n", stderr)
        exit(1)
    } catch {
        fputs("Chapter05-LeNet: \(error)\n", stderr)
        exit(1)
    }
}
