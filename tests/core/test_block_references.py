"""Each block kind against an independent module written here from torch built-ins: the same state
dict loads into both, and both give the same parameter count and the same output."""

import pytest
import torch
from torch import nn

from app.core import stages
from tests.core.block_cases import SMALL, case, trained


class ReferenceBottleneck(nn.Module):
    """torchvision's resnet.Bottleneck written out from torch built-ins: convolutions without bias, a
    BatchNorm after each, the stride in the 3×3, and a 1×1 projection (with BatchNorm) as shortcut."""

    def __init__(self, in_channels, bottleneck_channels, out_channels, stride=1, project=False):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, bottleneck_channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(bottleneck_channels)
        self.conv2 = nn.Conv2d(bottleneck_channels, bottleneck_channels, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(bottleneck_channels)
        self.conv3 = nn.Conv2d(bottleneck_channels, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = (
            nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), nn.BatchNorm2d(out_channels)
            )
            if project
            else None
        )

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


class ReferenceInvertedResidual(nn.Module):
    """MobileNetV2's inverted residual from torch built-ins: 1×1 expand, 3×3 depthwise, linear 1×1."""

    def __init__(self, in_channels, out_channels, expansion, stride):
        super().__init__()
        hidden = in_channels * expansion
        self.conv1 = nn.Conv2d(in_channels, hidden, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(hidden)
        self.conv2 = nn.Conv2d(hidden, hidden, 3, stride=stride, padding=1, groups=hidden, bias=False)
        self.bn2 = nn.BatchNorm2d(hidden)
        self.conv3 = nn.Conv2d(hidden, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu6 = nn.ReLU6(inplace=True)
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x):
        out = self.relu6(self.bn1(self.conv1(x)))
        out = self.relu6(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return out + x if self.residual else out


class ReferenceInception(nn.Module):
    """GoogLeNet's Inception (v1) from torch built-ins: four branches, ReLU after every convolution."""

    def __init__(self, in_channels, c1x1, c3x3_reduce, c3x3, c5x5_reduce, c5x5, pool_proj):
        super().__init__()
        self.branch1 = nn.Conv2d(in_channels, c1x1, 1)
        self.branch2_reduce = nn.Conv2d(in_channels, c3x3_reduce, 1)
        self.branch2 = nn.Conv2d(c3x3_reduce, c3x3, 3, padding=1)
        self.branch3_reduce = nn.Conv2d(in_channels, c5x5_reduce, 1)
        self.branch3 = nn.Conv2d(c5x5_reduce, c5x5, 5, padding=2)
        self.branch4_pool = nn.MaxPool2d(3, stride=1, padding=1)
        self.branch4 = nn.Conv2d(in_channels, pool_proj, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        relu = self.relu
        return torch.cat(
            [
                relu(self.branch1(x)),
                relu(self.branch2(relu(self.branch2_reduce(x)))),
                relu(self.branch3(relu(self.branch3_reduce(x)))),
                relu(self.branch4(self.branch4_pool(x))),
            ],
            dim=1,
        )


REFERENCES = {
    "bottleneck_torchvision": lambda w: ReferenceBottleneck(**w),
    "bottleneck_down": lambda w: ReferenceBottleneck(**w, project=True),
    "inverted_residual": lambda w: ReferenceInvertedResidual(**w),
    "inverted_residual_stride2": lambda w: ReferenceInvertedResidual(**w),
    "inception": lambda w: ReferenceInception(**w),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_each_block_equals_its_reference_written_from_torch_built_ins(name):
    kind, widths = case(name)
    block = trained(kind, widths, 4)
    reference = REFERENCES[name](SMALL[name]).eval()
    reference.load_state_dict(block.state_dict())  # strict: the same names and shapes, nothing left over
    assert sum(p.numel() for p in block.parameters()) == sum(p.numel() for p in reference.parameters())
    # Large enough that ReLU6 clips: a ReLU in its place would differ.
    x = 4 * torch.randn(2, SMALL[name]["in_channels"], 9, 10, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = reference(x.clone())
        torch.testing.assert_close(block(x.clone()), expected)
        torch.testing.assert_close(stages.run(kind, widths, block, x[0]).stages[-1].output, expected[0])
