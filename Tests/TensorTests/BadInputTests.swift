import Testing
import Tensor

/// Bad input to the Tensor API stops with a message naming the op and the offending value
/// (issue 9 items 2, 3 and 9). Each body runs in a child process that must fail; its stderr
/// is checked. Before these checks, most of these read out of bounds, trapped without a
/// message, or silently returned a wrong shape.
@Suite struct BadInputTests {
    private func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    // MARK: Item 2: every shape entering the library is checked

    @Test func zerosWithOverflowingShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let t = Tensor.zeros([1 << 62, 4])
            print(t[5, 0])
        }
        #expect(stderr(r).contains("zeros: shape (4611686018427387904, 4) has more elements than Int can count"), "\(stderr(r))")
    }

    @Test func zerosWithNegativeSizes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([-2, -3]).shape)
        }
        #expect(stderr(r).contains("zeros: shape (-2, -3) has a negative size (-2 at axis 0)"), "\(stderr(r))")
    }

    @Test func zerosMinusOne() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([-1]).shape)
        }
        #expect(stderr(r).contains("zeros: shape (-1) has a negative size (-1 at axis 0)"), "\(stderr(r))")
    }

    @Test func randnWithNegativeSize() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.randn([3, -1]).shape)
        }
        #expect(stderr(r).contains("normal: shape (3, -1) has a negative size (-1 at axis 1)"), "\(stderr(r))")
    }

    @Test func fullWithBytesBeyondInt() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.full([1 << 62], 1).shape)
        }
        #expect(stderr(r).contains("full: shape (4611686018427387904) has 4611686018427387904 elements, more bytes than Int can count"),
                "\(stderr(r))")
    }

    @Test func reshapeToOverflowingShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([0]).reshaped(to: [1 << 62, 4, 0]).shape)
        }
        #expect(stderr(r).contains("reshape: shape (4611686018427387904, 4, 0) has more elements than Int can count"), "\(stderr(r))")
    }

    @Test func shapeAndStorageDisagree() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor(shape: [2, 3], storage: TensorStorage(repeating: 0, count: 5)).shape)
        }
        #expect(stderr(r).contains("Tensor(shape:storage:): shape (2, 3) has 6 elements but the storage holds 5"), "\(stderr(r))")
    }

    // MARK: Item 3: in-place ops keep the left shape

    @Test func addAssignRejectsLargerRightSide() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = Tensor.zeros([3])
            a += Tensor.zeros([2, 3])
            print(a.shape)
        }
        #expect(stderr(r).contains("add (+=): the right side (2, 3) does not broadcast to the left side's shape (3)"), "\(stderr(r))")
    }

    @Test func multiplyAssignRejectsLargerRightSideWhenTracked() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = Tensor.ones([2, 1]); a.requiresGrad = true
            var b = a * 1
            b *= Tensor.ones([1, 4])
            print(b.shape)
        }
        #expect(stderr(r).contains("multiply (*=): the right side (1, 4) does not broadcast to the left side's shape (2, 1)"),
                "\(stderr(r))")
    }

    @Test func subtractAndDivideAssignRejectLargerRightSide() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = Tensor.zeros([1])
            a /= Tensor.ones([4])
            print(a.shape)
        }
        #expect(stderr(r).contains("divide (/=): the right side (4) does not broadcast to the left side's shape (1)"), "\(stderr(r))")
        let s = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var a = Tensor.zeros([2, 3])
            a -= Tensor.ones([4, 2, 3])
            print(a.shape)
        }
        #expect(stderr(s).contains("subtract (-=): the right side (4, 2, 3) does not broadcast"), "\(stderr(s))")
    }

    @Test func inPlaceOpsKeepShapeWhenRightSideBroadcasts() {
        var a = Tensor.ones([2, 3])
        a += Tensor([1, 2, 3])
        a *= Tensor(2)
        #expect(a.shape == [2, 3])
        #expect(a.scalars == [4, 6, 8, 4, 6, 8])
        var x = Tensor.ones([2, 3]); x.requiresGrad = true
        var y = x * 1
        y -= Tensor([[1], [2]])
        #expect(y.shape == [2, 3])
    }

    // MARK: Item 9: messages instead of bare traps

    @Test func sliceWithPartialRangeBeyondEnd() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([3, 2]).slice(axis: 0, 5...).shape)
        }
        #expect(stderr(r).contains("slice: range 5... is out of bounds for axis 0 of shape (3, 2)"), "\(stderr(r))")
    }

    @Test func sliceWithReversedPartialRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([3]).slice(axis: 0, ..<(-1)).shape)
        }
        #expect(stderr(r).contains("slice: range ..<-1 is out of bounds for axis 0 of shape (3)"), "\(stderr(r))")
    }

    @Test func sliceOfScalar() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor(2).slice(axis: 0, 0..<1).shape)
        }
        #expect(stderr(r).contains("slice: a scalar (rank-0 tensor) has no axis 0"), "\(stderr(r))")
    }

    @Test func concatenateScalars() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.concatenate([Tensor(1), Tensor(2)]).shape)
        }
        #expect(stderr(r).contains("concatenate: a scalar (rank-0 tensor) has no axis 0"), "\(stderr(r))")
    }

    @Test func squeezeAxisOfScalar() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor(1).squeezed(0).shape)
        }
        #expect(stderr(r).contains("squeeze: a scalar (rank-0 tensor) has no axis 0"), "\(stderr(r))")
    }

    @Test func scalarsStillReduceAndStack() {
        #expect(Tensor(3).sum(alongAxes: [0]).item() == 3)
        #expect(Tensor(3).mean(alongAxes: [-1]).item() == 3)
        #expect(Tensor(3).max(alongAxes: [0]).item() == 3)
        #expect(Tensor.stack([Tensor(1), Tensor(2)]).scalars == [1, 2])
        #expect(Tensor(4).flattened().shape == [1])
        #expect(Tensor(4).squeezed().shape == [])
    }

    @Test func gatherWithNaNIndex() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([4, 2]).gather(indices: Tensor([0, .nan])).shape)
        }
        #expect(stderr(r).contains("gather: index nan at position 1 is not a whole number"), "\(stderr(r))")
    }

    @Test func gatherWithOutOfRangeIndex() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.zeros([4, 2]).gather(indices: Tensor([1e30])).shape)
        }
        #expect(stderr(r).contains("gather: index 1e+30 at position 0 is out of range"), "\(stderr(r))")
    }

    @Test func arangeToInfinity() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(Tensor.arange(0, .infinity).shape)
        }
        #expect(stderr(r).contains("arange: start 0.0, end inf and step 1.0 must be finite"), "\(stderr(r))")
    }
}
