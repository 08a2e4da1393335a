"""The blocks 1×1 convolutions live in: ResNet's bottlenecks, NiN's mlpconv, Inception, MobileNetV2,
and a transformer's position-wise feed-forward network on a ViT-style grid of patches.

Each is a small nn.Module written the way torchvision's resnet.py writes its own: a named helper
per convolution, a flat `forward` with a blank line between stages. Input and output (N, C, H, W).

stages.py lists the stages each `forward` goes through and runs them one by one.
"""

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
    stride_in_1x1 = False  # a strided block's stride sits in the 3×3 (torchvision's "v1.5")

    def __init__(self, in_channels: int, bottleneck_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        stride1, stride2 = (stride, 1) if self.stride_in_1x1 else (1, stride)
        self.conv1 = conv1x1(in_channels, bottleneck_channels, stride1, bias=self.bias)
        self.bn1 = nn.BatchNorm2d(bottleneck_channels)
        self.conv2 = conv3x3(bottleneck_channels, bottleneck_channels, stride2, bias=self.bias)
        self.bn2 = nn.BatchNorm2d(bottleneck_channels)
        self.conv3 = conv1x1(bottleneck_channels, out_channels, bias=self.bias)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample: nn.Module | None = None

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

        if self.downsample is not None:
            identity = self.downsample(x)

        out += identity
        out = self.relu(out)
        return out


class TorchvisionBottleneck(Bottleneck):
    """torchvision's bottleneck with an identity shortcut: the same stages, convolutions without bias
    (the BatchNorm after each has its own shift β, so a bias there would be redundant)."""

    bias = False
    expansion = 4  # torchvision widens by 4: out_channels = 4 · bottleneck_channels


class DownsamplingBottleneck(TorchvisionBottleneck):
    """ResNet-50's first block of a stage as torchvision builds it ("v1.5"): stride in the 3×3, and a
    1×1 projection shortcut (stride, BatchNorm) so that the identity has the branch's shape."""

    def __init__(self, in_channels: int, bottleneck_channels: int, out_channels: int, stride: int = 2) -> None:
        super().__init__(in_channels, bottleneck_channels, out_channels, stride)
        self.downsample = nn.Sequential(conv1x1(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels))


class OriginalDownsamplingBottleneck(DownsamplingBottleneck):
    """The same block as He et al.'s released ResNets build it ("v1"): the stride in the first 1×1,
    which reads every second position of every second row and so costs a quarter of v1.5's first 1×1;
    the branch never sees the other three quarters of the positions, which v1.5's strided 3×3 reads."""

    stride_in_1x1 = True


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


class PatchFFN(nn.Module):
    """A ViT-style patch grid, then a transformer's position-wise feed-forward network as 1×1 convolutions.

    A patch_size×patch_size convolution with stride patch_size embeds each patch as a d_model vector
    (ViT's patch embedding): the grid is a (d_model, H/p, W/p) map, one token per position. The FFN,
    FFN(x) = W2·GELU(W1·x + b1) + b2 on every token alone, is then a 1×1 convolution, GELU and a 1×1
    convolution (Vaswani et al. 2017, §3.3: "two convolutions with kernel size 1"). W1, b1, W2, b2
    are those PyTorch's own nn.TransformerEncoderLayer(d_model, 1, dim_feedforward, activation="gelu")
    draws for linear1 and linear2, reshaped from (out, in) to (out, in, 1, 1); its attention, norms
    and residual additions are not part of this block.
    """

    def __init__(self, in_channels: int = 3, d_model: int = 32, dim_feedforward: int = 128, patch_size: int = 8):
        super().__init__()
        self.patch = nn.Conv2d(in_channels, d_model, kernel_size=patch_size, stride=patch_size)
        layer = nn.TransformerEncoderLayer(d_model, 1, dim_feedforward, activation="gelu", batch_first=True)
        self.conv1 = conv1x1(d_model, dim_feedforward, bias=True)
        self.gelu = nn.GELU()
        self.conv2 = conv1x1(dim_feedforward, d_model, bias=True)
        with torch.no_grad():
            for conv, linear in ((self.conv1, layer.linear1), (self.conv2, layer.linear2)):
                conv.weight.copy_(linear.weight[:, :, None, None])
                conv.bias.copy_(linear.bias)

    def forward(self, x: Tensor) -> Tensor:
        out = self.patch(x)

        out = self.conv1(out)
        out = self.gelu(out)
        out = self.conv2(out)
        return out


def token_ffn_difference(block: PatchFFN, grid: Tensor, output: Tensor) -> float:
    """The largest |difference| between the 1×1 convolutions' output (d_model, h, w) and the same FFN
    run the transformer's way: nn.Linear, GELU, nn.Linear on the token sequence (h·w, d_model) that
    the grid (d_model, h, w) flattens to, holding the block's W1, b1, W2, b2."""
    d_model, height, width = grid.shape
    linears = []
    for conv in (block.conv1, block.conv2):
        linear = nn.Linear(conv.in_channels, conv.out_channels, device=grid.device)
        with torch.no_grad():
            linear.weight.copy_(conv.weight[:, :, 0, 0])
            linear.bias.copy_(conv.bias)
        linears.append(linear)
    tokens = grid.reshape(d_model, height * width).T  # (h·w, d_model), row i = position (i // w, i % w)
    with torch.no_grad():
        ffn = linears[1](nn.functional.gelu(linears[0](tokens)))  # (h·w, d_model)
    return (ffn.T.reshape(d_model, height, width) - output).abs().max().item()


BLOCKS: dict[str, type[nn.Module]] = {
    "bottleneck": Bottleneck,
    "bottleneck_torchvision": TorchvisionBottleneck,
    "bottleneck_down": DownsamplingBottleneck,
    "bottleneck_down_v1": OriginalDownsamplingBottleneck,
    "mlpconv": MlpConv,
    "inception": Inception,
    "inverted_residual": InvertedResidual,
    "vit_ffn": PatchFFN,
}
