import D2L
import NN

// The book's concise sections (§11.5–11.10): `trainer = torch.optim.X` and
// `train_concise_ch11(trainer, {'lr': …}, data_iter)`. Each function is the optimizer the book
// names, built from `NN` with the book's hyper-parameters (PyTorch's defaults otherwise), for
// `trainConciseCh11`. `lr` is the book's value unless `--lr` is given.

/// §11.5 `torch.optim.SGD`, `{'lr': 0.01}`.
func sgdConcise(_ params: [Parameter], lr: Float) -> Optimizer { SGD(parameters: params, lr: lr) }

/// §11.6 `torch.optim.SGD`, `{'lr': 0.005, 'momentum': 0.9}`.
func momentumConcise(_ params: [Parameter], lr: Float) -> Optimizer { SGD(parameters: params, lr: lr, momentum: 0.9) }

/// §11.7 `torch.optim.Adagrad`, `{'lr': 0.1}` (ε = 1e-10 outside the root, PyTorch's).
func adagradConcise(_ params: [Parameter], lr: Float) -> Optimizer { Adagrad(parameters: params, lr: lr) }

/// §11.8 `torch.optim.RMSprop`, `{'lr': 0.01, 'alpha': 0.9}` (PyTorch calls γ alpha).
func rmspropConcise(_ params: [Parameter], lr: Float) -> Optimizer { RMSprop(parameters: params, lr: lr, alpha: 0.9) }

/// §11.9 `torch.optim.Adadelta`, `{'rho': 0.9}` (PyTorch's lr 1.0 scales the step).
func adadeltaConcise(_ params: [Parameter], lr: Float) -> Optimizer { Adadelta(parameters: params, lr: lr, rho: 0.9) }

/// §11.10 `torch.optim.Adam`, `{'lr': 0.01}` (β = (0.9, 0.999), ε = 1e-8).
func adamConcise(_ params: [Parameter], lr: Float) -> Optimizer { Adam(parameters: params, lr: lr) }

/// §11.10.3 Yogi, which the book writes from scratch only: `NN.Yogi` with lr 0.01 (ε = 1e-3).
func yogiConcise(_ params: [Parameter], lr: Float) -> Optimizer { Yogi(parameters: params, lr: lr) }
