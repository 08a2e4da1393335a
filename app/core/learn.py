"""Learning the mixing: fit a 1×1 convolution to a target, in closed form and by gradient descent.

Shapes: X (Cin, H, W), target T (Cout, H, W), N = H·W pixels. A 1×1 convolution fitted by mean
squared error is linear least squares over pixels: min ‖W·X + b − T‖² over (W, b), solved directly
on X augmented with a row of ones (the minimum-norm solution, see `minimum_norm`). Training reaches
the same loss with a real `torch.optim` optimizer, full batch, on one `nn.Conv2d(Cin, Cout, 1)`, or
two 1×1 layers Cin → hidden → Cout with ReLU between (the per-position perceptron of Network in
Network's mlpconv), which a ReLU target needs.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
import itertools
import math
from typing import Literal

import torch
from torch import nn
import torch.nn.functional as F

from app.core.errors import InputError
from app.core.mixing import Activation, activate

Optimizer = Literal["adam", "sgd"]
OPTIMIZERS: tuple[Optimizer, ...] = ("adam", "sgd")


def hidden_mixing(x: torch.Tensor, c_out: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded hidden target for X (Cin, H, W), "recover the matrix": W* (Cout, Cin) ~ U(−1, 1), and
    b* (Cout,) = u − W*·mean(X) with u ~ U(−0.25, 0.25), so each target channel is roughly centred
    on zero and a ReLU on the target cuts a good part of it away."""
    c_in = x.shape[0]
    generator = torch.Generator().manual_seed(seed)
    weight = torch.rand(c_out, c_in, generator=generator) * 2 - 1
    offset = (torch.rand(c_out, generator=generator) - 0.5) / 2
    mean = x.reshape(c_in, -1).mean(dim=1)  # (Cin,)
    return weight, offset - weight @ mean


def make_target(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    activation: Activation = "none",
    noise: float = 0.0,
    seed: int = 0,
) -> torch.Tensor:
    """T = f(W*·X + b*) + noise (Cout, H, W): Gaussian noise of std `noise`, seeded."""
    c_in, height, width = x.shape
    flat = x.reshape(c_in, height * width)  # (Cin, N)
    target = activate(torch.addmm(bias[:, None], weight, flat), activation)  # (Cout, N)
    if noise > 0:
        generator = torch.Generator().manual_seed(seed)
        target = target + noise * torch.randn(target.shape, generator=generator)
    return target.reshape(-1, height, width)


@dataclass(frozen=True)
class LeastSquares:
    """The best one-layer 1×1 convolution: argmin over (W, b) of mean((W·X + b − T)²)."""

    weight: torch.Tensor  # (Cout, Cin)
    bias: torch.Tensor  # (Cout,)
    loss: float  # the mean squared error it leaves, the floor of any one-layer training


# The relative precision of float32: X and T are float32 images, so directions of [X; 1] along which
# the pixels vary by less than this (relative to the whole) are rounding, not information.
FLOAT32_EPS = torch.finfo(torch.float32).eps


def minimum_norm(gram: torch.Tensor, cross: torch.Tensor) -> torch.Tensor:
    """P* = [W b] (Cout, Cin + 1) of least norm among those within float32 precision of the least loss.

    `gram` = A·Aᵀ / N (Cin + 1, Cin + 1) and `cross` = A·Tᵀ / N (Cin + 1, Cout), float64, A = [X; 1].
    With dependent channels (the feature bank's luminance is a mix of red, green and blue) A has a
    singular value that float32 rounding leaves at about 10⁻⁶ instead of 0; a solver that keeps it
    divides by it and returns weights of ±10⁴ or more once the target is noisy. Here an eigenvalue
    λ of G counts only when √(N·λ), the singular value of A, exceeds float32's eps·‖A‖_F (Weyl: the
    rounding of A moves no singular value by more than that), i.e. λ > eps²·trace(G)."""
    values, vectors = torch.linalg.eigh(gram)
    kept = values > FLOAT32_EPS**2 * values.sum()
    inverse = torch.where(kept, 1 / torch.where(kept, values, 1), 0)  # 1/λ on the kept eigenvalues, else 0
    return ((vectors * inverse) @ vectors.T @ cross).T


