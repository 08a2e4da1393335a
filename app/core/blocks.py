"""The blocks 1×1 convolutions live in: ResNet's bottleneck, NiN's mlpconv, Inception, MobileNetV2.

Each is a small nn.Module written the way torchvision's resnet.py writes its own: a named helper
per convolution, a flat `forward` with a blank line between stages. Input and output (N, C, H, W).

Below the modules, `steps_of(block)` lists the stages `forward` goes through, in order, each naming
the submodule it calls (or the add / concatenation it does) and the stages it reads. The staged run
in stages.py follows the steps; tests hold the steps to `forward` with forward hooks.
"""

from dataclasses import dataclass

import torch
from torch import Tensor, nn


def conv1x1(in_channels: int, out_channels: int, stride: int = 1, bias: bool = False) -> nn.Conv2d:
    """1×1 convolution: channel mixing, Y[:, i, j] = W·X[:, i, j] + b at every pixel."""
    return nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=bias)


def conv3x3(in_channels: int, out_channels: int, stride: int = 1, groups: int = 1, bias: bool = False) -> nn.Conv2d:
    """3×3 convolution with padding 1: the same H×W at stride 1."""
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, groups=groups, bias=bias)


class Bottleneck(nn.Module):
    """The tutorial's bottleneck: 1×1 reduce → 3×3 → 1×1 expand, BatchNorm after each, + identity.

    Its convolutions carry a bias, as the tutorial writes them; `in_channels == out_channels`.
    """

    bias = True

    def __init__(self, in_channels: int, bottleneck_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = conv1x1(in_channels, bottleneck_channels, bias=self.bias)
        self.bn1 = nn.BatchNorm2d(bottleneck_channels)
        self.conv2 = conv3x3(bottleneck_channels, bottleneck_channels, bias=self.bias)
        self.bn2 = nn.BatchNorm2d(bottleneck_channels)
        self.conv3 = conv1x1(bottleneck_channels, out_channels, bias=self.bias)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu(out)

        out = self.conv3(out)
        out = self.bn3(out)

        out += identity
        out = self.relu(out)
        return out


class TorchvisionBottleneck(Bottleneck):
    """torchvision's bottleneck with an identity shortcut: the same stages, convolutions without bias
    (the BatchNorm after each has its own shift β, so a bias there would be redundant)."""

    bias = False
    expansion = 4  # torchvision widens by 4: out_channels = 4 · bottleneck_channels


class DownsamplingBottleneck(nn.Module):
    """ResNet-50's first block of a stage (torchvision, "v1.5"): stride in the 3×3, and a 1×1
    projection shortcut (stride, BatchNorm) so that the identity has the branch's shape."""

    expansion = 4

    def __init__(self, in_channels: int, bottleneck_channels: int, out_channels: int, stride: int = 2) -> None:
        super().__init__()
        self.conv1 = conv1x1(in_channels, bottleneck_channels)
        self.bn1 = nn.BatchNorm2d(bottleneck_channels)
        self.conv2 = conv3x3(bottleneck_channels, bottleneck_channels, stride)
        self.bn2 = nn.BatchNorm2d(bottleneck_channels)
        self.conv3 = conv1x1(bottleneck_channels, out_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = nn.Sequential(conv1x1(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels))

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu(out)

        out = self.conv3(out)
        out = self.bn3(out)

        identity = self.downsample(x)

        out += identity
        out = self.relu(out)
        return out


class MlpConv(nn.Module):
    """Network in Network's mlpconv: a k×k convolution, then two 1×1 convolutions, ReLU after each —
    a small multilayer perceptron slid over every pixel."""

    def __init__(self, in_channels: int, kernel_size: int, channels: tuple[int, int, int]) -> None:
        super().__init__()
        c1, c2, c3 = channels
        self.conv1 = nn.Conv2d(in_channels, c1, kernel_size, padding=kernel_size // 2)
        self.conv2 = conv1x1(c1, c2, bias=True)
        self.conv3 = conv1x1(c2, c3, bias=True)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(x)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.relu(out)

        out = self.conv3(out)
        out = self.relu(out)
        return out


class Inception(nn.Module):
    """GoogLeNet's Inception module (v1): four branches side by side, concatenated along channels.

    The 1×1 convolutions before the 3×3 and the 5×5 reduce the channels those costly kernels see;
    the one after the max-pool projects the pooled channels down. ReLU after every convolution.
    The default widths are the paper's inception (3a): 192 → 64 + 128 + 32 + 32 = 256 channels.
    """

    def __init__(
        self,
        in_channels: int = 192,
        c1x1: int = 64,
        c3x3_reduce: int = 96,
        c3x3: int = 128,
        c5x5_reduce: int = 16,
        c5x5: int = 32,
        pool_proj: int = 32,
    ) -> None:
        super().__init__()
        self.branch1 = conv1x1(in_channels, c1x1, bias=True)
        self.branch2_reduce = conv1x1(in_channels, c3x3_reduce, bias=True)
        self.branch2 = conv3x3(c3x3_reduce, c3x3, bias=True)
        self.branch3_reduce = conv1x1(in_channels, c5x5_reduce, bias=True)
        self.branch3 = nn.Conv2d(c5x5_reduce, c5x5, kernel_size=5, padding=2)
        self.branch4_pool = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.branch4 = conv1x1(in_channels, pool_proj, bias=True)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        branch1 = self.relu(self.branch1(x))

        branch2 = self.relu(self.branch2_reduce(x))
        branch2 = self.relu(self.branch2(branch2))

        branch3 = self.relu(self.branch3_reduce(x))
        branch3 = self.relu(self.branch3(branch3))

        branch4 = self.branch4_pool(x)
        branch4 = self.relu(self.branch4(branch4))

        return torch.cat([branch1, branch2, branch3, branch4], dim=1)


class InvertedResidual(nn.Module):
    """MobileNetV2's inverted residual: 1×1 expand (×t) → 3×3 depthwise → 1×1 linear projection.

    Narrow → wide → narrow, the reverse of ResNet's bottleneck; the projection has no ReLU (a ReLU
    on few channels would destroy information), and the input is added back when the shapes match.
    The 1×1 expansion is kept at t = 1 too (torchvision drops it there), so every t has one graph.
    """

    def __init__(self, in_channels: int, out_channels: int, expansion: int = 6, stride: int = 1) -> None:
        super().__init__()
        hidden = in_channels * expansion
        self.use_residual = stride == 1 and in_channels == out_channels
        self.conv1 = conv1x1(in_channels, hidden)
        self.bn1 = nn.BatchNorm2d(hidden)
        self.conv2 = conv3x3(hidden, hidden, stride, groups=hidden)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.conv3 = conv1x1(hidden, out_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu6 = nn.ReLU6(inplace=True)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu6(out)

        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu6(out)

        out = self.conv3(out)
        out = self.bn3(out)

        if self.use_residual:
            out = out + x
        return out


BLOCKS: dict[str, type[nn.Module]] = {
    "bottleneck": Bottleneck,
    "bottleneck_torchvision": TorchvisionBottleneck,
    "bottleneck_down": DownsamplingBottleneck,
    "mlpconv": MlpConv,
    "inception": Inception,
    "inverted_residual": InvertedResidual,
}


# ---------------------------------------------------------------------------------------------
# The stages of each block's forward, in order.


@dataclass(frozen=True)
class Step:
    """One stage of a block: `module` (a submodule path) applied to one input, or an add / a concat."""

    name: str
    inputs: tuple[str, ...]
    module: str | None = None
    combine: str | None = None  # "add" or "concat" when module is None


def call(name: str, source: str, module: str | None = None) -> Step:
    return Step(name, (source,), module=module or name)


def add(name: str, *sources: str) -> Step:
    return Step(name, sources, combine="add")


def concat(name: str, *sources: str) -> Step:
    return Step(name, sources, combine="concat")


BOTTLENECK_STEPS = (
    call("conv1", "input"),
    call("bn1", "conv1"),
    call("relu1", "bn1", "relu"),
    call("conv2", "relu1"),
    call("bn2", "conv2"),
    call("relu2", "bn2", "relu"),
    call("conv3", "relu2"),
    call("bn3", "conv3"),
    add("add", "bn3", "input"),
    call("relu3", "add", "relu"),
)
STEPS: dict[type[nn.Module], tuple[Step, ...]] = {
    Bottleneck: BOTTLENECK_STEPS,
    TorchvisionBottleneck: BOTTLENECK_STEPS,
    DownsamplingBottleneck: (
        call("conv1", "input"),
        call("bn1", "conv1"),
        call("relu1", "bn1", "relu"),
        call("conv2", "relu1"),
        call("bn2", "conv2"),
        call("relu2", "bn2", "relu"),
        call("conv3", "relu2"),
        call("bn3", "conv3"),
        call("downsample.0", "input"),
        call("downsample.1", "downsample.0"),
        add("add", "bn3", "downsample.1"),
        call("relu3", "add", "relu"),
    ),
    MlpConv: (
        call("conv1", "input"),
        call("relu1", "conv1", "relu"),
        call("conv2", "relu1"),
        call("relu2", "conv2", "relu"),
        call("conv3", "relu2"),
        call("relu3", "conv3", "relu"),
    ),
    Inception: (
        call("branch1", "input"),
        call("branch1_relu", "branch1", "relu"),
        call("branch2_reduce", "input"),
        call("branch2_reduce_relu", "branch2_reduce", "relu"),
        call("branch2", "branch2_reduce_relu"),
        call("branch2_relu", "branch2", "relu"),
        call("branch3_reduce", "input"),
        call("branch3_reduce_relu", "branch3_reduce", "relu"),
        call("branch3", "branch3_reduce_relu"),
        call("branch3_relu", "branch3", "relu"),
        call("branch4_pool", "input"),
        call("branch4", "branch4_pool"),
        call("branch4_relu", "branch4", "relu"),
        concat("concat", "branch1_relu", "branch2_relu", "branch3_relu", "branch4_relu"),
    ),
    InvertedResidual: (
        call("conv1", "input"),
        call("bn1", "conv1"),
        call("relu1", "bn1", "relu6"),
        call("conv2", "relu1"),
        call("bn2", "conv2"),
        call("relu2", "bn2", "relu6"),
        call("conv3", "relu2"),
        call("bn3", "conv3"),
        add("add", "bn3", "input"),
    ),
}


def steps_of(block: nn.Module) -> tuple[Step, ...]:
    """The stages of `block.forward`; an inverted residual adds its input back only when shapes match."""
    steps = STEPS[type(block)]
    if isinstance(block, InvertedResidual) and not block.use_residual:
        return steps[:-1]
    return steps
