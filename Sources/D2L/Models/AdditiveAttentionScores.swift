import Foundation
import Tensor

// The scoring MLP of additive attention (book §10.3.3) as one op: the book's
// `w_v(tanh(q.unsqueeze(2) + k.unsqueeze(1))).squeeze(-1)` broadcasts to a `(B, Q, K, h)`
// temporary and runs five ops over it, forward and backward; here one kernel each way.

extension Tensor {
    /// `s[b, i, j] = Σ_c w[c]·tanh(q[b, i, c] + k[b, j, c])` for projected queries `q`
    /// `(B, Q, h)`, projected keys `k` `(B, K, h)` and the scoring vector `w` `(h)` → `(B, Q, K)`.
    ///
    /// Backward, with `t = tanh(q_i + k_j)` saved from the forward and `G = ds_ij·w ⊙ (1 − t²)`:
    /// `dq_i = Σ_j G`, `dk_j = Σ_i G`, `dw = Σ_ij ds_ij·t`.
    ///
    /// ```swift
    /// let s = Tensor.additiveAttentionScores(W_q(queries), W_k(keys), w: w_v.weight.value.reshaped(to: [-1]))
    /// ```
    public static func additiveAttentionScores(_ q: Tensor, _ k: Tensor, w: Tensor,
                                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(q.rank == 3 && k.rank == 3 && q.shape[0] == k.shape[0] && q.shape[2] == k.shape[2]
                   && w.shape == [q.shape[2]],
                   "additiveAttentionScores: queries \(describeShape(q.shape)), keys \(describeShape(k.shape)) and w "
                   + "\(describeShape(w.shape)) must be (batch, queries, h), (batch, keys, h) and (h)", file: file, line: line)
        let (B, Q, K, h) = (q.shape[0], q.shape[1], k.shape[1], q.shape[2])
        let features = TensorStorage(uninitializedCount: B &* Q &* K &* h)      // t, saved for the backward
        let scores = TensorStorage(uninitializedCount: B &* Q &* K)
        AdditiveScoreKernels.forward(t: features.pointer, s: scores.pointer, q: q.storage.pointer, k: k.storage.pointer,
                                     w: w.storage.pointer, batch: B, queries: Q, keys: K, hidden: h)
        let result = Tensor(shape: [B, Q, K], storage: scores)
        let wv = w.detached()
        return record("additiveAttentionScores", result, inputs: [q, k, w]) { g, needs in
            let dq = TensorStorage(repeating: 0, count: B &* Q &* h)
            let dk = TensorStorage(repeating: 0, count: B &* K &* h)
            let dw = TensorStorage(repeating: 0, count: h)
            AdditiveScoreKernels.backward(dq: dq.pointer, dk: dk.pointer, dw: dw.pointer, ds: g.storage.pointer,
                                          t: features.pointer, w: wv.storage.pointer,
                                          batch: B, queries: Q, keys: K, hidden: h)
            return [needs[0] ? Tensor(shape: [B, Q, h], storage: dq) : nil,
                    needs[1] ? Tensor(shape: [B, K, h], storage: dk) : nil,
                    needs[2] ? Tensor(shape: [h], storage: dw) : nil]
        }
    }
}

/// The kernels of `Tensor.additiveAttentionScores`: the hidden axis in 16-wide SIMD chunks
/// (`VectorMath.tanh`), a scalar tail; `naiveForward`/`naiveBackward` are the plain loops the
/// tests compare them with.
enum AdditiveScoreKernels {
    typealias V = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// `t[b,i,j,:] = tanh(q[b,i,:] + k[b,j,:])`, `s[b,i,j] = t[b,i,j,:]·w`.
    static func forward(t: UnsafeMutablePointer<Float>, s: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
                        k: UnsafePointer<Float>, w: UnsafePointer<Float>, batch: Int, queries: Int, keys: Int, hidden h: Int) {
        let vec = h & ~15
        for b in 0..<batch {
            for i in 0..<queries {
                let qi = q + (b &* queries &+ i) &* h
                for j in 0..<keys {
                    let kj = k + (b &* keys &+ j) &* h
                    let row = (b &* queries &+ i) &* keys &+ j
                    let tr = t + row &* h
                    var acc = V()
                    var c = 0
                    while c < vec {
                        let v = VectorMath.tanh(load(qi + c) + load(kj + c))
                        store(v, tr + c)
                        acc = acc.addingProduct(v, load(w + c))
                        c &+= 16
                    }
                    var sum = acc.sum()
                    while c < h {
                        let v = Foundation.tanh(qi[c] + kj[c])
                        tr[c] = v
                        sum += v * w[c]
                        c &+= 1
                    }
                    s[row] = sum
                }
            }
        }
    }

    /// Adds into zeroed `dq` `(B, Q, h)`, `dk` `(B, K, h)`, `dw` `(h)` from `ds` `(B, Q, K)` and the saved `t`.
    static func backward(dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dw: UnsafeMutablePointer<Float>,
                         ds: UnsafePointer<Float>, t: UnsafePointer<Float>, w: UnsafePointer<Float>,
                         batch: Int, queries: Int, keys: Int, hidden h: Int) {
        let vec = h & ~15
        for b in 0..<batch {
            for i in 0..<queries {
                let dqi = dq + (b &* queries &+ i) &* h
                for j in 0..<keys {
                    let dkj = dk + (b &* keys &+ j) &* h
                    let row = (b &* queries &+ i) &* keys &+ j
                    let tr = t + row &* h
                    let g = ds[row]
                    let gv = V(repeating: g)
                    var c = 0
                    while c < vec {
                        let tv = load(tr + c)
                        let d = gv * load(w + c) * (1 - tv * tv)
                        store(load(dqi + c) + d, dqi + c)
                        store(load(dkj + c) + d, dkj + c)
                        store(load(dw + c).addingProduct(gv, tv), dw + c)
                        c &+= 16
                    }
                    while c < h {
                        let tv = tr[c]
                        let d = g * w[c] * (1 - tv * tv)
                        dqi[c] += d
                        dkj[c] += d
                        dw[c] += g * tv
                        c &+= 1
                    }
                }
            }
        }
    }

    /// Reference forward: scores only, `Σ_c w[c]·tanh(q + k)` by plain loops.
    static func naiveForward(q: [Float], k: [Float], w: [Float], batch: Int, queries: Int, keys: Int, hidden h: Int) -> [Float] {
        var s = [Float](repeating: 0, count: batch * queries * keys)
        for b in 0..<batch {
            for i in 0..<queries {
                for j in 0..<keys {
                    var sum: Float = 0
                    for c in 0..<h { sum += w[c] * Foundation.tanh(q[(b * queries + i) * h + c] + k[(b * keys + j) * h + c]) }
                    s[(b * queries + i) * keys + j] = sum
                }
            }
        }
        return s
    }
}
