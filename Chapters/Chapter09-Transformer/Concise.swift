import D2L
import NN
import Tensor

// The library Transformer: `NN.TransformerEncoderLayer` / `NN.TransformerDecoderLayer` (PyTorch's
// semantics and parameter names, fused `LayerNorm` and scaled dot-product attention) in the book's
// `TransformerEncoder` / `TransformerDecoder` (embeddings·√d + positional encoding, dense output):
// `conciseTransformer` in D2L (Models/Transformer.swift, shared with the benchmark). Here: the scratch
// blocks' weights under PyTorch's names, to load them into the library layers and compare.

/// The scratch multi-head attention's weights under `NN.MultiheadAttention`'s names:
/// `in_proj_weight` = `[W_q; W_k; W_v]`, `out_proj` = `W_o` (with biases when it has them).
func packedAttentionWeights(_ a: MultiHeadAttention, prefix: String) -> [String: Tensor] {
    var d = [prefix + "in_proj_weight": Tensor.concatenate([a.W_q.weight.value, a.W_k.weight.value, a.W_v.weight.value]),
             prefix + "out_proj.weight": a.W_o.weight.value]
    if let bq = a.W_q.bias, let bk = a.W_k.bias, let bv = a.W_v.bias, let bo = a.W_o.bias {
        d[prefix + "in_proj_bias"] = Tensor.concatenate([bq.value, bk.value, bv.value])
        d[prefix + "out_proj.bias"] = bo.value
    }
    return d
}

/// A scratch block's `LayerNormScratch` and `PositionWiseFFN` under PyTorch's layer names.
func normAndFFNWeights(_ norms: [AddNorm], _ ffn: PositionWiseFFN) -> [String: Tensor] {
    var d = ["linear1.weight": ffn.dense1.weight.value, "linear1.bias": ffn.dense1.bias!.value,
             "linear2.weight": ffn.dense2.weight.value, "linear2.bias": ffn.dense2.bias!.value]
    for (i, n) in norms.enumerated() {
        d["norm\(i + 1).weight"] = n.ln.weight.value
        d["norm\(i + 1).bias"] = n.ln.bias.value
    }
    return d
}

/// The state dict of a scratch `EncoderBlock` as `nn.TransformerEncoderLayer` names it
/// (load it into a `TransformerEncoderLayer` to compare the two).
func encoderLayerState(_ b: EncoderBlock) -> [String: Tensor] {
    packedAttentionWeights(b.attention, prefix: "self_attn.").merging(normAndFFNWeights([b.addnorm1, b.addnorm2], b.ffn)) { a, _ in a }
}

/// The state dict of a scratch `DecoderBlock` as `nn.TransformerDecoderLayer` names it.
func decoderLayerState(_ b: DecoderBlock) -> [String: Tensor] {
    packedAttentionWeights(b.attention1, prefix: "self_attn.")
        .merging(packedAttentionWeights(b.attention2, prefix: "multihead_attn.")) { a, _ in a }
        .merging(normAndFFNWeights([b.addnorm1, b.addnorm2, b.addnorm3], b.ffn)) { a, _ in a }
}
