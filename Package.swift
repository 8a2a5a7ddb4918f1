// swift-tools-version:6.0
// d2l-swift: a from-scratch Swift companion to "Dive into Deep Learning" (d2l.ai).
// No package dependencies: only the Swift toolchain.
import PackageDescription

// Speed flags. `-O` everywhere (also in the debug configuration, so that a plain
// `swift run Chapter05-LeNet` is fast); never the unchecked optimisation mode, which would delete the
// shape checks. On x86-64, `-target-cpu native` lets SIMD16 fused multiply-adds become
// single instructions (measured: ~1 GFLOP/s without it, ~140 GFLOP/s with it).
// `-Xcc -fno-math-errno` lets `squareRoot()` on SIMD vectors become one `vsqrtps` instead of a
// `sqrtf` call per lane (which must set errno for negative inputs): the Adam/RMSProp/AdaGrad
// sweeps ran ~8x slower without it (`Benchmarks optim`).
// Set D2L_PORTABLE=1 to build without any unsafe flags (see README).
import Foundation
let portable = ProcessInfo.processInfo.environment["D2L_PORTABLE"] != nil
var speed: [SwiftSetting] = []
if !portable {
    #if arch(x86_64)
    speed = [.unsafeFlags(["-O", "-target-cpu", "native", "-Xcc", "-fno-math-errno"])]
    #else
    speed = [.unsafeFlags(["-O", "-Xcc", "-fno-math-errno"])]
    #endif
}

let chapters = [
    "Chapter01-Preliminaries",
    "Chapter02-LinearRegression",
    "Chapter03-SoftmaxRegression",
    "Chapter04-MLP",
    "Chapter05-LeNet",
    "Chapter06-ModernCNN",
    "Chapter07-RNN",
    "Chapter08-Attention",
    "Chapter09-Transformer",
    "Chapter10-Optimizers",
]
let chapterTargets: [Target] = chapters.map { name in
    .executableTarget(name: name, dependencies: ["Tensor", "NN", "D2L"],
                      path: "Chapters/\(name)", exclude: ["README.md"], swiftSettings: speed)
}

let package = Package(
    name: "d2l-swift",
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "D2L", targets: ["D2L"]),
        .executable(name: "Datasets", targets: ["Datasets"]),
    ] + chapters.map { .executable(name: $0, targets: [$0]) },
    targets: [
        .target(name: "Tensor", path: "Sources/Tensor", swiftSettings: speed),
        .target(name: "NN", dependencies: ["Tensor"], path: "Sources/NN", swiftSettings: speed),
        .target(name: "D2L", dependencies: ["Tensor", "NN"], path: "Sources/D2L", swiftSettings: speed),
        .executableTarget(name: "Benchmarks", dependencies: ["Tensor", "NN", "D2L"],
                          path: "Sources/Benchmarks", swiftSettings: speed),
        .executableTarget(name: "Datasets", dependencies: ["D2L"], path: "Sources/Datasets", swiftSettings: speed),
        .target(name: "TestSupport", dependencies: ["Tensor", "NN", "D2L"], path: "Tests/TestSupport",
                swiftSettings: speed),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"], swiftSettings: speed),
        .testTarget(name: "NNTests", dependencies: ["Tensor", "NN", "TestSupport"], swiftSettings: speed),
        .testTarget(name: "D2LTests", dependencies: ["Tensor", "NN", "D2L", "TestSupport"], swiftSettings: speed),
        .testTarget(name: "ChapterTests",
                    dependencies: ["Tensor", "NN", "D2L", "TestSupport"] + chapters.map { .target(name: $0) },
                    swiftSettings: speed),
    ] + chapterTargets,
    swiftLanguageModes: [.v5]
)
