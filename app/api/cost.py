"""GET /api/cost/...: parameters and multiply–adds of 1×1 convolutions and the blocks built on them."""

from enum import IntEnum
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.api.errors import responses
from app.core import cost
from app.core.errors import InputError

router = APIRouter(prefix="/api/cost", tags=["cost"], responses=responses(413))

MAX_SWEEP_POINTS = 1024

Channels = Annotated[int, Query(ge=1, le=8192, description="channels, 1…8192", examples=[256])]
Side = Annotated[int, Query(ge=1, le=4096, description="pixels, 1…4096", examples=[56])]


class KernelSize(IntEnum):
    """Odd kernel sizes: with "same" padding the output keeps H×W."""

    ONE = 1
    THREE = 3
    FIVE = 5
    SEVEN = 7
    NINE = 9
    ELEVEN = 11


Kernel = Annotated[KernelSize, Query(description="an odd kernel size: 'same' padding keeps H×W")]


class Count(BaseModel):
    parameters: int
    multiply_adds: int


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


class Layer(BaseModel):
    name: str
    shape: str
    parameters: int
    multiply_adds: int
    formula: dict[str, str]


class Block(BaseModel):
    parameters: int
    multiply_adds: int
    layers: list[Layer]


class Comparison(BaseModel):
    ratio: float  # multiply–adds of the cheaper design / those of the plain one


class InceptionCost(Comparison):
    direct: Block
    reduced: Block


class BottleneckCost(Comparison):
    bottleneck: Block
    plain: Block


class SeparableCost(Comparison):
    standard: Block
    separable: Block
    formula_ratio: float  # 1/Cout + 1/k², the closed form of `ratio` without biases


def _block(layers: list[cost.Layer]) -> Block:
    count = cost.total(layers)
    return Block(
        parameters=count.parameters,
        multiply_adds=count.multiply_adds,
        layers=[Layer(**vars(layer)) for layer in layers],
    )


@router.get("/conv")
def read_conv_cost(
    in_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    kernel_size: Kernel = KernelSize.ONE,
    bias: bool = True,
) -> ConvCost:
    """Parameters and multiply–adds of one k×k convolution (stride 1, "same" padding)."""
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


@router.get("/sweep")
def read_sweep(
    in_channels: Channels,
    height: Side,
    width: Side,
    kernel_size: Kernel = KernelSize.ONE,
    bias: bool = True,
    out_min: Channels = 1,
    out_max: Channels = 1024,
    out_step: Annotated[int, Query(ge=1, le=8192)] = 1,
) -> Sweep:
    """Parameters and multiply–adds as Cout runs from out_min to out_max (at most 1024 points)."""
    if out_max < out_min:
        raise InputError(("query", "out_max"), f"out_max ({out_max}) must be at least out_min ({out_min})")
    outs = list(range(out_min, out_max + 1, out_step))
    if len(outs) > MAX_SWEEP_POINTS:
        raise InputError(("query", "out_step"), f"{len(outs)} points is over the limit of {MAX_SWEEP_POINTS}")
    counts = [cost.count_conv(in_channels, c, height, width, kernel_size, bias) for c in outs]
    return Sweep(
        out_channels=outs,
        parameters=[c.parameters for c in counts],
        multiply_adds=[c.multiply_adds for c in counts],
    )


@router.get("/inception")
def read_inception_cost(
    height: Side,
    width: Side,
    in_channels: Channels,
    reduce_channels: Channels,
    out_channels: Channels,
    kernel_size: Kernel = KernelSize.FIVE,
    bias: bool = False,
) -> InceptionCost:
    """A k×k conv straight from Cin to Cout, against a 1×1 reduction to R channels then the same k×k conv."""
    direct, reduced = cost.inception(height, width, in_channels, reduce_channels, out_channels, kernel_size, bias)
    a, b = _block(direct), _block(reduced)
    return InceptionCost(direct=a, reduced=b, ratio=b.multiply_adds / a.multiply_adds)


@router.get("/bottleneck")
def read_bottleneck_cost(
    in_channels: Channels,
    bottleneck_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    bias: bool = True,
    batch_norm: bool = True,
) -> BottleneckCost:
    """ResNet's 1×1 → 3×3 → 1×1 bottleneck against two 3×3 convs at full width."""
    block, plain = cost.bottleneck(in_channels, bottleneck_channels, out_channels, height, width, bias, batch_norm)
    a, b = _block(block), _block(plain)
    return BottleneckCost(bottleneck=a, plain=b, ratio=a.multiply_adds / b.multiply_adds)


@router.get("/separable")
def read_separable_cost(
    in_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    kernel_size: Kernel = KernelSize.THREE,
    bias: bool = False,
) -> SeparableCost:
    """MobileNet's depthwise k×k + pointwise 1×1 against one standard k×k conv."""
    standard, separable = cost.separable(in_channels, out_channels, height, width, kernel_size, bias)
    a, b = _block(standard), _block(separable)
    return SeparableCost(
        standard=a,
        separable=b,
        ratio=b.multiply_adds / a.multiply_adds,
        formula_ratio=1 / out_channels + 1 / kernel_size**2,
    )
