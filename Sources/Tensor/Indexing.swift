/// Indexing and joining (book §2.1.4 slicing, §3.6 `y_hat[range(n), y]`, §8.5 one-hot,
/// §9.7 embeddings, §2.1.2 `torch.cat`): every op views its input as `(outer, axis, inner)`
/// blocks and moves whole contiguous runs of `inner` floats.
extension Tensor {
    /// `(outer, size of axis, inner)` for `axis`.
    func blocks(around axis: Int) -> (outer: Int, len: Int, inner: Int) {
        (shapeCount(Array(shape[..<axis])), shape[axis], shapeCount(Array(shape[(axis + 1)...])))
    }

    /// The elements with index in `range` along `axis` (PyTorch `x[:, 2:5]` is
    /// `x.slice(axis: 1, 2..<5)`; `x.slice(axis: 0, 1...)` works too). A copy.
    /// Backward: the gradient pasted into zeros at the same place.
    public func slice<R: RangeExpression>(axis: Int, _ range: R, file: StaticString = #fileID, line: UInt = #line) -> Tensor
    where R.Bound == Int {
        let a = normalizeAxis(axis, rank: rank, op: "slice", file: file, line: line)
        let (outer, len, inner) = blocks(around: a)
        let full = 0..<len
        let (lower, upper, text) = sliceBounds(range, count: len)
        shapeCheck(lower >= 0 && upper <= len && lower <= upper,
                   "slice: range \(text) is out of bounds for axis \(axis) of shape \(describeShape(shape))", file: file, line: line)
        let rr = lower..<upper
        if rr == full { return self }
        var outShape = shape
        outShape[a] = rr.count
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        let run = rr.count &* inner
        let src = storage.pointer
        for o in 0..<outer {
            (out.pointer + o &* run).update(from: src + (o &* len &+ rr.lowerBound) &* inner, count: run)
        }
        let r = Tensor(shape: outShape, storage: out)
        let inShape = shape
        return Tensor.record("slice", r, inputs: [self]) { g, _ in
            let gs = TensorStorage(repeating: 0, count: shapeCount(inShape))
            for o in 0..<outer {
                (gs.pointer + (o &* len &+ rr.lowerBound) &* inner).update(from: g.storage.pointer + o &* run, count: run)
            }
            return [Tensor(shape: inShape, storage: gs)]
        }
    }

    /// The bounds `lower..<upper` of a range expression over `0..<count`, and the range as the
    /// caller wrote it, without trapping on a range that does not fit (`5...` of 3 elements
    /// gives `(5, 3)`, which the caller rejects with a message).
    func sliceBounds<R: RangeExpression>(_ range: R, count: Int) -> (Int, Int, String) where R.Bound == Int {
        switch range {
        case let r as Range<Int>: return (r.lowerBound, r.upperBound, "\(r.lowerBound)..<\(r.upperBound)")
        case let r as ClosedRange<Int>:
            return (r.lowerBound, r.upperBound == .max ? .max : r.upperBound + 1, "\(r.lowerBound)...\(r.upperBound)")
        case let r as PartialRangeFrom<Int>: return (r.lowerBound, count, "\(r.lowerBound)...")
        case let r as PartialRangeUpTo<Int>: return (0, r.upperBound, "..<\(r.upperBound)")
        case let r as PartialRangeThrough<Int>:
            return (0, r.upperBound == .max ? .max : r.upperBound + 1, "...\(r.upperBound)")
        default:
            let r = range.relative(to: 0..<count)
            return (r.lowerBound, r.upperBound, "\(r)")
        }
    }

    /// Joins tensors along an existing axis (PyTorch `torch.cat`). All other sizes must agree.
    /// Backward: each input gets its slice of the gradient.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0,
                                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(!tensors.isEmpty, "concatenate: needs at least one tensor", file: file, line: line)
        let first = tensors[0]
        let a = normalizeAxis(axis, rank: first.rank, op: "concatenate", file: file, line: line)
        for t in tensors {
            var s1 = t.shape, s0 = first.shape
            shapeCheck(t.rank == first.rank && { s1[a] = 0; s0[a] = 0; return s1 == s0 }(),
                       "concatenate: shapes \(tensors.map { describeShape($0.shape) }.joined(separator: ", ")) differ outside axis \(axis)",
                       file: file, line: line)
        }
        let lens = tensors.map { $0.shape[a] }
        let total = lens.reduce(0, +)
        var outShape = first.shape
        outShape[a] = total
        let (outer, _, inner) = first.blocks(around: a)
        let out = TensorStorage(uninitializedCount: shapeCount(outShape))
        var offset = 0
        for (t, len) in zip(tensors, lens) {
            let run = len &* inner, src = t.storage.pointer
            for o in 0..<outer {
                (out.pointer + (o &* total &+ offset) &* inner).update(from: src + o &* run, count: run)
            }
            offset += len
        }
        let r = Tensor(shape: outShape, storage: out)
        return record("concatenate", r, inputs: tensors) { g, needs in
            var start = 0
            return zip(lens, needs).map { len, need in
                defer { start += len }
                return need ? g.slice(axis: a, start..<(start + len)) : nil
            }
        }
    }

