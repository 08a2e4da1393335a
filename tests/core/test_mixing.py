from hypothesis import given, settings
from hypothesis import strategies as st
import pytest
import torch
from torch import nn
import torch.nn.functional as F

from app.core import mixing
from app.core.mixing import collapse, explain_channel, mix, probe_pixel

shapes = st.tuples(
    st.integers(1, 12),  # Cin
    st.integers(1, 12),  # Cout
    st.integers(1, 9),  # H
    st.integers(1, 9),  # W
    st.integers(0, 2**31 - 1),  # seed
    st.sampled_from(["none", "relu"]),
)


def make(c_in: int, c_out: int, height: int, width: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(c_in, height, width, generator=g),
        torch.randn(c_out, c_in, generator=g),
        torch.randn(c_out, generator=g),
    )


def test_mix_by_hand():
    x = torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]])  # (2, 1, 2)
    w = torch.tensor([[1.0, -1.0], [0.5, 0.5]])
    b = torch.tensor([0.0, 1.0])
    y, z = mix(x, w, b, "relu")
    assert z.tolist() == [[[-2.0, -2.0]], [[3.0, 4.0]]]
    assert y.tolist() == [[[0.0, 0.0]], [[3.0, 4.0]]]


@settings(max_examples=60, deadline=None)
@given(shapes)
def test_mix_equals_torch_builtins(case):
    c_in, c_out, height, width, seed, activation = case
    x, w, b = make(c_in, c_out, height, width, seed)
    y, z = mix(x, w, b, activation)
    f = torch.relu if activation == "relu" else (lambda t: t)

    conv = nn.Conv2d(c_in, c_out, 1)
    with torch.no_grad():
        conv.weight.copy_(w[:, :, None, None])
        conv.bias.copy_(b)
        by_module = f(conv(x[None]))[0]
    by_functional = f(F.conv2d(x[None], w[:, :, None, None], b))[0]
    linear = nn.Linear(c_in, c_out)
    with torch.no_grad():
        linear.weight.copy_(w)
        linear.bias.copy_(b)
        by_linear = f(linear(x.permute(1, 2, 0))).permute(2, 0, 1)  # nn.Linear on every pixel
    by_einsum = f(torch.einsum("nc,chw->nhw", w, x) + b[:, None, None])

    for expected in (by_module, by_functional, by_linear, by_einsum):
        torch.testing.assert_close(y, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(f(z), y)


@settings(max_examples=40, deadline=None)
@given(shapes, st.data())
def test_explanation_and_probe_reproduce_the_output(case, data):
    c_in, c_out, height, width, seed, activation = case
    x, w, b = make(c_in, c_out, height, width, seed)
    y, _ = mix(x, w, b, activation)
    n = data.draw(st.integers(0, c_out - 1))
    e = explain_channel(x, w, b, n, activation)
    assert e.contributions.shape == (c_in, height, width)
    torch.testing.assert_close(e.contributions[0], w[n, 0] * x[0])
    assert e.max_abs_error < 1e-5

    i, j = data.draw(st.integers(0, height - 1)), data.draw(st.integers(0, width - 1))
    p = probe_pixel(x, w, b, i, j, activation)
    torch.testing.assert_close(p.x, x[:, i, j])
    torch.testing.assert_close(p.y, y[:, i, j], rtol=1e-5, atol=1e-5)
    assert p.max_abs_error < 1e-5


def test_explanation_by_hand():
    x = torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]])
    w = torch.tensor([[2.0, -1.0]])
    b = torch.tensor([0.5])
    e = explain_channel(x, w, b, 0)
    assert e.contributions.tolist() == [[[2.0, 4.0]], [[-3.0, -4.0]]]
    assert e.total.tolist() == [[-0.5, 0.5]]
    assert e.bias == 0.5
    assert e.max_abs_error == 0.0


@pytest.mark.parametrize("activation", ["none", "relu"])
def test_probe_by_hand(activation):
    x = torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]])
    w = torch.tensor([[1.0, -1.0], [0.5, 0.5]])
    b = torch.tensor([0.0, 1.0])
    p = probe_pixel(x, w, b, 0, 1, activation)
    assert p.x.tolist() == [2.0, 4.0]
    assert p.z.tolist() == [-2.0, 4.0]
    assert p.y.tolist() == ([0.0, 4.0] if activation == "relu" else [-2.0, 4.0])


def test_the_checks_compare_with_a_real_convolution(monkeypatch):
    """max_abs_error is measured against F.conv2d run in the same call: a convolution that answered
    one more everywhere would show as an error of exactly 1."""
    x = torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]])
    w = torch.tensor([[2.0, -1.0], [0.5, 0.5]])
    b = torch.tensor([0.5, 0.0])
    calls = []
    real = mixing.F.conv2d

    def off_by_one(*args):
        calls.append(args[1].shape)
        return real(*args) + 1

    monkeypatch.setattr(mixing.F, "conv2d", off_by_one)
    assert explain_channel(x, w, b, 1).max_abs_error == 1.0
    assert probe_pixel(x, w, b, 0, 1).max_abs_error == 1.0
    assert calls == [(1, 2, 1, 1), (2, 2, 1, 1)]  # one output channel; every channel at one pixel


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_two_linear_layers_collapse_into_one(c_in, c_mid, c_out, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(c_in, 5, 6, generator=g)
    w1, b1 = torch.randn(c_mid, c_in, generator=g), torch.randn(c_mid, generator=g)
    w2, b2 = torch.randn(c_out, c_mid, generator=g), torch.randn(c_out, generator=g)
    two = nn.Sequential(nn.Conv2d(c_in, c_mid, 1), nn.Conv2d(c_mid, c_out, 1))
    with torch.no_grad():
        for conv, w, b in zip(two, (w1, w2), (b1, b2), strict=True):
            conv.weight.copy_(w[:, :, None, None])
            conv.bias.copy_(b)
        stacked = two(x[None])[0]
    w, b = collapse(w1, b1, w2, b2)
    one, _ = mix(x, w, b)
    torch.testing.assert_close(one, stacked, rtol=1e-4, atol=1e-4)


@given(shapes)
@settings(max_examples=25, deadline=None)
def test_fold_batch_norm_is_conv_then_batch_norm_in_eval_mode(shape):
    c_in, c_out, height, width, seed, _ = shape
    torch.manual_seed(seed)
    conv, norm = nn.Conv2d(c_in, c_out, 1), nn.BatchNorm2d(c_out, eps=1e-3)
    with torch.no_grad():
        norm.weight.uniform_(0.5, 2.0)
        norm.bias.normal_()
        norm.running_mean.normal_()
        norm.running_var.uniform_(0.1, 3.0)
    reference = nn.Sequential(conv, norm).eval()
    x = torch.randn(1, c_in, height, width)
    stats = [norm.weight, norm.bias, norm.running_mean, norm.running_var]
    with torch.no_grad():
        weight, bias = mixing.fold_batch_norm(conv.weight[:, :, 0, 0], conv.bias, *stats, norm.eps)
        torch.testing.assert_close(F.conv2d(x, weight[:, :, None, None], bias), reference(x), atol=1e-5, rtol=1e-5)
        fused = torch.nn.utils.fusion.fuse_conv_bn_eval(conv.eval(), norm)  # PyTorch's own folding
        torch.testing.assert_close(weight, fused.weight[:, :, 0, 0])
        torch.testing.assert_close(bias, fused.bias)
