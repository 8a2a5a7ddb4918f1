import Tensor
var x = Tensor.arange(4); x.requiresGrad = true
let y = (Tensor(2) * x * x).sum()
y.backward()
print(x.grad!.scalars)
let a = Tensor.randn([2,3,4]); var b = Tensor.randn([3,1]); b.requiresGrad = true
let s = (a * b).sum(); s.backward(); print(b.grad!.shape, b.grad!.scalars)
print((a.sum(alongAxes: [0,2], keepDims: true)).scalars)
