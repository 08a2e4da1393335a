"""The cost panels as a service: parameters and multiply–adds of 1×1 convolutions and the blocks
built on them, counted from real modules (app.core.cost), within the Settings' limits.

Every function names its arguments as the /api/cost query parameters do, and so do its refusals.
"""

from enum import IntEnum

from pydantic import BaseModel

from app.config import Settings
from app.core import cost, networks
from app.core.errors import InputError


class KernelSize(IntEnum):
    """Odd kernel sizes: with "same" padding the output keeps H×W."""

    ONE = 1
    THREE = 3
    FIVE = 5
    SEVEN = 7
    NINE = 9
    ELEVEN = 11


class ConvCost(BaseModel):
    parameters: int
    weights: int
    biases: int
    multiply_adds: int
    output_shape: list[int]
    formula: dict[str, str]


class Sweep(BaseModel):
    out_channels: list[int]
    parameters: list[int]
    multiply_adds: list[int]


class Block(BaseModel):
    parameters: int
    multiply_adds: int
    layers: list[cost.Layer]  # the core's own dataclass: name, shape, parameters, multiply_adds, formula


class Comparison(BaseModel):
    ratio: float  # multiply–adds of the cheaper design / those of the plain one


class InceptionCost(Comparison):
    direct: Block
    reduced: Block


class BottleneckCost(Comparison):
    bottleneck: Block
    plain: Block  # two 3×3 convs at full width: ratio = bottleneck / plain
    basic: Block  # He et al. 2015's comparison: two 3×3 convs at the bottleneck's width
    basic_ratio: float  # multiply–adds of the bottleneck / those of the basic block


class ProjectionCost(Comparison):
    projection: Block  # 1×1 conv with stride s (+ BN): ratio = projection / conv3x3
    conv3x3: Block
    output_shape: list[int]


class SeparableCost(Comparison):
    standard: Block
    separable: Block
    formula_ratio: float  # 1/Cout + 1/k², the closed form of `ratio` without biases


class NetworksCost(BaseModel):
    side: int
    networks: dict[str, Block]  # by name: resnet50 (v1.5), resnet50_v1, mobilenet_v2; one layer per kind
    pointwise: dict[str, dict[str, float]]  # by name: the 1×1 convs' share of parameters and of multiply–adds


class GroupedCost(Comparison):
    dense: Block
    grouped: Block  # ratio = grouped / dense = 1/g
    groups: int


def check(settings: Settings, **values: int) -> None:
    """Channels, sides and strides within the Settings' limits; the error names the query parameter."""
    for name, value in values.items():
        if name in ("height", "width"):
            limit, unit = settings.max_cost_side, "pixels"
        elif name == "stride":
            limit, unit = settings.max_cost_stride, "pixels"
        else:
            limit, unit = settings.max_cost_channels, "channels"
        if value > limit:
            raise InputError(("query", name), f"{value} is over the limit of {limit} {unit}")


def _block(layers: list[cost.Layer]) -> Block:
    count = cost.total(layers)
    return Block(
        parameters=count.parameters,
        multiply_adds=count.multiply_adds,
        layers=layers,
    )


def conv_cost(
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    kernel_size: KernelSize,
    bias: bool,
    settings: Settings,
) -> ConvCost:
    """One k×k convolution (stride 1, "same" padding)."""
    check(settings, in_channels=in_channels, out_channels=out_channels, height=height, width=width)
    count = cost.count_conv(in_channels, out_channels, height, width, kernel_size, bias)
    biases = out_channels if bias else 0
    return ConvCost(
        parameters=count.parameters,
        weights=count.parameters - biases,
        biases=biases,
        multiply_adds=count.multiply_adds,
        output_shape=[out_channels, height, width],
        formula=cost.conv_formula(in_channels, out_channels, height, width, kernel_size, bias, count),
    )


def sweep(
    in_channels: int,
    height: int,
    width: int,
    kernel_size: KernelSize,
    bias: bool,
    out_min: int,
    out_max: int,
    out_step: int,
    settings: Settings,
) -> Sweep:
    """Parameters and multiply–adds as Cout runs from out_min to out_max in steps of out_step."""
    check(settings, in_channels=in_channels, height=height, width=width, out_min=out_min, out_max=out_max)
    if out_max < out_min:
        raise InputError(("query", "out_max"), f"out_max ({out_max}) must be at least out_min ({out_min})")
    outs = range(out_min, out_max + 1, out_step)
    if len(outs) > settings.max_sweep_points:
        raise InputError(("query", "out_step"), f"{len(outs)} points is over the limit of {settings.max_sweep_points}")
    counts = [cost.count_conv(in_channels, c, height, width, kernel_size, bias) for c in outs]
    return Sweep(
        out_channels=list(outs),
        parameters=[c.parameters for c in counts],
        multiply_adds=[c.multiply_adds for c in counts],
    )


