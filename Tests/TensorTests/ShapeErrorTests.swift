import Testing
import Tensor

/// Shape errors stop the program with a message naming the op and the shapes (exit tests:
/// each body runs in a child process that must fail, and its stderr is checked).
@Suite struct ShapeErrorTests {
    @Test func matmulInnerDimensionMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("matmul: (2, 3) × (4, 5): inner dimensions 3 and 4 differ"))
    }

    @Test func broadcastMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("add (+): shapes (2, 3) and (4) cannot be broadcast"))
    }

    @Test func backwardOnNonScalar() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Tensor.ones([3]); x.requiresGrad = true
            (x * 2).backward()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("backward(): can only be called on a scalar"))
        #expect(stderr.contains("(3)"))
    }

    @Test func secondBackwardThroughFreedGraph() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var x = Tensor.ones([3]); x.requiresGrad = true
            let loss = (x * x).sum()
            loss.backward()
            loss.backward()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("was already used by an earlier backward()"))
    }

    @Test func sliceOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).slice(axis: 1, 1..<5)
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("slice: range 1..<5 is out of bounds for axis 1 of shape (2, 3)"))
    }
}
