import NN
import Tensor
import TestSupport
import XCTest

final class EmbeddingTests: XCTestCase {
    func testGoldenLookupAndGradient() throws {
        let c = try Golden.case("embedding", "embedding_lookup")
        let embed = Embedding(numEmbeddings: 7, embeddingDim: 5)
        embed.weight.value = c.input("weight")
        let ids = c.intInputs["indices"]!
        let y = embed(Tensor(shape: ids.shape, scalars: ids.data.map { Float($0) }))
        let fc = compare(y, c.output, label: "embedding forward")
        XCTAssertTrue(fc.ok, "\(fc)")
        (y * c.cotangent!).sum().backward()
        let gc = compare(embed.weight.grad!, c.grad("weight"), label: "embedding d/dweight")
        XCTAssertTrue(gc.ok, "\(gc)")
    }

    func testPaddingRowStartsAtZeroAndGetsNoGradient() {
        Tensor.manualSeed(1)
        let embed = Embedding(numEmbeddings: 6, embeddingDim: 3, paddingIdx: 1)
        let w = embed.weight.value
        XCTAssertEqual(w.slice(axis: 0, 1..<2).scalars, [0, 0, 0])
        XCTAssertGreaterThan(w.abs().sum().item(), 1)
        let y = embed(Tensor([[1, 2, 1], [2, 1, 0]]))
        XCTAssertEqual(y.shape, [2, 3, 3])
        y.sum().backward()
        let g = embed.weight.grad!
        XCTAssertEqual(g.slice(axis: 0, 1..<2).scalars, [0, 0, 0])
        XCTAssertEqual(g.slice(axis: 0, 2..<3).scalars, [2, 2, 2])
        XCTAssertEqual(g.slice(axis: 0, 0..<1).scalars, [1, 1, 1])
    }
}
