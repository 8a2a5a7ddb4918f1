import D2L
import NN
import Tensor

// Placeholder while the scratch ViT waits for the attention chapter's scratch
// MultiHeadAttention to move into D2L (being done with the Transformer sections).

/// The scratch = concise line of the section (nil until the scratch model exists).
func vitScratchCheck(_ config: ViTConfig) -> String? { nil }

/// The scratch ViT of `config`.
func vitScratchModel(_ config: ViTConfig) throws -> ViTModel {
    throw ViTScratchUnavailable()
}

struct ViTScratchUnavailable: Error, CustomStringConvertible {
    var description: String { "the scratch ViT is not written yet; use --model concise" }
}
