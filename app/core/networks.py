"""Whole networks built from the project's blocks on the meta device, and where their parameters and
multiply–adds go: into 1×1 convolutions, k×k ones, depthwise ones, the fully connected head or BatchNorm.

Counted as everywhere else (app.core.cost): parameters are `p.numel()`, multiply–adds FlopCounterMode's
FLOPs / 2, read per module from its per-module counts.
"""

from functools import lru_cache

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from app.core.blocks import (
    DownsamplingBottleneck,
    InvertedResidual,
    OriginalDownsamplingBottleneck,
    TorchvisionBottleneck,
    conv1x1,
    conv3x3,
)
from app.core.cost import META, Layer

RESNET50_STAGES = [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]  # (bottleneck width, blocks, stride)
# MobileNetV2 (Sandler et al. 2018, Table 2): expansion t, output channels c, repeats n, first stride s.
MOBILENETV2_STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2)]
MOBILENETV2_STAGES += [(6, 320, 1, 1)]
CLASSES = 1000
NETWORKS = ("resnet50", "resnet50_v1", "mobilenet_v2")


def conv_bn(
    c_in: int, c_out: int, kernel_size: int, stride: int, groups: int = 1, relu6: bool = True
) -> list[nn.Module]:
    """A bias-free k×k conv ("same" padding), BatchNorm, and ReLU6 where asked."""
    conv = nn.Conv2d(c_in, c_out, kernel_size, stride, kernel_size // 2, groups=groups, bias=False)
    return [conv, nn.BatchNorm2d(c_out), *([nn.ReLU6(inplace=True)] if relu6 else [])]


def resnet50(version: str = "v1.5") -> nn.Sequential:
    """ResNet-50 (He et al. 2015): a 7×7 stem, 3 + 4 + 6 + 3 bottlenecks, global pooling and a
    2048 → 1000 layer. v1.5 strides the 3×3 of a stage's first block (torchvision), v1 its first 1×1."""
    first = DownsamplingBottleneck if version == "v1.5" else OriginalDownsamplingBottleneck
    layers: list[nn.Module] = [
        nn.Conv2d(3, 64, 7, 2, 3, bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2, 1),
    ]
    c_in = 64
    for width, blocks, stride in RESNET50_STAGES:
        layers.append(first(c_in, width, 4 * width, stride))
        layers += [TorchvisionBottleneck(4 * width, width, 4 * width) for _ in range(blocks - 1)]
        c_in = 4 * width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, CLASSES))


class DepthwiseProjection(nn.Module):
    """MobileNetV2's first bottleneck (t = 1): no 1×1 expansion, a 3×3 depthwise and the linear 1×1."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv2 = conv3x3(in_channels, in_channels, groups=in_channels)
        self.bn2 = nn.BatchNorm2d(in_channels)
        self.relu6 = nn.ReLU6(inplace=True)
        self.conv3 = conv1x1(in_channels, out_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn3(self.conv3(self.relu6(self.bn2(self.conv2(x)))))


def mobilenet_v2() -> nn.Sequential:
    """MobileNetV2 at width 1.0: a 3×3 stem, 17 inverted residuals, a 1×1 to 1280, pooling, 1280 → 1000."""
    layers: list[nn.Module] = conv_bn(3, 32, 3, 2)
    c_in = 32
    for t, c, n, s in MOBILENETV2_STAGES:
        for i in range(n):
            stride = s if i == 0 else 1
            layers.append(DepthwiseProjection(c_in, c) if t == 1 else InvertedResidual(c_in, c, t, stride))
            c_in = c
    layers += conv_bn(c_in, 1280, 1, 1)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1280, CLASSES))


BUILDERS = {"resnet50": lambda: resnet50("v1.5"), "resnet50_v1": lambda: resnet50("v1"), "mobilenet_v2": mobilenet_v2}


def kind_of(module: nn.Module) -> str | None:
    """The kind a counted module is: "pointwise" (1×1, one group), "grouped" (1×1 in groups),
    "depthwise" (one group per input channel), "spatial" (k×k), "dense" (nn.Linear), "norm"."""
    if isinstance(module, nn.Conv2d):
        if module.groups > 1 and module.groups == module.in_channels:
            return "depthwise"
        if module.kernel_size == (1, 1):
            return "pointwise" if module.groups == 1 else "grouped"
        return "spatial"
    if isinstance(module, nn.Linear):
        return "dense"
    if isinstance(module, nn.BatchNorm2d):
        return "norm"
    return None


NAMES = {
    "pointwise": "1×1 conv",
    "grouped": "grouped 1×1 conv",
    "spatial": "k×k conv",
    "depthwise": "depthwise conv",
    "dense": "fully connected",
    "norm": "BN",
}


@lru_cache(maxsize=64)
def breakdown(network: str, side: int) -> tuple[Layer, ...]:
    """`network` on a (1, 3, side, side) input: one Layer per kind of module, its parameters and
    multiply–adds summed over the modules of that kind, in the order of NAMES."""
    with torch.device(META):
        model = BUILDERS[network]().eval()
    x = torch.empty(1, 3, side, side, device=META)
    with FlopCounterMode(display=False) as counter:
        model(x)
    flops = counter.get_flop_counts()
    root = type(model).__name__
    sums: dict[str, list[int]] = {}
    kernels: dict[str, set[int]] = {}
    for name, module in model.named_modules():
        kind = kind_of(module)
        if kind is None:
            continue
        parameters = sum(p.numel() for p in module.parameters(recurse=False))
        multiply_adds = sum(flops.get(f"{root}.{name}", {}).values()) // 2
        count = sums.setdefault(kind, [0, 0, 0])
        count[0], count[1], count[2] = count[0] + 1, count[1] + parameters, count[2] + multiply_adds
        if isinstance(module, nn.Conv2d):
            kernels.setdefault(kind, set()).add(module.kernel_size[0])
    layers = []
    for kind, name in NAMES.items():
        if kind not in sums:
            continue
        n, parameters, multiply_adds = sums[kind]
        sizes = ", ".join(f"{k}×{k}" for k in sorted(kernels.get(kind, ()), reverse=True))
        what = {"dense": "Linear", "norm": "BatchNorm"}.get(kind, sizes)
        shape = f"{what}, {n} layer{'s' if n > 1 else ''}"
        formula = {"parameters": f"Σ p.numel() = {parameters:,}", "multiply_adds": f"Σ FLOPs / 2 = {multiply_adds:,}"}
        layers.append(Layer(name, shape, parameters, multiply_adds, formula))
    return tuple(layers)
