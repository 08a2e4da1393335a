"""Parameters and multiply–adds, counted from real torch.nn modules and set beside their closed forms.

Modules are built on the "meta" device: shapes without storage, so large layers cost no memory.
Parameters are `sum(p.numel())`; multiply–adds are FlopCounterMode's FLOPs / 2 (it counts a
multiply–add as two FLOPs, and counts convolutions and matrix products, not BatchNorm or ReLU).
"""

from dataclasses import dataclass
from functools import lru_cache

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

META = torch.device("meta")


@dataclass(frozen=True)
class Count:
    parameters: int
    multiply_adds: int


@dataclass(frozen=True)
class Layer:
    name: str
    shape: str  # e.g. "1×1, 256→64"
    parameters: int
    multiply_adds: int
    formula: dict[str, str]  # each count written out as a product of its factors


def conv(c_in: int, c_out: int, kernel_size: int, bias: bool, groups: int = 1, stride: int = 1) -> nn.Conv2d:
    """A k×k convolution with padding k // 2 ("same" at stride 1), on the meta device."""
    padding = kernel_size // 2
    return nn.Conv2d(c_in, c_out, kernel_size, stride, padding, bias=bias, groups=groups, device=META)


def strided(side: int, stride: int) -> int:
    """An output side of a k×k conv with padding k // 2: ⌊(H + 2·⌊k/2⌋ − k) / s⌋ + 1 = ⌊(H − 1) / s⌋ + 1."""
    return (side - 1) // stride + 1


