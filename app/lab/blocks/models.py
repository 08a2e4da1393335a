"""POST /api/block's request: which block and its widths, its input, its weights, what to explain.

Types and signs only, as in models.py; the limits (widths, work, answer size) are the Settings'
and are checked in blocks.py, each naming its field.
"""

from typing import Annotated, Literal

from pydantic import Field

from app.lab.encoding import Encoding
from app.lab.models import Features, Input, Seed, Strict

Width = Annotated[int, Field(ge=1, description="channels")]


class BottleneckBlock(Strict):
    """The tutorial's bottleneck (convolutions with bias) or torchvision's (without): identity shortcut."""

    kind: Literal["bottleneck", "bottleneck_torchvision"]
    in_channels: Width = 256
    bottleneck_channels: Width = 64
    out_channels: Width = 256


class DownsamplingBlock(Strict):
    """ResNet's first bottleneck of a stage, a 1×1 projection shortcut: stride in the 3×3 (torchvision's
    v1.5, bottleneck_down) or in the first 1×1 (the original v1, bottleneck_down_v1)."""

    kind: Literal["bottleneck_down", "bottleneck_down_v1"]
    in_channels: Width = 256
    bottleneck_channels: Width = 128
    out_channels: Width = 512
    stride: Literal[1, 2] = 2


class MlpConvBlock(Strict):
    """Network in Network's mlpconv (defaults: its first block on CIFAR-10, 5×5 then 192-160-96)."""

    kind: Literal["mlpconv"]
    in_channels: Width = 3
    kernel_size: Literal[1, 3, 5, 7, 9, 11] = 5
    channels: list[Width] = Field([192, 160, 96], min_length=3, max_length=3, description="c1, c2, c3")


class InceptionBlock(Strict):
    """GoogLeNet's Inception module (defaults: inception (3a))."""

    kind: Literal["inception"]
    in_channels: Width = 192
    c1x1: Width = 64
    c3x3_reduce: Width = 96
    c3x3: Width = 128
    c5x5_reduce: Width = 16
    c5x5: Width = 32
    pool_proj: Width = 32


class InvertedResidualBlock(Strict):
    """MobileNetV2's inverted residual (defaults: a block of its 24-channel stage, t = 6)."""

    kind: Literal["inverted_residual"]
    in_channels: Width = 24
    out_channels: Width = 24
    expansion: Annotated[int, Field(ge=1, description="t: the hidden width is t·in_channels")] = 6
    stride: Literal[1, 2] = 1


class PatchFFNBlock(Strict):
    """A ViT-style patch grid, then a transformer's FFN as two 1×1 convs with GELU, its weights those
    of nn.TransformerEncoderLayer's linear1 and linear2."""

    kind: Literal["vit_ffn"]
    in_channels: Width = 3
    d_model: Width = 32
    dim_feedforward: Width = 128
    patch_size: Literal[2, 4, 8, 16] = 8


Block = Annotated[
    BottleneckBlock | DownsamplingBlock | MlpConvBlock | InceptionBlock | InvertedResidualBlock | PatchFFNBlock,
    Field(discriminator="kind"),
]
BLOCK_MODELS = (BottleneckBlock, DownsamplingBlock, MlpConvBlock, InceptionBlock, InvertedResidualBlock, PatchFFNBlock)


class Explain(Strict):
    """A 1×1 stage's output channel as a weighted sum of the channels it reads."""

    stage: str = Field(max_length=64, description="the name of a 1×1 convolution stage, e.g. conv1")
    channel: int = Field(0, ge=0)


class BlockRequest(Strict):
    block: Block
    input: Input
    features: Features = "rgb"
    max_side: int = Field(128, ge=1, description="images are shrunk so that the longer side ≤ max_side")
    seed: Seed = Field(0, description="the parameters of torch.manual_seed(seed); Block(...)")
    weights_id: str | None = Field(None, max_length=64, description="an uploaded state dict, instead of the seed")
    encoding: Encoding = "u8"
    map_channels: int = Field(16, ge=1, description="each stage's maps hold its first map_channels channels")
    explain: Explain | None = None
