/// Which kernel computes each pass of a convolution (forward, input gradient, weight gradient).
public struct ConvKernelChoice: Equatable, Sendable {
    public enum Forward: Equatable, Sendable { case direct, channelVector, gemm }
    public enum InputGrad: Equatable, Sendable { case direct, gemm }
    public enum WeightGrad: Equatable, Sendable { case direct, channelVector, gemm }
    public var forward: Forward
    public var inputGrad: InputGrad
    public var weightGrad: WeightGrad
}

extension Kernels {
    /// The one kernel-selection rule of the convolutions; `conv2dForward`, `conv2dBackwardInput`
    /// and `conv2dBackwardWeight` follow it.
    ///
    /// - **direct** (ConvKernels.swift, forward and weight gradient): stride 1, at most 3 input
    ///   channels, output rows ≥ 16 wide. Measured faster than the GEMM on LeNet's first layer
    ///   (256×1×28×28, 6×1×5×5, padding 2) and used for VGG's first layer (1 → 16 channels at 224²),
    ///   where the GEMM's depth would be only `1·3·3 = 9`.
    /// - **channelVector / direct input gradient** (ConvDirectKernels.swift): stride 1 with few
    ///   channels on both sides (8…16 output, 4…16 input channels), measured faster than the GEMM on
    ///   LeNet's second layer (256×6×14×14, 16×6×5×5) and LeNet-BN's; the weight-gradient kernel
    ///   also needs kernels ≥ 4 wide (its 5-column tiles).
    /// - **gemm** (ConvGEMMKernels.swift): everything else — every layer of AlexNet, VGG, NiN,
    ///   GoogLeNet, ResNet-18 and DenseNet but VGG's first (strides 1, 2, 4; 1×1 … 11×11 kernels;
    ///   16 … 832 channels). Measured at batch 64–256 (`Benchmarks conv`): ResNet-18's 7×7/2 stem
    ///   1→64 at 96², its 3×3 layers 64 ch at 24², 128 at 12², 256 at 6², 512 at 3², the 1×1/2
    ///   shortcuts; AlexNet's 11×11/4 1→96 at 224² and 5×5 96→256 at 26²; VGG's 3×3 16→32 at 112²;
    ///   there the direct kernels ran 2–5× slower (their broadcasts and row tiles do not reuse
    ///   loads across enough channels), e.g. the row-vectorised input gradient took half of a
    ///   ResNet-18 step before.
    static func convKernels(_ g: ConvGeometry, cout: Int) -> ConvKernelChoice {
        let stride1 = g.strideH == 1 && g.strideW == 1
        let fewInputs = stride1 && g.channels <= 3 && g.outW >= 16
        let fewChannels = stride1 && !fewInputs && (8...16).contains(cout) && g.channels <= 16
        let smallPadding = g.padH < g.kernelH && g.padW < g.kernelW
        return ConvKernelChoice(
            forward: fewInputs ? .direct : fewChannels ? .channelVector : .gemm,
            inputGrad: fewChannels && g.channels >= 4 && smallPadding ? .direct : .gemm,
            weightGrad: fewInputs ? .direct : fewChannels && g.kernelW >= 4 ? .channelVector : .gemm)
    }
}
