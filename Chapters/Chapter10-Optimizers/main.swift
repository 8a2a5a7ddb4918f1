// Chapter10-Optimizers: the book's chapter 11 (§11.1–11.11, "optimization algorithms"). Toy
// functions with their traces (GradientDescent.swift, Sections.swift), the airfoil runs of every
// algorithm from scratch (Scratch.swift, `trainCh11`) and with the NN optimizers
// (`trainConciseCh11`), and learning-rate schedules on Fashion-MNIST (LRSchedulers.swift).
// Usage: swift run Chapter10-Optimizers [section] [--model scratch|concise|both] [--book] ...
import D2L
import Foundation
import Tensor

var parser = OptionParser(program: "Chapter10-Optimizers",
                          overview: "Optimization algorithms (book chapter 11): GD, SGD, minibatch SGD, momentum, AdaGrad, RMSProp, Adadelta, Adam, Yogi, learning-rate schedules.")
parser.sections([("intro", "§11.1 local minima, saddle points, vanishing gradients (figures)"),
                 ("convexity", "§11.2 convex and non-convex functions (figures)"),
                 ("gd", "§11.3 gradient descent, 1-D and 2-D traces, Newton's method"),
                 ("sgd", "§11.4 stochastic gradient descent with constant, exponential and polynomial rates"),
                 ("minibatch-sgd", "§11.5 matrix-product timing; GD, SGD and minibatch SGD on the airfoil data"),
                 ("momentum", "§11.6 momentum"),
                 ("adagrad", "§11.7 AdaGrad"),
                 ("rmsprop", "§11.8 RMSProp"),
                 ("adadelta", "§11.9 Adadelta"),
                 ("adam", "§11.10 Adam and Yogi"),
                 ("lr-scheduler", "§11.11 learning-rate schedules on Fashion-MNIST")])
parser.choice("model", ["scratch", "concise", "both"], default: "both", help: "which airfoil runs: the scratch trainers, the NN optimizers, or both")
parser.int("seed", default: 0, help: "random seed (weights, shuffling, noise); each section reseeds", check: .nonNegative)
parser.flag("book", help: "lr-scheduler: the book's full 30 epochs over all 60,000 images (minutes) instead of the quick default")
parser.int("epochs", default: 30, help: "lr-scheduler: training epochs", check: .positive)
parser.int("max-batches", default: 24, help: "lr-scheduler: training batches per epoch unless --book", check: .positive)
parser.flag("no-figures", help: "do not write SVG figures")
let options = parser.parseOrExit()

let seed = UInt64(options.int("seed"))
let log = TextOutput.standardOutput
let ctx = AirfoilContext(model: options.string("model"), figures: !options.flag("no-figures"), log: log, seed: seed)
var schedulerConfig = SchedulerConfig(numEpochs: options.int("epochs"), figures: ctx.figures, log: log, seed: seed)
if options.flag("book") { schedulerConfig.maxBatches = nil; schedulerConfig.testBatches = nil }
else { schedulerConfig.maxBatches = options.int("max-batches") }

let sections: [(String, () throws -> Void)] = [
    ("intro", { runIntro(log: log) }), ("convexity", { runConvexity(log: log) }),
    ("gd", { runGD(log: log, figures: ctx.figures) }), ("sgd", { runSGD(log: log) }),
    ("minibatch-sgd", { try runMinibatchSGD(ctx) }), ("momentum", { try runMomentum(ctx) }),
    ("adagrad", { try runAdagrad(ctx) }), ("rmsprop", { try runRMSprop(ctx) }),
    ("adadelta", { try runAdadelta(ctx) }), ("adam", { try runAdam(ctx) }),
    ("lr-scheduler", { try runLRScheduler(config: schedulerConfig) }),
]
do {
    for (name, run) in sections where options.runs(name) {
        Tensor.manualSeed(seed)    // each section prints the same numbers alone or inside "all"
        try run()
        print("")
    }
} catch {
    fputs("Chapter10-Optimizers: \(error)\n", stderr)
    exit(1)
}