    /// Joins tensors of equal shape along a new axis (PyTorch `torch.stack`).
    public static func stack(_ tensors: [Tensor], axis: Int = 0,
                             file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(!tensors.isEmpty, "stack: needs at least one tensor", file: file, line: line)
        shapeCheck(tensors.allSatisfy { $0.shape == tensors[0].shape },
                   "stack: shapes \(tensors.map { describeShape($0.shape) }.joined(separator: ", ")) differ", file: file, line: line)
        return concatenate(tensors.map { $0.expandingDims(at: axis, file: file, line: line) }, axis: axis, file: file, line: line)
    }

    /// Selects entries along `axis` by index (PyTorch `index_select`): the axis's size
    /// becomes `indices.count`. Rows of an embedding matrix `(V, d)` for token ids are
    /// `weight.gather(indices: ids)`. Backward: scatter-add (a repeated index gets the sum).
    public func gather(indices: [Int], axis: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        gather(indices, indexShape: [indices.count], axis: axis, file: file, line: line)
    }

    /// Selects entries along `axis` with an index tensor (whole-number `Float`s); the axis is
    /// replaced by the index tensor's shape: a `(V, d)` embedding gathered with `(B, T)` ids
    /// gives `(B, T, d)`.
    public func gather(indices: Tensor, axis: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        gather(indices.indexValues(op: "gather", what: "index", file: file, line: line), indexShape: indices.shape,
               axis: axis, file: file, line: line)
    }

    func gather(_ idx: [Int], indexShape: [Int], axis: Int, file: StaticString, line: UInt) -> Tensor {
        let a = normalizeAxis(axis, rank: rank, op: "gather", file: file, line: line)
        let (outer, len, inner) = blocks(around: a)
        for i in idx {
            shapeCheck(i >= 0 && i < len, "gather: index \(i) is out of range for axis \(axis) of shape \(describeShape(shape))",
                       file: file, line: line)
        }
        let outShape = Array(shape[..<a]) + indexShape + Array(shape[(a + 1)...])
        let m = idx.count
        let out = TensorStorage(uninitializedCount: outer &* m &* inner)
        let src = storage.pointer
        for o in 0..<outer {
            for (j, i) in idx.enumerated() {
                (out.pointer + (o &* m &+ j) &* inner).update(from: src + (o &* len &+ i) &* inner, count: inner)
            }
        }
        let r = Tensor(shape: outShape, storage: out)
        let inShape = shape
        return Tensor.record("gather", r, inputs: [self]) { g, _ in
            let gs = TensorStorage(repeating: 0, count: shapeCount(inShape))
            for o in 0..<outer {
                for (j, i) in idx.enumerated() {
                    Kernels.addInPlace(gs.pointer + (o &* len &+ i) &* inner, g.storage.pointer + (o &* m &+ j) &* inner, inner)
                }
            }
            return [Tensor(shape: inShape, storage: gs)]
        }
    }

