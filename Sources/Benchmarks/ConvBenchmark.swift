import Foundation
import Tensor

/// One convolution layer of a benchmark: input and weight shapes, stride and padding.
struct ConvBenchLayer { let name: String; let x: [Int]; let w: [Int]; var stride = 1; let pad: Int }

/// Convolution and pooling speed on LeNet's layers at batch 256 (book §6.6): GFLOP/s of the
/// forward pass and both gradients (dX, dW) of each convolution, with one thread and with all,
/// and the pooling layers' times. Run with `swift run -c release Benchmarks conv`.
func runConvBenchmark() {
    let layers = [ConvBenchLayer(name: "lenet-c1", x: [256, 1, 28, 28], w: [6, 1, 5, 5], pad: 2),
                  ConvBenchLayer(name: "lenet-c2", x: [256, 6, 14, 14], w: [16, 6, 5, 5], pad: 0)]
    var gen = SeededGenerator(seed: 0)
    for threads in Set([1, Parallel.threads]).sorted() { Parallel.withThreads(threads) {
        benchmarkConvLayers(layers, threads: threads, generator: &gen)
        let pools: [(String, [Int])] = [("lenet-p1", [256, 6, 28, 28]), ("lenet-p2", [256, 16, 10, 10])]
        for (name, shape) in pools {
            let x = Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
            for isMax in [true, false] {
                var y = Tensor(0)
                let fwd = benchmarkSeconds { y = isMax ? x.maxPool2d(kernelSize: 2) : x.avgPool2d(kernelSize: 2) }
                var xg = x; xg.requiresGrad = true
                let gOut = Tensor.ones([shape[0], shape[1], shape[2] / 2, shape[3] / 2])
                let both = benchmarkSeconds {
                    xg.zeroGrad()
                    let y = isMax ? xg.maxPool2d(kernelSize: 2) : xg.avgPool2d(kernelSize: 2)
                    y.backward(gradient: gOut)
                }
                _ = y
                print("\(isMax ? "maxpool" : "avgpool") \(name) \(describeShape(shape)) k2 s2 threads=\(threads): "
                      + "forward \(String(format: "%.3f", fwd * 1e3)) ms, forward+backward \(String(format: "%.3f", both * 1e3)) ms")
            }
        }
    } }
}

/// The book's chapter-7 convolutions at 96–224 pixels, batch 64 (`Benchmarks convcnn`): ResNet-18's
/// stem, 3×3 layers and 1×1/2 shortcut, AlexNet's 11×11/4 and 5×5, VGG-small's second layer,
/// GoogLeNet's 1×1 and 5×5, DenseNet's 3×3 growth layer; forward, dX and dW GFLOP/s, 1 thread and all.
func runCNNConvBenchmark() {
    let layers = [
        ConvBenchLayer(name: "resnet-stem", x: [64, 1, 96, 96], w: [64, 1, 7, 7], stride: 2, pad: 3),
        ConvBenchLayer(name: "resnet-64", x: [64, 64, 24, 24], w: [64, 64, 3, 3], pad: 1),
        ConvBenchLayer(name: "resnet-128", x: [64, 128, 12, 12], w: [128, 128, 3, 3], pad: 1),
        ConvBenchLayer(name: "resnet-256", x: [64, 256, 6, 6], w: [256, 256, 3, 3], pad: 1),
        ConvBenchLayer(name: "resnet-512", x: [64, 512, 3, 3], w: [512, 512, 3, 3], pad: 1),
        ConvBenchLayer(name: "resnet-1x1/2", x: [64, 256, 6, 6], w: [512, 256, 1, 1], stride: 2, pad: 0),
        ConvBenchLayer(name: "alexnet-c1", x: [64, 1, 224, 224], w: [96, 1, 11, 11], stride: 4, pad: 1),
        ConvBenchLayer(name: "alexnet-c2", x: [64, 96, 26, 26], w: [256, 96, 5, 5], pad: 2),
        ConvBenchLayer(name: "vgg-c2", x: [64, 16, 112, 112], w: [32, 16, 3, 3], pad: 1),
        ConvBenchLayer(name: "googlenet-1x1", x: [64, 480, 6, 6], w: [192, 480, 1, 1], pad: 0),
        ConvBenchLayer(name: "googlenet-5x5", x: [64, 16, 12, 12], w: [32, 16, 5, 5], pad: 2),
        ConvBenchLayer(name: "densenet-3x3", x: [64, 160, 24, 24], w: [32, 160, 3, 3], pad: 1),
    ]
    var gen = SeededGenerator(seed: 0)
    for threads in Set([1, Parallel.threads]).sorted() {
        Parallel.withThreads(threads) { benchmarkConvLayers(layers, threads: threads, generator: &gen) }
    }
}

/// Prints forward, dX and dW+db GFLOP/s of each layer (the kernels `Kernels.convKernels` picks).
func benchmarkConvLayers(_ layers: [ConvBenchLayer], threads: Int, generator gen: inout SeededGenerator) {
    for l in layers {
        let x = Tensor.normal(l.x, mean: 0, std: 1, generator: &gen)
        let w = Tensor.normal(l.w, mean: 0, std: 1, generator: &gen)
        let b = Tensor.normal([l.w[0]], mean: 0, std: 1, generator: &gen)
        let g = Tensor.conv2dGeometry(l.x, l.w, [l.w[0]], stride: (l.stride, l.stride), padding: (l.pad, l.pad))
        let cout = l.w[0]
        let outShape = [g.batch, cout, g.outH, g.outW]
        let gOut = Tensor.normal(outShape, mean: 0, std: 1, generator: &gen)
        let flops = 2.0 * Double(shapeCount(outShape)) * Double(g.patchSize)
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        let dx = TensorStorage(uninitializedCount: x.count)
        let dw = TensorStorage(uninitializedCount: w.count), db = TensorStorage(uninitializedCount: cout)
        let xp = UnsafePointer(x.storage.pointer), wp = UnsafePointer(w.storage.pointer)
        let gp = UnsafePointer(gOut.storage.pointer)
        let what = "conv \(l.name) \(describeShape(l.x))*\(describeShape(l.w)) s\(l.stride) p\(l.pad)"
        let runs: [(String, () -> Void)] = [
            ("forward", { Kernels.conv2dForward(x: xp, weight: wp, bias: b.storage.pointer, out: out.pointer, g, cout: cout) }),
            ("backward dX", { Kernels.conv2dBackwardInput(gOut: gp, weight: wp, dx: dx.pointer, g, cout: cout) }),
            ("backward dW+db", { Kernels.conv2dBackwardWeight(gOut: gp, x: xp, dw: dw.pointer, db: db.pointer, g, cout: cout) }),
        ]
        for (name, body) in runs {
            let t = benchmarkSeconds(body)
            print("\(what) \(name) threads=\(threads): \(String(format: "%.1f", flops / t / 1e9)) GFLOP/s, \(String(format: "%.3f", t * 1e3)) ms")
        }
    }
}

/// Median wall time of `body` in seconds over enough repetitions (after one warm-up run).
func benchmarkSeconds(_ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    let start = DispatchTime.now().uptimeNanoseconds
    while times.count < 5 || (times.count < 200 && DispatchTime.now().uptimeNanoseconds - start < 300_000_000) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    return times.sorted()[times.count / 2]
}
