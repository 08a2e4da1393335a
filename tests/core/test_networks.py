"""Whole networks: the project's ResNet-50 and MobileNetV2 against independent ones written here from
torch built-ins, counted another way (forward hooks: output size × Cin/groups × k² per conv), and
against torchvision's own where it is installed."""

import pytest
import torch
from torch import nn

from app.core import cost
from app.core.networks import NAMES, breakdown, kind_of


def bn_conv(c_in: int, c_out: int, k: int, stride: int = 1, groups: int = 1, act: type | None = nn.ReLU) -> list:
    layers = [nn.Conv2d(c_in, c_out, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(c_out)]
    return layers + ([act()] if act else [])


class Residual(nn.Module):
    def __init__(self, branch: nn.Module, shortcut: nn.Module | None, relu: bool) -> None:
        super().__init__()
        self.branch, self.shortcut, self.relu = branch, shortcut, relu

    def forward(self, x):
        out = self.branch(x) + (x if self.shortcut is None else self.shortcut(x))
        return torch.relu(out) if self.relu else out


def reference_resnet50(stride_in_1x1: bool) -> nn.Module:
    layers, c_in = [*bn_conv(3, 64, 7, 2), nn.MaxPool2d(3, 2, 1)], 64
    for width, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
        for i in range(blocks):
            s = stride if i == 0 else 1
            s1, s3 = (s, 1) if stride_in_1x1 else (1, s)
            branch = nn.Sequential(
                *bn_conv(c_in, width, 1, s1), *bn_conv(width, width, 3, s3), *bn_conv(width, 4 * width, 1, act=None)
            )
            shortcut = nn.Sequential(*bn_conv(c_in, 4 * width, 1, s, act=None)) if i == 0 else None
            layers.append(Residual(branch, shortcut, relu=True))
            c_in = 4 * width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000))


def reference_mobilenet_v2() -> nn.Module:
    layers, c_in = bn_conv(3, 32, 3, 2, act=nn.ReLU6), 32
    table = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    for t, c, n, s in table:
        for i in range(n):
            stride, hidden = (s if i == 0 else 1), c_in * t
            expand = bn_conv(c_in, hidden, 1, act=nn.ReLU6) if t != 1 else []
            branch = nn.Sequential(
                *expand,
                *bn_conv(hidden, hidden, 3, stride, groups=hidden, act=nn.ReLU6),
                *bn_conv(hidden, c, 1, act=None),
            )
            residual = stride == 1 and c_in == c
            layers.append(Residual(branch, None, relu=False) if residual else branch)
            c_in = c
    layers += bn_conv(c_in, 1280, 1, act=nn.ReLU6)
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, 1000))


def hooked_counts(model: nn.Module, side: int) -> dict[str, list[int]]:
    """{kind: [modules, parameters, multiply–adds]}, multiply–adds from each output's size."""
    counts: dict[str, list[int]] = {}

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0]
            macs = output.numel() * module.in_channels // module.groups * k * k
        else:
            macs = output.numel() * module.in_features if isinstance(module, nn.Linear) else 0
        entry = counts.setdefault(kind_of(module), [0, 0, 0])
        entry[0] += 1
        entry[1] += sum(p.numel() for p in module.parameters())
        entry[2] += macs

    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear, nn.BatchNorm2d)):
            module.register_forward_hook(hook)
    model(torch.empty(1, 3, side, side, device="meta"))
    return counts


def as_counts(network: str, side: int) -> dict[str, list[int]]:
    by_name = {name: kind for kind, name in NAMES.items()}
    return {
        by_name[layer.name]: [int(layer.shape.rsplit(", ", 1)[1].split()[0]), layer.parameters, layer.multiply_adds]
        for layer in breakdown(network, side)
    }


REFERENCES = {
    "resnet50": lambda: reference_resnet50(stride_in_1x1=False),
    "resnet50_v1": lambda: reference_resnet50(stride_in_1x1=True),
    "mobilenet_v2": reference_mobilenet_v2,
}


@pytest.mark.parametrize("side", [224, 160, 97])
@pytest.mark.parametrize("network", REFERENCES)
def test_every_kind_counts_as_an_independent_network(network, side):
    with torch.device("meta"):
        reference = REFERENCES[network]().eval()
    assert as_counts(network, side) == hooked_counts(reference, side)


def test_the_known_totals():
    totals = {name: cost.total(list(breakdown(name, 224))) for name in REFERENCES}
    assert totals["resnet50"] == cost.Count(25_557_032, 4_089_184_256)  # ≈ 4.1·10⁹ multiply–adds
    assert totals["resnet50_v1"] == cost.Count(25_557_032, 3_857_973_248)  # ≈ 3.86·10⁹
    assert totals["mobilenet_v2"] == cost.Count(3_504_872, 300_774_272)  # ≈ 300 M (Sandler et al.: 300 M)


@pytest.mark.parametrize(("c_in", "c_out", "groups"), [(240, 240, 3), (256, 512, 8), (12, 6, 2), (5, 7, 1)])
def test_a_grouped_1x1_costs_one_gth_of_the_dense_one(c_in, c_out, groups):
    dense, split = cost.grouped(c_in, c_out, 28, 28, groups)
    module = nn.Conv2d(c_in, c_out, 1, groups=groups, bias=False)
    assert split[0].parameters == module.weight.numel() == c_in * c_out // groups
    assert split[0].multiply_adds == 28 * 28 * c_in * c_out // groups
    assert dense[0].parameters == groups * split[0].parameters
    assert dense[0].multiply_adds == groups * split[0].multiply_adds
    assert "but the module counts" not in str(split[0].formula)
