import Foundation
import NN
import Tensor
import Testing

/// Bad input to the NN layer stops with a message naming the op and the values, at the
/// caller's line (issue 8 §4, issue 9 item 9). Exit tests: each body runs in a child process.
@Suite struct BadInputNNTests {
    private func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func parameterRejectsValueOfAnotherShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = Linear(inputSize: 5, outputSize: 3)
            layer.weight.value = Tensor.zeros([3, 6])
        }
        #expect(stderr(r).contains("Parameter 'weight': cannot assign a value of shape (3, 6) to a parameter of shape (3, 5)"),
                "\(stderr(r))")
    }

    @Test func bufferRejectsValueOfAnotherShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let b = Buffer(Tensor.zeros([4]))
            b.value = Tensor.zeros([5])
        }
        #expect(stderr(r).contains("Buffer: cannot assign a value of shape (5) to a buffer of shape (4)"), "\(stderr(r))")
    }

    @Test func crossEntropyWithNaNLabel() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(CrossEntropyLoss()(Tensor.zeros([2, 3]), Tensor([1, .nan])))
        }
        #expect(stderr(r).contains("CrossEntropyLoss: label nan at position 1 is not a whole number"), "\(stderr(r))")
    }

    @Test func crossEntropyWithOutOfRangeLabel() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(CrossEntropyLoss()(Tensor.zeros([2, 3]), [0, 3]))
        }
        #expect(stderr(r).contains("CrossEntropyLoss: label 3 at position 1 is out of range for 3 classes"), "\(stderr(r))")
    }

    @Test func conv2dShapeErrorNamesCallerLine() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let conv = Conv2d(inChannels: 3, outChannels: 2, kernelSize: 3)
            print(conv(Tensor.zeros([1, 1, 8, 8]), file: "MyModel.swift", line: 42))
        }
        #expect(stderr(r).contains("MyModel.swift:42"), "\(stderr(r))")
    }

    @Test func poolShapeErrorNamesCallerLine() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            print(MaxPool2d(kernelSize: 2)(Tensor.zeros([8, 8]), file: "MyModel.swift", line: 7))
        }
        #expect(stderr(r).contains("MyModel.swift:7"), "\(stderr(r))")
        #expect(stderr(r).contains("maxPool2d"), "\(stderr(r))")
    }
}

/// One `isTraining` flag per module, declared once in `ModuleBase`; `train()` / `eval()` recurse.
@Suite struct TrainingModeTests {
    @Test func evalReachesEveryLayerAndDropoutObeys() {
        let net = Sequential(Linear(inputSize: 4, outputSize: 4), Dropout(0.9),
                             Sequential(Conv2d(inChannels: 1, outChannels: 1, kernelSize: 1), MaxPool2d(kernelSize: 1)))
        net.eval()
        #expect(net.modules().allSatisfy { !$0.isTraining })
        let x = Tensor.ones([2, 4])
        #expect(net[1](x).scalars == x.scalars)
        net.train()
        #expect(net.modules().allSatisfy { $0.isTraining })
    }
}