def least_squares(x: torch.Tensor, target: torch.Tensor) -> LeastSquares:
    """Solve [Xᵀ 1]·[W b]ᵀ = Tᵀ over the N pixels (float64, on the CPU): the minimum-norm [W b] of
    `minimum_norm`, which is the unique solution when the channels are independent."""
    c_in, c_out = x.shape[0], target.shape[0]
    flat = x.reshape(c_in, -1).double().cpu()  # (Cin, N)
    design = torch.cat([flat, torch.ones(1, flat.shape[1], dtype=flat.dtype)])  # A (Cin + 1, N)
    goal = target.reshape(c_out, -1).double().cpu()  # (Cout, N)
    pixels = flat.shape[1]
    solution = minimum_norm(design @ design.T / pixels, design @ goal.T / pixels)  # (Cout, Cin + 1)
    loss = (solution @ design - goal).pow(2).mean().item()
    return LeastSquares(solution[:, :c_in].float(), solution[:, c_in].float(), loss)


class Pointwise(nn.Module):
    """One 1×1 convolution Cin → Cout, or two, Cin → hidden → Cout, with `hidden_activation` between.

    The layers are real `nn.Conv2d` modules with PyTorch's own initialisation, drawn exactly as
    `torch.manual_seed(seed)` followed by creating them in order would draw them (from a private
    generator, so concurrent runs do not share torch's global one). `forward` computes the same
    maths as the convolutions on an NCHW tensor, as one `addmm` per layer on the (Cin, N) view:
    no im2col, no layout changes, a fraction of the time per step.
    """

    def __init__(
        self, c_in: int, c_out: int, hidden: int | None = None, hidden_activation: Activation = "relu", seed: int = 0
    ) -> None:
        super().__init__()
        widths = [c_in, c_out] if hidden is None else [c_in, hidden, c_out]
        self.hidden_activation = hidden_activation
        self.layers = nn.ModuleList(
            nn.utils.skip_init(nn.Conv2d, w_in, w_out, 1) for w_in, w_out in itertools.pairwise(widths)
        )
        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for conv in self.layers:
                # nn.Conv2d.reset_parameters: kaiming_uniform_(a=√5), then U(−1/√fan_in, 1/√fan_in) for b.
                nn.init.kaiming_uniform_(conv.weight, a=math.sqrt(5), generator=generator)
                bound = 1 / math.sqrt(conv.in_channels)
                conv.bias.uniform_(-bound, bound, generator=generator)

    def forward(self, flat: torch.Tensor) -> torch.Tensor:
        """(Cin, N) → (Cout, N): z = W·h + b per layer, f between layers."""
        h = flat
        for index, conv in enumerate(self.layers):
            if index > 0:
                h = activate(h, self.hidden_activation)
            weight = conv.weight.view(conv.out_channels, conv.in_channels)  # (out, in)
            h = torch.addmm(conv.bias[:, None], weight, h)  # (out, N)
        return h

    @property
    def is_linear(self) -> bool:
        """One layer, or layers with no activation between: the model is one linear map."""
        return len(self.layers) == 1 or self.hidden_activation == "none"

    def linear_map(self) -> tuple[torch.Tensor, torch.Tensor]:
        """A linear model as the one (W, b) it computes: W = W2·W1, b = W2·b1 + b2 (with autograd)."""
        weight, bias = None, None
        for conv in self.layers:
            w = conv.weight.view(conv.out_channels, conv.in_channels)  # (out, in)
            weight, bias = (w, conv.bias) if weight is None else (w @ weight, torch.addmv(conv.bias, w, bias))
        return weight, bias

    def parameters_now(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Each layer's (W (out, in), b (out,)), detached copies."""
        return [
            (conv.weight.detach().reshape(conv.out_channels, conv.in_channels).clone(), conv.bias.detach().clone())
            for conv in self.layers
        ]


class Moments:
    """What the loss of a linear model needs of X and T. With A = [X; 1] (Cin + 1, N), G = A·Aᵀ / N,
    C = A·Tᵀ / N and P = [W b] (Cout, Cin + 1), the loss is a quadratic form in P:

        mean((W·X + b − T)²) = ‖(P − P*)·R‖² / Cout + L*,    G = R·Rᵀ,

    where P* = [W b] of least squares (G·P*ᵀ = C; the minimum-norm one) and L* its loss. G, P*, R and L* are computed
    once (float64); after that a step costs O(Cout·Cin²) instead of O(Cout·Cin·N), with the same
    loss and gradients as the pixels give, whatever the size of the image, and a sum of squares
    that stays accurate down to the optimum (no cancellation between large terms)."""

    def __init__(self, flat: torch.Tensor, goal: torch.Tensor) -> None:
        pixels = flat.shape[1]
        augmented = torch.cat([flat.double(), flat.new_ones(1, pixels, dtype=torch.float64)])  # (Cin + 1, N)
        gram = augmented @ augmented.T / pixels  # (Cin + 1, Cin + 1)
        cross = augmented @ goal.double().T / pixels  # (Cin + 1, Cout)
        best = minimum_norm(gram, cross)  # (Cout, Cin + 1)
        values, vectors = torch.linalg.eigh(gram)
        self.root = (vectors * values.clamp(min=0).sqrt()).to(flat.dtype)  # R (Cin + 1, Cin + 1)
        self.best = best.to(flat.dtype)
        self.c_out = goal.shape[0]
        energy = goal.double().pow(2).sum() / pixels
        self.floor = max(0.0, float((energy - (best * cross.T).sum()) / self.c_out))  # L*

    def loss(self, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """mean((W·X + b − T)²) over all Cout·N values, with autograd."""
        p = torch.cat([weight, bias[:, None]], dim=1)  # (Cout, Cin + 1)
        return ((p - self.best) @ self.root).square().sum() / self.c_out + self.floor


def make_optimizer(
    parameters: Iterable[nn.Parameter], optimizer: Optimizer, lr: float, momentum: float
) -> torch.optim.Optimizer:
    """torch.optim.Adam(lr), or SGD(lr, momentum): PyTorch's own, with its defaults otherwise.

    The fused implementation updates every parameter in one kernel: the same update rule, and on
    these few small tensors about a sixth of the step time saved in Python overhead."""
    if optimizer == "adam":
        return torch.optim.Adam(parameters, lr=lr, fused=True)
    return torch.optim.SGD(parameters, lr=lr, momentum=momentum, fused=True)


@dataclass(frozen=True)
class Progress:
    """The model after `step` updates and its loss, mean((model(X) − T)²) over all values."""

    step: int
    loss: float
    layers: list[tuple[torch.Tensor, torch.Tensor]]  # [(W, b)] per layer
    output: torch.Tensor | None = None  # (Cout, H, W), on the last progress of a finished run


def _trainable(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.clone() if tensor.is_inference() else tensor


def train(
    x: torch.Tensor,
    target: torch.Tensor,
    *,
    hidden: int | None = None,
    hidden_activation: Activation = "relu",
    optimizer: Optimizer = "adam",
    lr: float = 0.05,
    momentum: float = 0.9,
    steps: int = 300,
    every: int = 10,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Progress]:
    """Fit Pointwise(Cin, Cout, hidden) to T (Cout, H, W) on X (Cin, H, W), full batch.

    Yields Progress at step 0, every `every` steps and at `steps` (that one with the output).
    The loss at step s is the one the forward pass of update s + 1 computes, so reporting costs
    no extra pass. A linear model (one layer, or layers with no activation between) learns from
    the Moments of X and T; a model with ReLU between its layers from the pixels themselves.
    Stops early, without the final Progress, once `should_stop()` is true; raises
    InputError on ("lr",) when the loss stops being finite (gradient descent diverged).
    """
    c_in, height, width = x.shape
    c_out = target.shape[0]
    # Autograd saves X and T for the backward pass; tensors made under torch.inference_mode (a cache
    # of input channels) cannot be saved, so those are copied into normal tensors first.
    flat = _trainable(x).reshape(c_in, height * width)  # (Cin, N)
    goal = _trainable(target).reshape(c_out, height * width)  # (Cout, N)
    model = Pointwise(c_in, c_out, hidden, hidden_activation, seed).to(x.device)
    optim = make_optimizer(model.parameters(), optimizer, lr, momentum)
    moments = Moments(flat, goal) if model.is_linear else None
    for step in range(steps + 1):
        if moments is not None:
            loss = moments.loss(*model.linear_map())
        else:
            prediction = model(flat)  # (Cout, N)
            loss = F.mse_loss(prediction, goal)
        value = loss.item()
        if not math.isfinite(value):
            raise InputError(("lr",), f"training diverged at step {step}: the loss is {value}; lower the learning rate")
        if step == steps:
            with torch.no_grad():
                output = (model(flat) if moments is not None else prediction).reshape(c_out, height, width)
            yield Progress(step, value, model.parameters_now(), output)
            return
        if step % every == 0:
            yield Progress(step, value, model.parameters_now())
        if should_stop is not None and should_stop():
            return
        optim.zero_grad(set_to_none=True)
        loss.backward()
        optim.step()
