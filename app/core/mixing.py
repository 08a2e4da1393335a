"""The 1×1 convolution Y = f(W·X + b) and the two ways Pointwise explains it.

Shapes: X (Cin, H, W), W (Cout, Cin), b (Cout), Y (Cout, H, W); f is the identity or ReLU.
"""

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

Activation = Literal["none", "relu"]


def activate(z: torch.Tensor, activation: Activation) -> torch.Tensor:
    """f(z): the identity or ReLU, elementwise."""
    return torch.relu(z) if activation == "relu" else z


def mix(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, activation: Activation = "none"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return (Y, Z): Z = W·X + b over every pixel at once, Y = f(Z); both (Cout, H, W).

    Over the whole map a 1×1 convolution is one matrix product, so it runs as a single `addmm`:
    on the CPU that is many times faster than `nn.Conv2d` on a contiguous NCHW tensor.
    """
    c_in, height, width = x.shape
    c_out = weight.shape[0]
    flat = x.reshape(c_in, height * width)  # (Cin, H·W)
    z = torch.addmm(bias.unsqueeze(1), weight, flat)  # (Cout, H·W)
    z = z.reshape(c_out, height, width)  # (Cout, H, W)
    return activate(z, activation), z


@dataclass(frozen=True)
class ChannelExplanation:
    """Output channel n as a weighted sum: Y[n] = f(Σ_c W[n, c]·X[c] + b[n])."""

    channel: int
    weights: torch.Tensor  # (Cin,)  W[n, :]
    bias: float  # b[n]
    contributions: torch.Tensor  # (Cin, H, W)  W[n, c]·X[c]
    total: torch.Tensor  # (H, W)  Σ_c contributions[c] + b[n], before f
    max_abs_error: float  # max |f(total) − conv2d(X, W[n], b[n])|, against a real convolution


def explain_channel(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    channel: int,
    activation: Activation = "none",
) -> ChannelExplanation:
    """Split output channel `channel` of Y = f(W·X + b) into its Cin contribution maps, and check
    their sum against `F.conv2d` run for that one output channel (a 1×1 kernel, W[n] as (1, Cin, 1, 1))."""
    weights = weight[channel]  # (Cin,)
    contributions = weights[:, None, None] * x  # (Cin, H, W)
    total = contributions.sum(dim=0) + bias[channel]  # (H, W)
    kernel = weights.reshape(1, -1, 1, 1)  # (1, Cin, 1, 1)
    convolved = F.conv2d(x[None], kernel, bias[channel : channel + 1])[0, 0]  # (H, W)
    error = (activate(total, activation) - activate(convolved, activation)).abs().max().item()
    return ChannelExplanation(channel, weights, float(bias[channel]), contributions, total, error)


@dataclass(frozen=True)
class PixelProbe:
    """One pixel is one fully connected layer: z = W·x + b, y = f(z)."""

    row: int
    col: int
    x: torch.Tensor  # (Cin,)  X[:, i, j]
    z: torch.Tensor  # (Cout,)
    y: torch.Tensor  # (Cout,)
    max_abs_error: float  # max |y − conv2d(X, W, b)[:, i, j]|, against a real convolution


def probe_pixel(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    row: int,
    col: int,
    activation: Activation = "none",
) -> PixelProbe:
    """The matrix–vector product at pixel (row, col), checked against `F.conv2d` at that pixel."""
    pixel = x[:, row, col]  # (Cin,)
    z = weight @ pixel + bias  # (Cout,)
    out = activate(z, activation)
    kernel = weight[:, :, None, None]  # (Cout, Cin, 1, 1)
    convolved = F.conv2d(x[None, :, row : row + 1, col : col + 1], kernel, bias)[0, :, 0, 0]  # (Cout,)
    error = (out - activate(convolved, activation)).abs().max().item()
    return PixelProbe(row, col, pixel, z, out, error)


def collapse(
    weight1: torch.Tensor, bias1: torch.Tensor, weight2: torch.Tensor, bias2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The one 1×1 layer that two stacked 1×1 layers without a non-linearity are.

    W2·(W1·x + b1) + b2 = (W2·W1)·x + (W2·b1 + b2): W (Cout2, Cin1), b (Cout2).
    """
    return weight2 @ weight1, weight2 @ bias1 + bias2


def fold_batch_norm(
    weight: torch.Tensor,
    bias: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    running_mean: torch.Tensor,
    running_var: torch.Tensor,
    eps: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The one 1×1 layer that a 1×1 layer followed by BatchNorm in inference mode is.

    BN(z) = γ·(z − μ)/σ + β with σ = √(running_var + eps) is the same affine map at every position,
    so with s = γ/σ: W' = s·W (row n scaled by s[n]) and b' = s·(b − μ) + β. W (Cout, Cin), the rest (Cout).
    """
    scale = gamma / torch.sqrt(running_var + eps)  # (Cout,)
    return scale[:, None] * weight, scale * (bias - running_mean) + beta
