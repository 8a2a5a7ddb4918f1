import Foundation
import Tensor

/// A grayscale image: `height × width` values, row-major.
public struct GrayImage {
    public var width: Int
    public var height: Int
    public var pixels: [Float]

    public init(width: Int, height: Int, pixels: [Float], file: StaticString = #fileID, line: UInt = #line) {
        if pixels.count != width * height || width <= 0 || height <= 0 {
            fatalError("GrayImage: \(pixels.count) pixels for a \(height)×\(width) image", file: file, line: line)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// From a 2-D (h, w) tensor or a single-channel 3-D (1, h, w) tensor.
    public init(_ tensor: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        let s = tensor.shape
        if s.count == 2 {
            self.init(width: s[1], height: s[0], pixels: tensor.scalars, file: file, line: line)
        } else if s.count == 3 && s[0] == 1 {
            self.init(width: s[2], height: s[1], pixels: tensor.scalars, file: file, line: line)
        } else {
            fatalError("GrayImage: expected a (h, w) or (1, h, w) tensor, got \(describeShape(s))", file: file, line: line)
        }
    }

    /// 8-bit gray levels, scaled from the image's own min…max to 0…255 like matplotlib's
    /// `imshow` autoscaling (a constant image becomes black).
    func grayLevels(range: ClosedRange<Float>? = nil) -> [UInt8] {
        let finite = pixels.filter(\.isFinite)
        let lo = range?.lowerBound ?? finite.min() ?? 0, hi = range?.upperBound ?? finite.max() ?? 1
        let span = hi > lo ? hi - lo : 1
        return pixels.map { v in
            guard v.isFinite else { return 0 }
            return UInt8((min(max((v - lo) / span, 0), 1) * 255).rounded())
        }
    }
}

/// Shows a grid of grayscale images with titles above them (book §3.5 `d2l.show_images`),
/// e.g. Fashion-MNIST with "true\npredicted" label pairs. Writes `figures/<file>.svg`.
///
/// Each image is embedded as a PNG data URI drawn with nearest-neighbour scaling, not as one
/// `<rect>` per pixel: a 28 × 28 image costs ~1.1 kB of base64 instead of ~50 kB of rects,
/// which keeps 18- or 60-image grids small and quick to open.
///
/// - Parameters:
///   - images: the images, filled row by row into `numRows × numCols` cells.
///   - titles: one per image (or fewer); "\n" makes several lines.
///   - scale: inches per cell (the book's `scale=1.5`).
///   - valueRange: fixed gray range; nil scales each image by its own min and max.
@discardableResult
public func showImages(_ images: [GrayImage], numRows: Int, numCols: Int, titles: [String] = [],
                       scale: Double = 1.5, valueRange: ClosedRange<Float>? = nil, file: String) throws -> URL {
    try imageGridDocument(images, numRows: numRows, numCols: numCols, titles: titles, scale: scale,
                          valueRange: valueRange).write(to: Figures.url(file))
}

/// `showImages` for tensors of shape (h, w) or (1, h, w).
@discardableResult
public func showImages(_ images: [Tensor], numRows: Int, numCols: Int, titles: [String] = [],
                       scale: Double = 1.5, valueRange: ClosedRange<Float>? = nil, file: String) throws -> URL {
    try showImages(images.map { GrayImage($0) }, numRows: numRows, numCols: numCols, titles: titles,
                   scale: scale, valueRange: valueRange, file: file)
}

/// `showImages` for a batch tensor of shape (n, h, w) or (n, 1, h, w), e.g. a Fashion-MNIST batch.
@discardableResult
public func showImages(batch: Tensor, numRows: Int, numCols: Int, titles: [String] = [],
                       scale: Double = 1.5, valueRange: ClosedRange<Float>? = nil, file: String,
                       sourceFile: StaticString = #fileID, line: UInt = #line) throws -> URL {
    let s = batch.shape
    guard s.count == 3 || (s.count == 4 && s[1] == 1) else {
        fatalError("showImages: expected a (n, h, w) or (n, 1, h, w) batch, got \(describeShape(s))",
                   file: sourceFile, line: line)
    }
    let h = s[s.count - 2], w = s[s.count - 1]
    let all = batch.scalars
    let images = (0..<min(s[0], numRows * numCols)).map { i in
        GrayImage(width: w, height: h, pixels: Array(all[i * h * w ..< (i + 1) * h * w]))
    }
    return try showImages(images, numRows: numRows, numCols: numCols, titles: titles, scale: scale,
                          valueRange: valueRange, file: file)
}

func imageGridDocument(_ images: [GrayImage], numRows: Int, numCols: Int, titles: [String], scale: Double,
                       valueRange: ClosedRange<Float>?) -> SVGDocument {
    if numRows <= 0 || numCols <= 0 { fatalError("showImages: numRows and numCols must be positive") }
    let f = 10.0
    let titleLines = titles.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count }.max() ?? 0
    let titleHeight = titleLines > 0 ? Double(titleLines) * f * 1.2 + 4 : 0
    let cell = scale * 72, pad = 4.0
    let widest = titles.map { textWidth($0, size: f) }.max() ?? 0
    let cellWidth = max(cell, widest + 2 * pad)
    let aspect = images.first.map { Double($0.height) / Double($0.width) } ?? 1
    let imageHeight = (cell - 2 * pad) * aspect
    let cellHeight = imageHeight + titleHeight + 2 * pad
    var doc = SVGDocument(widthInches: cellWidth * Double(numCols) / 72, heightInches: cellHeight * Double(numRows) / 72)
    for (i, image) in images.prefix(numRows * numCols).enumerated() {
        let row = i / numCols, col = i % numCols
        let x0 = Double(col) * cellWidth, y0 = Double(row) * cellHeight
        let drawWidth = cell - 2 * pad
        let imageX = x0 + (cellWidth - drawWidth) / 2, imageY = y0 + pad + titleHeight
        if i < titles.count, !titles[i].isEmpty {
            doc.text(titles[i], x: x0 + cellWidth / 2, y: imageY - 4 - 0.25 * f, size: f, growUp: true,
                     extra: [("class", "title")])
        }
        let uri = PNGEncoder.dataURI(width: image.width, height: image.height,
                                     pixels: image.grayLevels(range: valueRange), color: .gray)
        doc.add("image", [("x", fmt(imageX)), ("y", fmt(imageY)), ("width", fmt(drawWidth)),
                          ("height", fmt(imageHeight)), ("preserveAspectRatio", "none"),
                          ("image-rendering", "pixelated"), ("style", "image-rendering:pixelated"),
                          ("href", uri), ("xlink:href", uri)])
    }
    return doc
}
