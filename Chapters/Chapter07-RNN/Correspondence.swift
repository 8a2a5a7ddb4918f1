import NN
import Tensor

// How the concise layers' weights map onto the scratch models' parameters (what the
// scratch = concise tests copy). PyTorch stacks the gates' weights row-wise in `weight_ih_l0`
// (G·H, V) and `weight_hh_l0` (G·H, H), in the order RNN: one block; GRU: r, z, n;
// LSTM: i, f, g, o. The scratch models keep one (V, H) / (H, H) matrix per gate, right-multiplied
// (`X W_x·`), so each block is transposed; the scratch model has one bias per gate where
// PyTorch has two (`b_ih + b_hh`).

/// For each scratch gate in the book's order, the index of the PyTorch block it equals.
/// RNN: [h]; GRU: z = 1, r = 0, h̃ = n = 2; LSTM: i = 0, f = 1, o = 3, c̃ = g = 2.
func pytorchBlocks(_ mode: RecurrentMode) -> [Int] {
    switch mode {
    case .rnnTanh: return [0]
    case .gru: return [1, 0, 2]
    case .lstm: return [0, 1, 3, 2]
    }
}

/// The scratch parameter values equal to the one-layer concise model `net`, in the scratch
/// model's order (`W_x·`, `W_h·`, `b_·` per gate, then `W_hq`, `b_q`). With `gradients: true`,
/// the same for the gradients (a scratch bias's gradient equals `bias_ih`'s, and `bias_hh`'s).
///
/// The GRU matches only when PyTorch's `b_hn` is zero and `W_hn` diagonal: PyTorch computes
/// `r ⊙ (W_hn h + b_hn)`, the book `(r ⊙ h) W_hh`.
func scratchValues(from net: RNNModel, gradients: Bool = false) -> [Tensor] {
    let w = net.rnn.weights[0], H = net.rnn.hiddenSize
    func get(_ p: Parameter?) -> Tensor? {
        guard let p else { return nil }
        return gradients ? p.grad : p.value
    }
    func block(_ t: Tensor, _ k: Int) -> Tensor { t.slice(axis: 0, (k * H)..<((k + 1) * H)) }
    var values: [Tensor] = []
    for k in pytorchBlocks(net.rnn.mode) {
        values.append(block(get(w.weightIH)!, k).transposed())                  // W_x· (V, H)
        values.append(block(get(w.weightHH)!, k).transposed())                  // W_h· (H, H)
        let bIH = get(w.biasIH).map { block($0, k) } ?? Tensor.zeros([H])
        let bHH = gradients ? nil : get(w.biasHH).map { block($0, k) }
        values.append(bHH.map { bIH + $0 } ?? bIH)                              // b_· (H)
    }
    values.append(get(net.linear.weight)!.transposed())                         // W_hq (H, V)
    values.append(get(net.linear.bias)!)                                        // b_q (V)
    return values
}

/// Copies the one-layer concise model's weights into the scratch model of the same kind.
func copyConcise(_ net: RNNModel, into scratch: RNNModelScratch) {
    let values = scratchValues(from: net)
    if values.count != scratch.params.count {
        fatalError("copyConcise: \(values.count) values for \(scratch.params.count) scratch parameters")
    }
    for (p, v) in zip(scratch.params, values) { p.value = v }
}
