import Foundation
import Tensor

/// Batch norm and layer norm speed through autograd, the same shapes as
/// PyTorch timings of `nn.BatchNorm2d`/`nn.LayerNorm` forward and `backward(g)`: `BatchNorm2d(64)` in training mode on
/// (256, 64, 48, 48) (ResNet's first stage at batch 256, 96×96 input) and (256, 512, 3, 3) (its
/// last stage), `BatchNorm1d(120)` on (256, 120) (BN-LeNet), and `LayerNorm(32)` on
/// (640, 32) (the Transformer chapter's 64 sequences × 10 steps, d = 32). Median times.
/// Run with `swift run -c release Benchmarks norm`.
func runNormBenchmark() {
    var gen = SeededGenerator(seed: 0)
    let cases: [(name: String, shape: [Int], isBatchNorm: Bool)] = [
        ("batchnorm2d", [256, 64, 48, 48], true), ("batchnorm2d", [256, 512, 3, 3], true),
        ("batchnorm1d", [256, 120], true), ("layernorm", [640, 32], false),
    ]
    for (name, shape, isBatchNorm) in cases {
        var x = Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
        let g = Tensor.normal(shape, mean: 0, std: 1, generator: &gen)
        let p = isBatchNorm ? shape[1] : shape.last!
        var gamma = Tensor.ones([p]), beta = Tensor.zeros([p])
        func forward() -> Tensor {
            isBatchNorm ? Tensor.batchNorm(x, gamma: gamma, beta: beta).output
                        : Tensor.layerNorm(x, normalizedShape: [p], gamma: gamma, beta: beta)
        }
        let fwd = benchmarkSeconds { _ = withNoGrad { forward() } }
        x.requiresGrad = true; gamma.requiresGrad = true; beta.requiresGrad = true
        let both = benchmarkSeconds {
            x.zeroGrad(); gamma.zeroGrad(); beta.zeroGrad()
            forward().backward(gradient: g)
        }
        let unit = x.count > 1_000_000 ? (1e3, "ms") : (1e6, "us")
        print("\(name) \(describeShape(shape)) threads=\(Parallel.threads): forward "
              + "\(String(format: "%.2f", fwd * unit.0)) \(unit.1), forward+backward \(String(format: "%.2f", both * unit.0)) \(unit.1)")
    }
}
