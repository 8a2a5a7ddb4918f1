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
//
// The register tiles of the GEMM kernels depend on how many vector registers the build machine
// has: 32 × 512 bits with AVX-512 (a 12×32 tile in 24 `SIMD16<Float>` accumulators), 16 × 256
// bits with AVX2 (a 6×16 tile; the 12×32 tile would spill half its accumulators to the stack and
// runs ~2.5x slower there). Since `-target-cpu native` compiles for the build machine, the
// manifest reads the same machine's CPU flags and defines `D2L_AVX512` when it has AVX-512F
// (Linux: /proc/cpuinfo). `D2L_AVX512=1` or `=0` in the environment overrides the detection
// (e.g. to test the AVX2 tiles on an AVX-512 machine).
import Foundation
let environment = ProcessInfo.processInfo.environment
let portable = environment["D2L_PORTABLE"] != nil
func buildMachineHasAVX512() -> Bool {
    if let forced = environment["D2L_AVX512"] { return forced == "1" }
    #if os(Linux) && arch(x86_64)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
    return flags.split(separator: " ").contains("avx512f")
    #else
    return false
    #endif
}
var speed: [SwiftSetting] = []
if !portable {
    #if arch(x86_64)
    speed = [.unsafeFlags(["-O", "-target-cpu", "native", "-Xcc", "-fno-math-errno"])]
    if buildMachineHasAVX512() { speed.append(.define("D2L_AVX512")) }
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
