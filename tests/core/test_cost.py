from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
import torch
from torch import nn

from app.core import cost

conv_shapes = st.tuples(
    st.integers(1, 512),
    st.integers(1, 512),
    st.integers(1, 128),
    st.integers(1, 128),
    st.sampled_from([1, 3, 5, 7]),
    st.booleans(),
)


@settings(max_examples=50, deadline=None)
@given(conv_shapes)
def test_module_count_equals_closed_form(case):
    assert cost.count_conv(*case) == cost.closed_form_conv(*case)


def test_classic_reduction_56x56x256_to_64():
    count = cost.count_conv(256, 64, 56, 56, 1, True)
    assert count.parameters == 256 * 64 + 64 == 16_448
    assert count.multiply_adds == 56 * 56 * 256 * 64 == 51_380_224


def test_parameters_match_a_cpu_module():
    module = nn.Conv2d(32, 8, 3, padding=1)
    assert cost.count_conv(32, 8, 5, 5, 3, True).parameters == sum(p.numel() for p in module.parameters())


def test_inception_5x5_with_and_without_reduction():
    direct, reduced = cost.inception(28, 28, 256, 32, 64, 5, False)
    assert cost.total(direct).multiply_adds == 28 * 28 * 25 * 256 * 64 == 321_126_400
    assert [layer.multiply_adds for layer in reduced] == [28 * 28 * 256 * 32, 28 * 28 * 25 * 32 * 64]
    assert cost.total(reduced).parameters == 256 * 32 + 25 * 32 * 64


@pytest.mark.parametrize(("bias", "batch_norm"), [(True, True), (False, True), (False, False)])
def test_bottleneck_256_64_256(bias, batch_norm):
    block, plain, basic = cost.bottleneck(256, 64, 256, 56, 56, bias, batch_norm)
    b = 1 if bias else 0
    bn = 2 if batch_norm else 0
    expected = (256 * 64 + b * 64) + (9 * 64 * 64 + b * 64) + (64 * 256 + b * 256) + bn * (64 + 64 + 256)
    assert cost.total(block).parameters == expected
    assert cost.total(block).multiply_adds == 56 * 56 * (256 * 64 + 9 * 64 * 64 + 64 * 256)
    assert cost.total(plain).multiply_adds == 2 * 56 * 56 * 9 * 256 * 256
    assert len(block) == (6 if batch_norm else 3)
    # He et al. 2015: the basic block of two 3×3 convs at 64 channels has 73,728 weights
    assert cost.total(basic).parameters == 2 * (9 * 64 * 64 + b * 64) + bn * 128
    assert cost.total(basic).multiply_adds == 56 * 56 * 73_728


@pytest.mark.parametrize(("height", "stride", "out"), [(56, 2, 28), (57, 2, 29), (56, 1, 56), (7, 4, 2)])
def test_projection_shortcut_256_to_512(height, stride, out):
    """ResNet's downsampling shortcut: a 1×1 conv, stride s, 256 → 512, then BatchNorm."""
    one, three = cost.projection(256, 512, height, height, stride, False, True)
    assert [layer.shape for layer in one] == [
        f"1×1, 256→512{f', stride {stride}' if stride > 1 else ''}",
        "BatchNorm, 512",
    ]
    assert cost.total(one).parameters == 256 * 512 + 2 * 512
    assert cost.total(one).multiply_adds == out * out * 256 * 512
    assert cost.total(three).multiply_adds == out * out * 9 * 256 * 512
    module = nn.Conv2d(256, 512, 1, stride=stride, bias=False)
    assert module(torch.zeros(1, 256, height, height)).shape[-1] == out == cost.strided(height, stride)
    assert "but the module counts" not in one[0].formula["multiply_adds"]


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 256), st.integers(1, 256), st.sampled_from([3, 5, 7]))
def test_separable_ratio_is_one_over_cout_plus_one_over_k_squared(c_in, c_out, k):
    standard, separable = cost.separable(c_in, c_out, 14, 14, k, False)
    ratio = cost.total(separable).multiply_adds / cost.total(standard).multiply_adds
    assert ratio == pytest.approx(1 / c_out + 1 / k**2)


def test_a_disagreement_is_shown_not_hidden():
    assert cost.written("2·3", 6, 6) == "2·3 = 6"
    assert cost.written("2·3", 6, 7) == "2·3 = 6, but the module counts 7"


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 300), st.integers(1, 64), st.integers(1, 64), st.sampled_from([3, 5]), st.booleans())
def test_every_layer_formula_agrees_with_its_module(channels, height, width, k, bias):
    layers = [
        cost.conv_layer("c", channels, 7, k, bias, height, width),
        cost.depthwise_layer("d", channels, k, bias, height, width),
        cost.batch_norm_layer("b", channels, height, width),
    ]
    for layer in layers:
        assert "but the module counts" not in layer.formula["parameters"] + layer.formula["multiply_adds"]
        assert layer.formula["parameters"].endswith(f"{layer.parameters:,}")


def test_formula_writes_the_numbers_out():
    count = cost.count_conv(256, 64, 56, 56, 1, True)
    formula = cost.conv_formula(256, 64, 56, 56, 1, True, count)
    assert formula == {
        "parameters": "k²·Cin·Cout + Cout = 1²·256·64 + 64 = 16,448",
        "multiply_adds": "H·W·k²·Cin·Cout = 56·56·1²·256·64 = 51,380,224",
    }
