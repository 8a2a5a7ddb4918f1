import Tensor

/// A lookup table of `numEmbeddings` vectors of size `embeddingDim` (book §9.7 token embeddings,
/// PyTorch's `nn.Embedding`): token ids of any shape `S` give vectors of shape `S + [embeddingDim]`,
/// row `i` of `weight` for id `i`. The weight starts as `N(0, 1)` draws (PyTorch's default; §9.7's
/// xavier initialisation skips embeddings). Backward adds each output gradient into its row.
///
/// With `paddingIdx`, that row starts at zero and never receives a gradient (PyTorch's
/// `padding_idx`), so padded positions stay zero vectors through training.
///
/// ```swift
/// let embed = Embedding(numEmbeddings: 10, embeddingDim: 8)
/// let x = embed(Tensor.zeros([4, 7]))          // (4, 7, 8)
/// ```
public final class Embedding: Layer {
    public let numEmbeddings: Int
    public let embeddingDim: Int
    public let paddingIdx: Int?
    /// `(numEmbeddings, embeddingDim)`.
    public let weight: Parameter
    public var isTraining = true

    public init(numEmbeddings: Int, embeddingDim: Int, paddingIdx: Int? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        shapeCheck(numEmbeddings > 0 && embeddingDim > 0,
                   "Embedding: numEmbeddings \(numEmbeddings) and embeddingDim \(embeddingDim) must be positive",
                   file: file, line: line)
        if let p = paddingIdx {
            shapeCheck(p >= 0 && p < numEmbeddings, "Embedding: paddingIdx \(p) must be in 0..<\(numEmbeddings)",
                       file: file, line: line)
        }
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.paddingIdx = paddingIdx
        var w = Tensor.randn([numEmbeddings, embeddingDim])
        if let p = paddingIdx {
            w.withUnsafeMutableBufferPointer { buf in
                for j in 0..<embeddingDim { buf[p * embeddingDim + j] = 0 }
            }
        }
        weight = Parameter(w, name: "weight")
    }

    public var ownParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

    public var extraDescription: String {
        "numEmbeddings: \(numEmbeddings), embeddingDim: \(embeddingDim)" + (paddingIdx.map { ", paddingIdx: \($0)" } ?? "")
    }

    /// Vectors for `ids` (whole-number `Float`s of any shape): `ids.shape + [embeddingDim]`.
    public func callAsFunction(_ ids: Tensor) -> Tensor { callAsFunction(ids, file: #fileID, line: #line) }

    public func callAsFunction(_ ids: Tensor, file: StaticString, line: UInt) -> Tensor {
        let out = weight.value.gather(indices: ids, axis: 0, file: file, line: line)
        guard let pad = paddingIdx else { return out }
        // The padding row gets no gradient: zero the output gradient wherever the id is `pad`.
        let keep = Tensor(shape: ids.shape + [1], scalars: ids.scalars.map { Int($0) == pad ? 0 : 1 })
        return Tensor.record("embedding paddingIdx", out.detached(), inputs: [out]) { g, _ in [g * keep] }
    }
}
