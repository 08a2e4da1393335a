"""GET /api/cost/...: parameters and multiply–adds of 1×1 convolutions and the blocks built on them."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.errors import responses
from app.lab.cost import service as cost
from app.lab.cost.service import (
    BottleneckCost,
    ConvCost,
    InceptionCost,
    KernelSize,
    ProjectionCost,
    SeparableCost,
    Sweep,
)
from app.lab.runtime import in_thread
from app.web import SettingsDep

router = APIRouter(prefix="/api/cost", tags=["cost"], responses=responses(413, 503))

# Types and signs only: the limits are the Settings' (max_cost_channels, max_cost_side, max_sweep_points).
Channels = Annotated[int, Query(ge=1, description="channels (at most max_cost_channels, 8192)", examples=[256])]
Side = Annotated[int, Query(ge=1, description="pixels (at most max_cost_side, 4096)", examples=[56])]
Kernel = Annotated[KernelSize, Query(description="an odd kernel size: 'same' padding keeps H×W")]


@router.get("/conv", summary="Count one k×k convolution")
async def read_conv_cost(
    settings: SettingsDep,
    in_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    kernel_size: Kernel = KernelSize.ONE,
    bias: bool = True,
) -> ConvCost:
    """Parameters and multiply–adds of one k×k convolution (stride 1, "same" padding)."""
    return await in_thread(cost.conv_cost, in_channels, out_channels, height, width, kernel_size, bias, settings)


@router.get("/sweep", summary="Count convolutions as Cout runs")
async def read_sweep(
    settings: SettingsDep,
    in_channels: Channels,
    height: Side,
    width: Side,
    kernel_size: Kernel = KernelSize.ONE,
    bias: bool = True,
    out_min: Channels = 1,
    out_max: Channels = 1024,
    out_step: Annotated[int, Query(ge=1)] = 1,
) -> Sweep:
    """Parameters and multiply–adds as Cout runs from out_min to out_max (at most max_sweep_points, 1024)."""
    arguments = (in_channels, height, width, kernel_size, bias, out_min, out_max, out_step, settings)
    return await in_thread(cost.sweep, *arguments)


@router.get("/inception", summary="Count an Inception branch with and without a 1×1 reduction")
async def read_inception_cost(
    settings: SettingsDep,
    height: Side,
    width: Side,
    in_channels: Channels,
    reduce_channels: Channels,
    out_channels: Channels,
    kernel_size: Kernel = KernelSize.FIVE,
    bias: bool = False,
) -> InceptionCost:
    """A k×k conv straight from Cin to Cout, against a 1×1 reduction to R channels then the same k×k conv."""
    arguments = (height, width, in_channels, reduce_channels, out_channels, kernel_size, bias, settings)
    return await in_thread(cost.inception_cost, *arguments)


@router.get("/bottleneck", summary="Count ResNet's bottleneck against two 3×3 convs")
async def read_bottleneck_cost(
    settings: SettingsDep,
    in_channels: Channels,
    bottleneck_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    bias: bool = True,
    batch_norm: bool = True,
) -> BottleneckCost:
    """ResNet's 1×1 → 3×3 → 1×1 bottleneck against two 3×3 convs at full width (plain) and at the
    bottleneck's width (basic: the comparison of He et al. 2015)."""
    arguments = (in_channels, bottleneck_channels, out_channels, height, width, bias, batch_norm, settings)
    return await in_thread(cost.bottleneck_cost, *arguments)


@router.get("/projection", summary="Count a 1×1 projection shortcut against a 3×3 one")
async def read_projection_cost(
    settings: SettingsDep,
    in_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    stride: Annotated[int, Query(ge=1, description="the shortcut's stride (at most max_cost_stride, 8)")] = 2,
    bias: bool = False,
    batch_norm: bool = True,
) -> ProjectionCost:
    """ResNet's 1×1 projection shortcut (stride s, Cin→Cout, BN) against a 3×3 conv shortcut doing the same."""
    arguments = (in_channels, out_channels, height, width, stride, bias, batch_norm, settings)
    return await in_thread(cost.projection_cost, *arguments)


@router.get("/separable", summary="Count a depthwise separable conv against a standard one")
async def read_separable_cost(
    settings: SettingsDep,
    in_channels: Channels,
    out_channels: Channels,
    height: Side,
    width: Side,
    kernel_size: Kernel = KernelSize.THREE,
    bias: bool = False,
) -> SeparableCost:
    """MobileNet's depthwise k×k + pointwise 1×1 against one standard k×k conv."""
    arguments = (in_channels, out_channels, height, width, kernel_size, bias, settings)
    return await in_thread(cost.separable_cost, *arguments)
