"""Weights W (Cout, Cin) and biases b (Cout): PyTorch's own initialisation, presets, explicit values."""

import math

import torch

from app.core.errors import InputError
from app.core.reduce import principal_components

RGB = ("red", "green", "blue")

# Colour presets act on the red, green and blue channels: (W over RGB (3 or 1, 3), b).
COLOUR_PRESETS: dict[str, tuple[list[list[float]], list[float]]] = {
    # ITU-R BT.601 luma
    "grayscale": ([[0.299, 0.587, 0.114]], [0.0]),
    "swap_rb": ([[0, 0, 1], [0, 1, 0], [1, 0, 0]], [0.0, 0.0, 0.0]),
    # the usual sepia tone matrix
    "sepia": (
        [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]],
        [0.0, 0.0, 0.0],
    ),
    "invert": ([[-1, 0, 0], [0, -1, 0], [0, 0, -1]], [1.0, 1.0, 1.0]),
}
PRESETS = ("identity", *COLOUR_PRESETS, "pca")


def default_init(c_out: int, c_in: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """W and b exactly as `torch.manual_seed(seed); nn.Conv2d(c_in, c_out, 1)` would draw them.

    nn.Conv2d uses kaiming_uniform_(a=√5) for W, i.e. U(−1/√Cin, 1/√Cin), then the same
    bound for b. A private generator keeps concurrent requests from sharing torch's global RNG.
    """
    generator = torch.Generator().manual_seed(seed)
    weight = torch.empty(c_out, c_in, 1, 1)
    torch.nn.init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    bound = 1 / math.sqrt(c_in)
    bias = torch.empty(c_out).uniform_(-bound, bound, generator=generator)
    return weight.reshape(c_out, c_in), bias


def identity(c_out: int, c_in: int) -> torch.Tensor:
    """W = I (Cout, Cin): output channel n copies input channel n (zeros past min(Cout, Cin))."""
    return torch.eye(c_out, c_in)


def rgb_indices(channel_names: list[str]) -> list[int] | None:
    """Where red, green and blue sit among the input channels, or None if they are not all there."""
    if all(name in channel_names for name in RGB):
        return [channel_names.index(name) for name in RGB]
    return None


def colour_preset(name: str, channel_names: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """A colour preset spread over the input's channels: zeros on every channel but R, G, B."""
    indices = rgb_indices(channel_names)
    if indices is None:
        raise InputError(
            ("weight", "preset"),
            f"preset '{name}' mixes red, green and blue; this input has channels {channel_names}",
        )
    rgb_weight, rgb_bias = COLOUR_PRESETS[name]
    weight = torch.zeros(len(rgb_weight), len(channel_names))
    weight[:, indices] = torch.tensor(rgb_weight, dtype=torch.float32)
    return weight, torch.tensor(rgb_bias, dtype=torch.float32)


def pca(x: torch.Tensor, c_out: int, standardise: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """The best linear channel reduction of X (Cin, H, W) to c_out channels, as a 1×1 convolution.

    Y = V·(X − mean) / scale, V the top-c_out principal directions of the pixels' channel vectors
    (of the standardised channels when asked: scale = each channel's std, else 1). So W = V / scale
    column by column and b = −W·mean: Y holds each pixel's coordinates along those directions.
    """
    c_in = x.shape[0]
    if c_out > c_in:
        raise InputError(("out_channels",), f"pca keeps at most Cin = {c_in} channels, not {c_out}")
    pcs = principal_components(x, standardise)
    weight = pcs.components[:c_out] / pcs.scale[None, :]  # (Cout, Cin), largest variance first
    return weight.float(), (-(weight @ pcs.mean)).float()
