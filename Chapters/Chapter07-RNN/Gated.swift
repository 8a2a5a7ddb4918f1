import NN
import Tensor

// §9.1 GRU and §9.2 LSTM from scratch: the book's gate formulas, one time step at a time, with
// separate matrices per gate (`W_xz`, `W_hz`, `b_z`, …). They plug into `RNNModelScratch`.

/// Three parameters of one gate: `W_x·` (V, H), `W_h·` (H, H), `b_·` (H).
func three(_ numInputs: Int, _ numHiddens: Int, _ gate: String) -> [Parameter] {
    [normal([numInputs, numHiddens], name: "W_x" + gate), normal([numHiddens, numHiddens], name: "W_h" + gate),
     zerosParam(numHiddens, name: "b_" + gate)]
}

/// §9.1.2 `get_params` of the GRU: update gate (`W_xz, W_hz, b_z`), reset gate (`…r`),
/// candidate state (`…h`), output layer (`W_hq, b_q`); weights N(0, 0.01²), biases zero.
func getGRUParams(vocabSize: Int, numHiddens: Int) -> [Parameter] {
    three(vocabSize, numHiddens, "z") + three(vocabSize, numHiddens, "r") + three(vocabSize, numHiddens, "h")
        + [normal([numHiddens, vocabSize], name: "W_hq"), zerosParam(vocabSize, name: "b_q")]
}

/// §9.1.2 `init_gru_state`: `[H]`, zeros (B, H).
func initGRUState(batchSize: Int, numHiddens: Int) -> [Tensor] {
    [Tensor.zeros([batchSize, numHiddens])]
}

/// §9.1.2 `gru`, per step:
/// `Z = σ(X W_xz + H W_hz + b_z)`, `R = σ(X W_xr + H W_hr + b_r)`,
/// `H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h)`, `H = Z ⊙ H + (1 − Z) ⊙ H̃`, `Y = H W_hq + b_q`.
func gru(_ inputs: Tensor, _ state: [Tensor], _ params: [Parameter]) -> (Tensor, [Tensor]) {
    let p = params.map(\.value)
    let (W_xz, W_hz, b_z, W_xr, W_hr, b_r) = (p[0], p[1], p[2], p[3], p[4], p[5])
    let (W_xh, W_hh, b_h, W_hq, b_q) = (p[6], p[7], p[8], p[9], p[10])
    var H = state[0]
    var outputs: [Tensor] = []
    for t in 0..<inputs.shape[0] {
        let X = step(inputs, t)                                             // (B, V)
        let Z = (X.matmul(W_xz) + H.matmul(W_hz) + b_z).sigmoid()          // update gate (B, H)
        let R = (X.matmul(W_xr) + H.matmul(W_hr) + b_r).sigmoid()          // reset gate (B, H)
        let H_tilda = (X.matmul(W_xh) + (R * H).matmul(W_hh) + b_h).tanh() // candidate (B, H)
        H = Z * H + (1 - Z) * H_tilda
        outputs.append(H.matmul(W_hq) + b_q)                                // (B, V)
    }
    return (Tensor.concatenate(outputs, axis: 0), [H])
}

/// §9.2.2 `get_lstm_params`: input gate (`W_xi, W_hi, b_i`), forget gate (`…f`), output gate
/// (`…o`), candidate memory cell (`…c`), output layer (`W_hq, b_q`).
func getLSTMParams(vocabSize: Int, numHiddens: Int) -> [Parameter] {
    three(vocabSize, numHiddens, "i") + three(vocabSize, numHiddens, "f") + three(vocabSize, numHiddens, "o")
        + three(vocabSize, numHiddens, "c")
        + [normal([numHiddens, vocabSize], name: "W_hq"), zerosParam(vocabSize, name: "b_q")]
}

/// §9.2.2 `init_lstm_state`: `[H, C]`, zeros (B, H) each.
func initLSTMState(batchSize: Int, numHiddens: Int) -> [Tensor] {
    [Tensor.zeros([batchSize, numHiddens]), Tensor.zeros([batchSize, numHiddens])]
}

/// §9.2.2 `lstm`, per step:
/// `I = σ(X W_xi + H W_hi + b_i)`, `F = σ(…f)`, `O = σ(…o)`, `C̃ = tanh(X W_xc + H W_hc + b_c)`,
/// `C = F ⊙ C + I ⊙ C̃`, `H = O ⊙ tanh(C)`, `Y = H W_hq + b_q`.
func lstm(_ inputs: Tensor, _ state: [Tensor], _ params: [Parameter]) -> (Tensor, [Tensor]) {
    let p = params.map(\.value)
    let (W_xi, W_hi, b_i, W_xf, W_hf, b_f) = (p[0], p[1], p[2], p[3], p[4], p[5])
    let (W_xo, W_ho, b_o, W_xc, W_hc, b_c) = (p[6], p[7], p[8], p[9], p[10], p[11])
    let (W_hq, b_q) = (p[12], p[13])
    var (H, C) = (state[0], state[1])
    var outputs: [Tensor] = []
    for t in 0..<inputs.shape[0] {
        let X = step(inputs, t)                                         // (B, V)
        let I = (X.matmul(W_xi) + H.matmul(W_hi) + b_i).sigmoid()      // input gate (B, H)
        let F = (X.matmul(W_xf) + H.matmul(W_hf) + b_f).sigmoid()      // forget gate
        let O = (X.matmul(W_xo) + H.matmul(W_ho) + b_o).sigmoid()      // output gate
        let C_tilda = (X.matmul(W_xc) + H.matmul(W_hc) + b_c).tanh()   // candidate memory
        C = F * C + I * C_tilda
        H = O * C.tanh()
        outputs.append(H.matmul(W_hq) + b_q)                            // (B, V)
    }
    return (Tensor.concatenate(outputs, axis: 0), [H, C])
}

/// The §9.1 scratch GRU language model.
func gruScratch(vocabSize: Int, numHiddens: Int) -> RNNModelScratch {
    RNNModelScratch(vocabSize: vocabSize, numHiddens: numHiddens, getParams: getGRUParams,
                    initState: initGRUState, forwardFn: gru)
}

/// The §9.2 scratch LSTM language model.
func lstmScratch(vocabSize: Int, numHiddens: Int) -> RNNModelScratch {
    RNNModelScratch(vocabSize: vocabSize, numHiddens: numHiddens, getParams: getLSTMParams,
                    initState: initLSTMState, forwardFn: lstm)
}
