import pytest
import torch
from torch import nn

from app.core.errors import InputError
from app.core.inputs import BANK_NAMES, RGB_NAMES
from app.core.mixing import mix
from app.core.weights import colour_preset, default_init, identity, pca


@pytest.mark.parametrize(("c_out", "c_in", "seed"), [(4, 3, 0), (16, 10, 7), (1, 64, 123)])
def test_default_init_is_pytorch_conv2d_init(c_out, c_in, seed):
    torch.manual_seed(seed)
    conv = nn.Conv2d(c_in, c_out, 1)
    weight, bias = default_init(c_out, c_in, seed)
    assert torch.equal(weight, conv.weight.detach()[:, :, 0, 0])
    assert torch.equal(bias, conv.bias.detach())


def test_identity_is_rectangular_eye():
    assert identity(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert identity(3, 2).tolist() == [[1, 0], [0, 1], [0, 0]]


def test_grayscale_is_bt601_luma():
    weight, bias = colour_preset("grayscale", RGB_NAMES)
    x = torch.tensor([1.0, 0.5, 0.25])[:, None, None]
    y, _ = mix(x, weight, bias)
    assert y.item() == pytest.approx(0.299 * 1 + 0.587 * 0.5 + 0.114 * 0.25)


def test_colour_presets_find_rgb_in_the_bank():
    weight, bias = colour_preset("swap_rb", BANK_NAMES)
    assert weight.shape == (3, len(BANK_NAMES))
    assert weight[0].tolist()[:3] == [0, 0, 1] and weight[2].tolist()[:3] == [1, 0, 0]
    assert weight[:, 3:].abs().sum() == 0
    assert bias.tolist() == [0, 0, 0]


def test_invert_maps_colour_to_its_complement():
    weight, bias = colour_preset("invert", RGB_NAMES)
    x = torch.tensor([0.2, 0.5, 1.0])[:, None, None]
    y, _ = mix(x, weight, bias)
    torch.testing.assert_close(y[:, 0, 0], torch.tensor([0.8, 0.5, 0.0]))


def test_colour_preset_needs_rgb_channels():
    with pytest.raises(InputError) as error:
        colour_preset("sepia", ["x0", "x1", "x2"])
    assert error.value.field == ("weight", "preset")
    assert "red, green and blue" in error.value.message


def test_pca_finds_the_principal_directions():
    g = torch.Generator().manual_seed(0)
    # Pixels spread mostly along (1, 1, 0)/√2, a little along (0, 0, 1).
    a = torch.randn(1, 40, 40, generator=g) * 3
    c = torch.randn(1, 40, 40, generator=g) * 0.5
    x = torch.cat([a, a, c]) + torch.tensor([1.0, 2.0, 3.0])[:, None, None]
    weight, bias = pca(x, 2)
    torch.testing.assert_close(weight[0], torch.tensor([1.0, 1.0, 0.0]) / 2**0.5, atol=2e-3, rtol=0)
    torch.testing.assert_close(weight[1], torch.tensor([0.0, 0.0, 1.0]), atol=2e-3, rtol=0)
    y, _ = mix(x, weight, bias)
    # Centred projections: zero mean, variance = the top eigenvalues, as torch's own SVD gives them.
    torch.testing.assert_close(y.mean(dim=(1, 2)), torch.zeros(2), atol=1e-4, rtol=0)
    flat = x.reshape(3, -1)
    singular = torch.linalg.svdvals(flat - flat.mean(dim=1, keepdim=True))
    torch.testing.assert_close(
        y.reshape(2, -1).var(dim=1, correction=0), singular[:2] ** 2 / flat.shape[1], rtol=1e-4, atol=0
    )


def test_standardised_pca_is_pca_of_the_z_scores_as_one_conv():
    """Edge-like channels with a small range get their say once the channels are standardised."""
    g = torch.Generator().manual_seed(1)
    x = torch.stack([torch.randn(30, 30, generator=g) * s + m for s, m in ((5.0, 1.0), (0.1, -2.0), (0.01, 0.5))])
    weight, bias = pca(x, 3, standardise=True)
    y, _ = mix(x, weight, bias)
    flat = x.reshape(3, -1)
    z = (flat - flat.mean(dim=1, keepdim=True)) / flat.std(dim=1, correction=0, keepdim=True)
    expected = torch.linalg.eigvalsh(z @ z.T / z.shape[1]).flip(0)  # ≈ 1, 1, 1: independent channels
    torch.testing.assert_close(y.reshape(3, -1).var(dim=1, correction=0), expected, rtol=1e-3, atol=1e-4)
    plain, _ = pca(x, 1)
    assert plain[0].abs().argmax() == 0  # unscaled, the widest channel takes the first component


def test_pca_cannot_keep_more_than_cin():
    with pytest.raises(InputError) as error:
        pca(torch.rand(3, 4, 4), 5)
    assert error.value.field == ("out_channels",)
