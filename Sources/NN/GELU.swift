import Tensor

/// The Gaussian error linear unit `x·Φ(x)` as a layer (PyTorch's `nn.GELU()`, exact erf form;
/// the op is `x.gelu()`): the activation of the ViT MLP (book "Transformers for vision") and of
/// `activation: .gelu` Transformer layers.
///
/// ```swift
/// let mlp = Sequential(Linear(inputSize: 64, outputSize: 128), GELU(), Linear(inputSize: 128, outputSize: 64))
/// ```
public final class GELU: ModuleBase, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.gelu() }
}

extension TransformerActivation {
    /// `x·Φ(x)` (PyTorch's `activation="gelu"`), as in the ViT's blocks.
    public static var gelu: TransformerActivation { TransformerActivation("gelu") { $0.gelu() } }
}
