"""Small widths of every block kind, shared by the block tests."""

import torch
from torch import nn

from app.core import stages

SMALL = {
    "bottleneck": {"in_channels": 8, "bottleneck_channels": 3, "out_channels": 8},
    "bottleneck_torchvision": {"in_channels": 8, "bottleneck_channels": 2, "out_channels": 8},
    "bottleneck_down": {"in_channels": 6, "bottleneck_channels": 3, "out_channels": 12, "stride": 2},
    "bottleneck_down_v1": {"in_channels": 6, "bottleneck_channels": 3, "out_channels": 12, "stride": 2},
    "mlpconv": {"in_channels": 3, "kernel_size": 5, "channels": (6, 5, 4)},
    "inception": {
        "in_channels": 6,
        "c1x1": 2,
        "c3x3_reduce": 3,
        "c3x3": 4,
        "c5x5_reduce": 2,
        "c5x5": 3,
        "pool_proj": 2,
    },
    "inverted_residual": {"in_channels": 4, "out_channels": 4, "expansion": 3, "stride": 1},
    "inverted_residual_stride2": {"in_channels": 4, "out_channels": 5, "expansion": 2, "stride": 2},
    "vit_ffn": {"in_channels": 3, "d_model": 6, "dim_feedforward": 10, "patch_size": 4},
}


def case(name: str) -> tuple[str, stages.Widths]:
    kind = name.removesuffix("_stride2")
    return kind, stages.widths_of(SMALL[name])


def randomise_batch_norms(block: nn.Module, seed: int) -> None:
    """Trained-looking BatchNorms (γ, β, running statistics), so that eval mode is not near the identity."""
    g = torch.Generator().manual_seed(seed)
    for module in block.modules():
        if isinstance(module, nn.BatchNorm2d):
            c = module.num_features
            module.weight.data = torch.rand(c, generator=g) + 0.5
            module.bias.data = torch.randn(c, generator=g)
            module.running_mean = torch.randn(c, generator=g)
            module.running_var = torch.rand(c, generator=g) + 0.5


def trained(kind: str, widths: stages.Widths, seed: int) -> nn.Module:
    block = stages.build(kind, widths, seed)
    randomise_batch_norms(block, seed)
    return block