def count_module(module: nn.Module, c_in: int, height: int, width: int) -> Count:
    """Count one module applied to a (1, Cin, H, W) input."""
    x = torch.empty(1, c_in, height, width, device=META)
    with FlopCounterMode(display=False) as counter:
        module(x)
    parameters = sum(p.numel() for p in module.parameters())
    return Count(parameters, counter.get_total_flops() // 2)


@lru_cache(maxsize=4096)
def count_conv(
    c_in: int, c_out: int, height: int, width: int, kernel_size: int = 1, bias: bool = True, stride: int = 1
) -> Count:
    """A k×k conv: parameters = k²·Cin·Cout (+ Cout), multiply–adds = H'·W'·k²·Cin·Cout (H' = H at stride 1)."""
    return count_module(conv(c_in, c_out, kernel_size, bias, stride=stride), c_in, height, width)


def closed_form_conv(
    c_in: int, c_out: int, height: int, width: int, kernel_size: int, bias: bool, stride: int = 1
) -> Count:
    """The textbook formulas: parameters k²·Cin·Cout (+ Cout), multiply–adds H'·W'·k²·Cin·Cout."""
    k2 = kernel_size * kernel_size
    pixels = strided(height, stride) * strided(width, stride)
    return Count(k2 * c_in * c_out + (c_out if bias else 0), pixels * k2 * c_in * c_out)


def written(expression: str, closed_form: int, counted: int) -> str:
    """ "expression = number", the number being the module's count; a disagreement is shown, not hidden."""
    if closed_form == counted:
        return f"{expression} = {counted:,}"
    return f"{expression} = {closed_form:,}, but the module counts {counted:,}"


def conv_formula(
    c_in: int, c_out: int, height: int, width: int, kernel_size: int, bias: bool, count: Count, stride: int = 1
) -> dict[str, str]:
    """The closed forms of a k×k conv with the numbers substituted, ending in the module's own count."""
    k = kernel_size
    closed = closed_form_conv(c_in, c_out, height, width, k, bias, stride)
    plus = (" + Cout", f" + {c_out}") if bias else ("", "")
    parameters = f"k²·Cin·Cout{plus[0]} = {k}²·{c_in}·{c_out}{plus[1]}"
    if stride == 1:
        multiply_adds = f"H·W·k²·Cin·Cout = {height}·{width}·{k}²·{c_in}·{c_out}"
    else:
        out_h, out_w = strided(height, stride), strided(width, stride)
        multiply_adds = f"H'·W'·k²·Cin·Cout = {out_h}·{out_w}·{k}²·{c_in}·{c_out}"
    return {
        "parameters": written(parameters, closed.parameters, count.parameters),
        "multiply_adds": written(multiply_adds, closed.multiply_adds, count.multiply_adds),
    }


def conv_layer(
    name: str, c_in: int, c_out: int, kernel_size: int, bias: bool, height: int, width: int, stride: int = 1
) -> Layer:
    """One conv as a named layer: "k×k, Cin→Cout" (", stride s" past 1)."""
    count = count_conv(c_in, c_out, height, width, kernel_size, bias, stride)
    formula = conv_formula(c_in, c_out, height, width, kernel_size, bias, count, stride)
    shape = f"{kernel_size}×{kernel_size}, {c_in}→{c_out}" + (f", stride {stride}" if stride > 1 else "")
    return Layer(name, shape, count.parameters, count.multiply_adds, formula)


def batch_norm_layer(name: str, channels: int, height: int, width: int) -> Layer:
    """BatchNorm2d: 2·C learnable parameters (γ, β); its running statistics are buffers, not parameters."""
    count = count_module(nn.BatchNorm2d(channels, device=META).eval(), channels, height, width)
    formula = {
        "parameters": written(f"2·C = 2·{channels}", 2 * channels, count.parameters),
        "multiply_adds": "not a convolution or matrix product: FlopCounterMode counts 0",
    }
    return Layer(name, f"BatchNorm, {channels}", count.parameters, count.multiply_adds, formula)


def depthwise_layer(name: str, channels: int, kernel_size: int, bias: bool, height: int, width: int) -> Layer:
    """A depthwise k×k conv (groups = C): one k×k filter per channel, no mixing between channels."""
    k = kernel_size
    count = count_module(conv(channels, channels, k, bias, groups=channels), channels, height, width)
    plus = (" + C", f" + {channels}") if bias else ("", "")
    parameters = written(
        f"k²·C{plus[0]} = {k}²·{channels}{plus[1]}", k * k * channels + (channels if bias else 0), count.parameters
    )
    multiply_adds = written(
        f"H·W·k²·C = {height}·{width}·{k}²·{channels}", height * width * k * k * channels, count.multiply_adds
    )
    formula = {"parameters": parameters, "multiply_adds": multiply_adds}
    return Layer(name, f"{k}×{k}, {channels} groups", count.parameters, count.multiply_adds, formula)


def inception(
    height: int, width: int, c_in: int, reduce_channels: int, c_out: int, kernel_size: int, bias: bool
) -> tuple[list[Layer], list[Layer]]:
    """A k×k conv straight from Cin to Cout, against a 1×1 reduction to R channels and the same k×k conv."""
    k = kernel_size
    direct = [conv_layer(f"{k}×{k} conv", c_in, c_out, k, bias, height, width)]
    reduced = [
        conv_layer("1×1 reduce", c_in, reduce_channels, 1, bias, height, width),
        conv_layer(f"{k}×{k} conv", reduce_channels, c_out, k, bias, height, width),
    ]
    return direct, reduced


def bottleneck(
    c_in: int, c_mid: int, c_out: int, height: int, width: int, bias: bool, batch_norm: bool
) -> tuple[list[Layer], list[Layer], list[Layer]]:
    """ResNet's 1×1 reduce → 3×3 → 1×1 expand, against two 3×3 convs at full width (Cin→Cout→Cout),
    and against He et al.'s own comparison: the basic block of two 3×3 convs at the bottleneck's
    width (Cmid→Cmid→Cmid), which costs about as much while the bottleneck block is Cout/Cmid times wider."""

    def stage(name: str, a: int, b: int, k: int) -> list[Layer]:
        layers = [conv_layer(name, a, b, k, bias, height, width)]
        if batch_norm:
            layers.append(batch_norm_layer(f"BN after {name}", b, height, width))
        return layers

    block = (
        stage("1×1 reduce", c_in, c_mid, 1) + stage("3×3 conv", c_mid, c_mid, 3) + stage("1×1 expand", c_mid, c_out, 1)
    )
    plain = stage("3×3 conv 1", c_in, c_out, 3) + stage("3×3 conv 2", c_out, c_out, 3)
    basic = stage("3×3 conv 1", c_mid, c_mid, 3) + stage("3×3 conv 2", c_mid, c_mid, 3)
    return block, plain, basic


def projection(
    c_in: int, c_out: int, height: int, width: int, stride: int, bias: bool, batch_norm: bool
) -> tuple[list[Layer], list[Layer]]:
    """ResNet's shortcut where a stage changes shape: a 1×1 conv with stride s (Cin→Cout, then BN)
    so that x can be added to the block's (Cout, H/s, W/s) output — against a 3×3 conv doing the same."""

    def shortcut(name: str, k: int) -> list[Layer]:
        layers = [conv_layer(name, c_in, c_out, k, bias, height, width, stride)]
        if batch_norm:
            out_h, out_w = strided(height, stride), strided(width, stride)
            layers.append(batch_norm_layer(f"BN after {name}", c_out, out_h, out_w))
        return layers

    return shortcut("1×1 projection", 1), shortcut("3×3 projection", 3)


def separable(
    c_in: int, c_out: int, height: int, width: int, kernel_size: int, bias: bool
) -> tuple[list[Layer], list[Layer]]:
    """MobileNet: a depthwise k×k (groups = Cin) then a pointwise 1×1, against one standard k×k conv."""
    k = kernel_size
    standard = [conv_layer(f"{k}×{k} conv", c_in, c_out, k, bias, height, width)]
    separable_layers = [
        depthwise_layer(f"{k}×{k} depthwise", c_in, k, bias, height, width),
        conv_layer("1×1 pointwise", c_in, c_out, 1, bias, height, width),
    ]
    return standard, separable_layers


def total(layers: list[Layer]) -> Count:
    """The sum over a list of layers."""
    return Count(sum(layer.parameters for layer in layers), sum(layer.multiply_adds for layer in layers))


def grouped(c_in: int, c_out: int, height: int, width: int, groups: int) -> tuple[list[Layer], list[Layer]]:
    """ShuffleNet's grouped 1×1 (Zhang et al. 2017): g groups, each mixing its own Cin/g channels into
    Cout/g, so Cin·Cout/g weights and H·W·Cin·Cout/g multiply–adds — against the dense 1×1. No bias."""
    dense = [conv_layer("1×1 conv", c_in, c_out, 1, False, height, width)]
    count = count_module(conv(c_in, c_out, 1, False, groups=groups), c_in, height, width)
    g = groups
    parameters = written(f"Cin·Cout/g = {c_in}·{c_out}/{g}", c_in * c_out // g, count.parameters)
    multiply_adds = written(
        f"H·W·Cin·Cout/g = {height}·{width}·{c_in}·{c_out}/{g}", height * width * c_in * c_out // g, count.multiply_adds
    )
    formula = {"parameters": parameters, "multiply_adds": multiply_adds}
    shape = f"1×1, {c_in}→{c_out}, {g} groups"
    return dense, [Layer("grouped 1×1 conv", shape, count.parameters, count.multiply_adds, formula)]
