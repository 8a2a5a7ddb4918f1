import Foundation
import Tensor

/// Decoded (Fashion-)MNIST split: `count` images of `rows`×`cols` bytes and their labels.
/// Built only by `readIDXImageSets`, which guarantees `images.count == count · rows · cols`,
/// `labels.count == count`, `count > 0` and the image shape the book's models take.
public struct IDXImageSet {
    public let images: [UInt8]
    public let labels: [UInt8]
    public let count: Int
    public let rows: Int
    public let cols: Int
}

/// The image side every (Fashion-)MNIST loader checks: the book's models take 28×28 inputs.
public let idxImageSide = 28
/// The most images one IDX file of these data sets may hold (Fashion-MNIST has 60,000 + 10,000):
/// bounds the decompressed size, so a gzip bomb stops near the real size.
public let idxMaxImages = 70_000

/// Reads splits ("train", "t10k") of Fashion-MNIST or MNIST through `hub`: gunzip (magic,
/// declared size, CRC and ISIZE checked; output capped near the real size, `idxMaxImages`),
/// IDX magic and exact length checked, image and label counts compared. Every split must hold
/// at least one image of `idxImageSide`×`idxImageSide` pixels (the shape the models take), so
/// train and test agree; errors name the file and the expected shape.
/// All files are decoded in parallel (the 47 MB training images take one core).
public func readIDXImageSets(_ dataset: ImageDataset = .fashionMNIST, splits: [String],
                             hub: DataHub = .shared) throws -> [IDXImageSet] {
    var jobs: [(path: String, dims: Int)] = []
    for split in splits {
        jobs.append((try hub.locate(.imageClassification(dataset, "\(split)-images-idx3-ubyte.gz")), 3))
        jobs.append((try hub.locate(.imageClassification(dataset, "\(split)-labels-idx1-ubyte.gz")), 1))
    }
    let side = idxImageSide
    func decode(_ path: String, dims: Int) throws -> IDXArray {
        let maxOutput = dims == 3 ? 16 + idxMaxImages * side * side : 8 + idxMaxImages
        let raw = try Gzip.decompressFile(atPath: path, maxOutput: maxOutput)
        return try IDXArray(bytes: raw, expectedDims: dims, file: path)
    }
    // Largest first, so the big training file starts at once.
    let order = jobs.indices.sorted { (jobs[$0].dims, $0) > (jobs[$1].dims, $1) }
    let results = UnsafeMutablePointer<Result<IDXArray, Error>?>.allocate(capacity: jobs.count)
    results.initialize(repeating: nil, count: jobs.count)
    defer { results.deinitialize(count: jobs.count); results.deallocate() }
    DispatchQueue.concurrentPerform(iterations: jobs.count) { k in
        let j = order[k]
        results[j] = Result { try decode(jobs[j].path, dims: jobs[j].dims) }
    }
    var sets: [IDXImageSet] = []
    for s in 0..<splits.count {
        let images = try results[2 * s]!.get(), labels = try results[2 * s + 1]!.get()
        let (imagePath, labelPath) = (jobs[2 * s].path, jobs[2 * s + 1].path)
        guard images.shape[1] == side, images.shape[2] == side else {
            throw DataError.badIDX(file: imagePath, reason: "images are \(images.shape[1])×\(images.shape[2]), expected \(side)×\(side) (the shape the book's models take)")
        }
        guard images.shape[0] > 0 else {
            throw DataError.badIDX(file: imagePath, reason: "0 images: the \(splits[s]) split must not be empty")
        }
        guard images.shape[0] == labels.shape[0] else {
            throw DataError.badIDX(file: labelPath, reason: "\(labels.shape[0]) labels for \(images.shape[0]) images in \(imagePath)")
        }
        if let bad = labels.data.first(where: { $0 > 9 }) {
            throw DataError.badIDX(file: labelPath, reason: "label \(bad) outside 0…9")
        }
        sets.append(IDXImageSet(images: images.data, labels: labels.data, count: images.shape[0],
                                rows: images.shape[1], cols: images.shape[2]))
    }
    return sets
}

/// One split ("train" or "t10k"); see `readIDXImageSets`.
public func readIDXImageSet(_ dataset: ImageDataset = .fashionMNIST, split: String,
                            hub: DataHub = .shared) throws -> IDXImageSet {
    try readIDXImageSets(dataset, splits: [split], hub: hub)[0]
}