    /// For a `(n, C)` tensor and `n` labels, the `n` entries `self[i, labels[i]]` (the book's
    /// `y_hat[range(len(y_hat)), y]` in §3.6). Backward: each gradient goes back to its entry.
    public func pick(_ labels: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        shapeCheck(rank == 2 && labels.count == shape[0],
                   "pick: needs a (n, C) tensor and n labels, got shape \(describeShape(shape)) and \(labels.count) labels",
                   file: file, line: line)
        let c = shape[1]
        for l in labels {
            shapeCheck(l >= 0 && l < c, "pick: label \(l) is out of range for \(c) classes (shape \(describeShape(shape)))",
                       file: file, line: line)
        }
        let out = TensorStorage(uninitializedCount: labels.count)
        for (i, l) in labels.enumerated() { out.pointer[i] = storage.pointer[i &* c &+ l] }
        let r = Tensor(shape: [labels.count], storage: out)
        let inShape = shape
        return Tensor.record("pick", r, inputs: [self]) { g, _ in
            let gs = TensorStorage(repeating: 0, count: shapeCount(inShape))
            for (i, l) in labels.enumerated() { gs.pointer[i &* c &+ l] = g.storage.pointer[i] }
            return [Tensor(shape: inShape, storage: gs)]
        }
    }

    /// `pick` with labels held in a tensor of whole-number `Float`s.
    public func pick(_ labels: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        pick(labels.indexValues(op: "pick", what: "label", file: file, line: line), file: file, line: line)
    }

    /// One-hot rows (PyTorch `F.one_hot`, book §8.5): `(n,)` indices → `(n, depth)` of 0/1.
    public static func oneHot(_ indices: [Int], depth: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        oneHot(indices, indexShape: [indices.count], depth: depth, file: file, line: line)
    }

    /// One-hot of an index tensor: shape `indices.shape + [depth]` (e.g. `(B, T)` → `(B, T, V)`).
    public static func oneHot(_ indices: Tensor, depth: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        oneHot(indices.indexValues(op: "oneHot", what: "index", file: file, line: line), indexShape: indices.shape,
               depth: depth, file: file, line: line)
    }

    static func oneHot(_ idx: [Int], indexShape: [Int], depth: Int, file: StaticString, line: UInt) -> Tensor {
        shapeCheck(depth >= 0, "oneHot: depth \(depth) is negative", file: file, line: line)
        _ = checkedShapeCount(indexShape + [depth], op: "oneHot", file: file, line: line)
        let out = TensorStorage(repeating: 0, count: idx.count &* depth)
        for (i, k) in idx.enumerated() {
            shapeCheck(k >= 0 && k < depth, "oneHot: index \(k) is out of range for depth \(depth)", file: file, line: line)
            out.pointer[i &* depth &+ k] = 1
        }
        return Tensor(shape: indexShape + [depth], storage: out)
    }
}

extension Tensor {
    /// The elements as `Int` indices (labels, token ids): each must be a whole number that
    /// fits in `Int`. NaN, fractions and ±∞ stop with the op, the value and its position, e.g.
    /// `CrossEntropyLoss: label nan at position 3 is not a whole number`.
    public func indexValues(op: String, what: String = "index",
                            file: StaticString = #fileID, line: UInt = #line) -> [Int] {
        withUnsafeBufferPointer { buf in
            buf.enumerated().map { i, v in
                guard v.rounded(.towardZero) == v else {
                    fatalError("\(op): \(what) \(v) at position \(i) is not a whole number", file: file, line: line)
                }
                guard Swift.abs(v) < 9.2e18 else {
                    fatalError("\(op): \(what) \(v) at position \(i) is out of range", file: file, line: line)
                }
                return Int(v)
            }
        }
    }
}
