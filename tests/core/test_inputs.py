import pytest
import torch

from app.core import inputs
from app.core.errors import TooLarge, UnsupportedImage
from tests import corpus

LIMIT = 40_000_000


@pytest.mark.parametrize("name", list(inputs.SAMPLES))
def test_samples_are_rgb_in_unit_range_and_colourful(name):
    image = inputs.SAMPLES[name][1](64)
    assert image.shape == (3, 64, 64)
    assert image.min() >= 0 and image.max() <= 1
    assert (image[0] - image[2]).abs().max() > 0.5  # the channels differ: mixing shows something


def test_samples_png_round_trip():
    image = inputs.shapes_sample(32)
    decoded = inputs.decode_image(inputs.to_png(image), LIMIT, 512)
    torch.testing.assert_close(decoded, image, atol=1 / 255, rtol=0)


def test_feature_bank_names_and_shape():
    bank = inputs.feature_bank(inputs.scene_sample(48))
    assert bank.shape == (len(inputs.BANK_NAMES), 48, 48) and len(inputs.BANK_NAMES) >= 8
    assert len(set(inputs.BANK_NAMES)) == len(inputs.BANK_NAMES)


def test_feature_bank_by_hand_on_a_vertical_step():
    rgb = torch.zeros(3, 5, 6)
    rgb[:, :, 3:] = 1.0  # white right half: one vertical edge between columns 2 and 3
    bank = dict(zip(inputs.BANK_NAMES, inputs.feature_bank(rgb), strict=True))
    torch.testing.assert_close(bank["luminance"], rgb[0])
    # Sobel x / 4 across a unit step: (1 + 2 + 1) / 4 on both columns beside the edge, 0 elsewhere.
    assert bank["vertical edges"][2].tolist() == [0, 0, 1, 1, 0, 0]
    assert bank["horizontal edges"].abs().max() == 0
    assert bank["laplacian"][2].tolist() == [0, 0, 1, -1, 0, 0]
    assert bank["saturation"].abs().max() == 0  # grey has no saturation
    torch.testing.assert_close(bank["edge strength"], bank["vertical edges"].abs())


def test_feature_bank_saturation_of_pure_colours():
    rgb = torch.tensor([[1.0, 0.5], [0.0, 0.5], [0.0, 0.5]])[:, None, :]  # red, grey
    saturation = inputs.feature_bank(rgb)[inputs.BANK_NAMES.index("saturation")]
    assert saturation.tolist() == [[1.0, 0.0]]


def test_resize_keeps_aspect_and_never_enlarges():
    image = torch.rand(3, 100, 40)
    assert inputs.resize(image, 50).shape == (3, 50, 20)
    assert inputs.resize(image, 500) is image


def test_random_tensor_is_seeded():
    a = inputs.random_tensor(2, 3, 4, 5, "normal")
    assert torch.equal(a, torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(5)))
    u = inputs.random_tensor(2, 3, 4, 5, "uniform")
    assert u.min() >= 0 and u.max() < 1


def test_decode_16bit_is_scaled_not_clipped():
    image = inputs.decode_image(corpus.png_16bit(), LIMIT, 512)
    assert image.shape == (3, 4, 16)
    assert image[0, 0, 0].item() == 0.0 and image[0, 0, -1].item() == 1.0
    assert 0.4 < image[0, 0, 7].item() < 0.5  # a mid grey, not saturated at 255/65535 → 1


def test_decode_cmyk_becomes_rgb():
    image = inputs.decode_image(corpus.jpeg_cmyk(), LIMIT, 512)
    red = image[:, 4, 4]
    assert red[0] > 0.9 and red[1] < 0.1 and red[2] < 0.1


def test_decode_applies_exif_orientation():
    assert inputs.decode_image(corpus.jpeg_rotated(), LIMIT, 512).shape == (3, 4, 2)


def test_decode_animated_gif_takes_first_frame():
    image = inputs.decode_image(corpus.gif_animated(), LIMIT, 512)
    torch.testing.assert_close(image[:, 0, 0], torch.tensor([0.0, 1.0, 0.0]))


def test_decode_palette_transparency_composites_on_white():
    image = inputs.decode_image(corpus.png_palette_transparent(), LIMIT, 512)
    assert image[:, 0, 0].tolist() == [1.0, 1.0, 1.0]  # transparent → white ground
    assert image[:, 0, 3].tolist() == [0.0, 0.0, 1.0]


def test_decode_shrinks_to_max_side():
    assert inputs.decode_image(corpus.png_rgb(300, 150), LIMIT, 100).shape == (3, 50, 100)


@pytest.mark.parametrize(("width", "height"), [(8000, 8000), (40000, 40000)])
def test_decode_refuses_huge_header_before_decoding(width, height):
    with pytest.raises(TooLarge) as error:
        inputs.decode_image(corpus.png_claiming(width, height), LIMIT, 512)
    assert str(width * height) in error.value.message
    assert error.value.message.endswith("the limit is 40000000")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (corpus.TEXT, "not a supported image"),
        (corpus.SVG, "not a supported image"),
        (corpus.truncated(corpus.png_rgb(64, 64)), "could not be decoded"),
        (corpus.truncated(corpus.jpeg_noise()), "could not be decoded"),
    ],
)
def test_decode_refuses_what_is_not_an_allowed_image(data, words):
    with pytest.raises(UnsupportedImage) as error:
        inputs.decode_image(data, LIMIT, 512)
    assert words in error.value.message
    assert error.value.field == ("file",)