/// Book §3.5 `load_data_fashion_mnist(batch_size, resize=None)`: Fashion-MNIST (or MNIST) as
/// minibatches X (B, 1, H, W) Float in [0, 1] (pixel / 255, no mean/std normalisation) and y
/// (B,) Float labels 0…9 (`y.labelIndices` gives `[Int]`). The training iterator reshuffles
/// every epoch; the test iterator keeps the file order. With `resize`, images are resized to
/// resize×resize as torchvision/PIL bilinear would (`ImageResizer`), batch by batch, so
/// 224×224 never needs all 70,000 enlarged images in memory. With `trainSize`, only the first
/// `trainSize` training images are used (quick configurations of chapter 7).
public func loadDataFashionMNIST(batchSize: Int, resize: Int? = nil, dataset: ImageDataset = .fashionMNIST,
                                 hub: DataHub = .shared, seed: UInt64? = nil, trainSize: Int? = nil) throws
    -> (train: DataIterator, test: DataIterator) {
    let sets = try readIDXImageSets(dataset, splits: ["train", "t10k"], hub: hub)
    func iterator(_ set: IDXImageSet, shuffle: Bool, limit: Int? = nil) -> DataIterator {
        let side = set.rows
        let resizer = resize.flatMap { $0 == side ? nil : ImageResizer(inSize: side, outSize: $0) }
        let outSide = resizer?.outSize ?? side
        let count = min(set.count, max(limit ?? set.count, 1))
        return DataIterator(numExamples: count, batchSize: batchSize, shuffle: shuffle, seed: seed) { idx in
            imageBatch(set, idx, resizer: resizer, outSide: outSide)
        }
    }
    return (iterator(sets[0], shuffle: true, limit: trainSize), iterator(sets[1], shuffle: false))
}

func imageBatch(_ set: IDXImageSet, _ indices: [Int], resizer: ImageResizer?, outSide: Int) -> (X: Tensor, y: Tensor) {
    let inPixels = set.rows * set.cols, outPixels = outSide * outSide
    // The pointer loop below relies on these; `readIDXImageSets` guarantees them.
    shapeCheck(set.rows == set.cols && set.images.count == set.count * inPixels && set.labels.count == set.count
               && (resizer.map { $0.inSize == set.rows && $0.outSize == outSide } ?? (outSide == set.rows)),
               "imageBatch: \(set.count) images of \(set.rows)×\(set.cols) in \(set.images.count) bytes with \(set.labels.count) labels cannot make \(outSide)×\(outSide) batches",
               file: #fileID, line: #line)
    if let bad = indices.first(where: { $0 < 0 || $0 >= set.count }) {
        fatalError("imageBatch: index \(bad) outside 0..<\(set.count)")
    }
    let x = TensorStorage(uninitializedCount: indices.count * outPixels)
    let y = TensorStorage(uninitializedCount: indices.count)
    let scale: Float = 1 / 255
    // Pixels → Float / 255 (torchvision `ToTensor`), after the optional resize.
    func convert(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<Float>) {
        for p in 0..<outPixels { dst[p] = Float(src[p]) * scale }
    }
    set.images.withUnsafeBufferPointer { images in
        // One scratch buffer per batch: the resized image, then the horizontal pass.
        let scratchCount = resizer.map { outPixels + $0.scratchCount } ?? 0
        var scratch = [UInt8](repeating: 0, count: scratchCount)
        scratch.withUnsafeMutableBufferPointer { tmp in
            for (k, i) in indices.enumerated() {
                let src = images.baseAddress! + i &* inPixels
                if let resizer {
                    resizer.resize(src, into: tmp.baseAddress!, scratch: tmp.baseAddress! + outPixels)
                    convert(tmp.baseAddress!, x.pointer + k &* outPixels)
                } else {
                    convert(src, x.pointer + k &* outPixels)
                }
                y.pointer[k] = Float(set.labels[i])
            }
        }
    }
    return (Tensor(shape: [indices.count, 1, outSide, outSide], storage: x), Tensor(shape: [indices.count], storage: y))
}

/// Book §3.5 `get_fashion_mnist_labels`: text labels of Fashion-MNIST classes 0…9.
public func getFashionMNISTLabels(_ labels: [Int], file: StaticString = #fileID, line: UInt = #line) -> [String] {
    let names = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
    if let bad = labels.first(where: { !names.indices.contains($0) }) {
        fatalError("getFashionMNISTLabels: label \(bad) outside 0…9", file: file, line: line)
    }
    return labels.map { names[$0] }
}