def inception_cost(
    height: int,
    width: int,
    in_channels: int,
    reduce_channels: int,
    out_channels: int,
    kernel_size: KernelSize,
    bias: bool,
    settings: Settings,
) -> InceptionCost:
    """A k×k conv straight from Cin to Cout, against a 1×1 reduction to R channels then the same k×k conv."""
    check(settings, height=height, width=width, in_channels=in_channels, reduce_channels=reduce_channels)
    check(settings, out_channels=out_channels)
    direct, reduced = cost.inception(height, width, in_channels, reduce_channels, out_channels, kernel_size, bias)
    a, b = _block(direct), _block(reduced)
    return InceptionCost(direct=a, reduced=b, ratio=b.multiply_adds / a.multiply_adds)


def bottleneck_cost(
    in_channels: int,
    bottleneck_channels: int,
    out_channels: int,
    height: int,
    width: int,
    bias: bool,
    batch_norm: bool,
    settings: Settings,
) -> BottleneckCost:
    """ResNet's 1×1 → 3×3 → 1×1 bottleneck against two 3×3 convs at full width."""
    check(settings, in_channels=in_channels, bottleneck_channels=bottleneck_channels, out_channels=out_channels)
    check(settings, height=height, width=width)
    layers = cost.bottleneck(in_channels, bottleneck_channels, out_channels, height, width, bias, batch_norm)
    a, b, c = (_block(part) for part in layers)
    return BottleneckCost(
        bottleneck=a,
        plain=b,
        basic=c,
        ratio=a.multiply_adds / b.multiply_adds,
        basic_ratio=a.multiply_adds / c.multiply_adds,
    )


def projection_cost(
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    stride: int,
    bias: bool,
    batch_norm: bool,
    settings: Settings,
) -> ProjectionCost:
    """ResNet's 1×1 projection shortcut (stride s, Cin→Cout) against a 3×3 conv shortcut doing the same."""
    check(settings, in_channels=in_channels, out_channels=out_channels, height=height, width=width, stride=stride)
    one, three = (
        _block(part) for part in cost.projection(in_channels, out_channels, height, width, stride, bias, batch_norm)
    )
    shape = [out_channels, cost.strided(height, stride), cost.strided(width, stride)]
    return ProjectionCost(
        projection=one, conv3x3=three, ratio=one.multiply_adds / three.multiply_adds, output_shape=shape
    )


def separable_cost(
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    kernel_size: KernelSize,
    bias: bool,
    settings: Settings,
) -> SeparableCost:
    """MobileNet's depthwise k×k + pointwise 1×1 against one standard k×k conv."""
    check(settings, in_channels=in_channels, out_channels=out_channels, height=height, width=width)
    standard, separable = cost.separable(in_channels, out_channels, height, width, kernel_size, bias)
    a, b = _block(standard), _block(separable)
    return SeparableCost(
        standard=a,
        separable=b,
        ratio=b.multiply_adds / a.multiply_adds,
        formula_ratio=1 / out_channels + 1 / kernel_size**2,
    )


def networks_cost(side: int, settings: Settings) -> NetworksCost:
    """ResNet-50 (v1.5 and v1) and MobileNetV2 whole, on a side×side image: where the counts go."""
    check(settings, height=side)
    blocks = {name: _block(list(networks.breakdown(name, side))) for name in networks.NETWORKS}

    def share(block: Block) -> dict[str, float]:
        ones = [layer for layer in block.layers if layer.name == networks.NAMES["pointwise"]]
        return {
            "parameters": sum(layer.parameters for layer in ones) / block.parameters,
            "multiply_adds": sum(layer.multiply_adds for layer in ones) / block.multiply_adds,
        }

    return NetworksCost(side=side, networks=blocks, pointwise={name: share(b) for name, b in blocks.items()})


def grouped_cost(
    in_channels: int, out_channels: int, height: int, width: int, groups: int, settings: Settings
) -> GroupedCost:
    """A 1×1 conv in `groups` groups (ShuffleNet) against the dense 1×1 conv; g divides Cin and Cout."""
    check(settings, in_channels=in_channels, out_channels=out_channels, height=height, width=width)
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            raise InputError(("query", name), f"{channels} channels do not split into {groups} groups")
    dense, split = (_block(part) for part in cost.grouped(in_channels, out_channels, height, width, groups))
    return GroupedCost(dense=dense, grouped=split, ratio=split.multiply_adds / dense.multiply_adds, groups=groups)
