"""Decoding within a memory budget: a pixel limit that fits what is kept, and reduce-on-decode."""

import io
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from app.core import inputs
from app.core.errors import TooLarge
from benchmarks.hostile import jpeg_of_scans, webp

LIMIT = 16_000_000


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def halves(width: int, height: int, left, right, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, (width, height), left)
    image.paste(right, (width // 2, 0, width, height))
    return image


def test_a_wide_webp_over_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(TooLarge) as refused:
        inputs.decode_image(webp(16383, 2440), LIMIT, 512)
    assert refused.value.message == "the image is 16383×2440 = 39974520 pixels; the limit is 16000000"


def test_a_reduced_decode_matches_pillows_own_thumbnail():
    pixels = np.random.default_rng(0).integers(0, 256, (40, 80, 3), dtype=np.uint8)
    image = Image.fromarray(pixels).resize((4000, 2000), Image.Resampling.BILINEAR)  # smooth, large
    data = encode(image, "PNG")
    decoded = inputs.decode_image(data, LIMIT, 512).numpy()
    image.thumbnail((512, 512), Image.Resampling.LANCZOS)
    expected = np.asarray(image, dtype=np.float32).transpose(2, 0, 1) / 255
    assert decoded.shape == (3, 256, 512)
    assert np.abs(decoded - expected).max() <= 1 / 255 + 1e-6


def test_a_large_exif_rotated_jpeg_is_turned_upright_after_reducing():
    image = halves(3000, 1000, (255, 0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show: the left half goes on top
    decoded = inputs.decode_image(encode(image, "JPEG", exif=exif), LIMIT, 512)
    assert decoded.shape == (3, 512, 171)
    assert decoded[:, 10, 85].tolist() == pytest.approx([1, 0, 0], abs=0.05)
    assert decoded[:, 500, 85].tolist() == pytest.approx([0, 0, 1], abs=0.05)


def test_a_large_transparent_palette_png_is_reduced_and_composited_on_white():
    image = halves(3000, 1000, 0, 1, mode="P")
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    decoded = inputs.decode_image(encode(image, "PNG", transparency=0), LIMIT, 512)
    assert decoded.shape == (3, 171, 512)
    assert decoded[:, 80, 10].tolist() == [1.0, 1.0, 1.0]
    assert decoded[:, 80, 500].tolist() == [0.0, 0.0, 1.0]


def test_a_large_16_bit_png_keeps_its_range_after_reducing():
    ramp = np.tile(np.linspace(0, 65535, 3000).astype(np.uint16), (20, 1))
    decoded = inputs.decode_image(encode(Image.fromarray(ramp), "PNG"), LIMIT, 512)
    assert decoded.shape == (3, 3, 512)
    row = decoded[0, 1]
    assert row[0] < 0.01 and row[-1] > 0.99
    assert bool((row[1:] >= row[:-1] - 1e-6).all())


def test_a_16_megapixel_png_decodes_in_one_copy_of_its_pixels(tmp_path):
    """Pillow holds RGB as 4 bytes a pixel: 64 MB for 16 MP. Before reduce-on-decode it took 133 MB."""
    x = np.linspace(0, 255, 4000, dtype=np.float32)
    pixels = np.stack([x[None, :] + 0 * x[:, None], x[:, None] + 0 * x[None, :], x[None, :] / 2 + 0 * x[:, None]], -1)
    (tmp_path / "big.png").write_bytes(encode(Image.fromarray(pixels.astype(np.uint8)), "PNG"))
    probe = (
        "import resource, sys\n"
        "from app.core.inputs import decode_image\n"
        "data = open(sys.argv[1], 'rb').read()\n"
        "decode_image(open(sys.argv[2], 'rb').read(), 16_000_000, 512)\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "decode_image(data, 16_000_000, 512)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    (tmp_path / "small.png").write_bytes(encode(Image.new("RGB", (64, 64)), "PNG"))
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "big.png"), str(tmp_path / "small.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    grown_mb = int(out.stdout) / 1024
    assert grown_mb < 100


def test_a_jpeg_of_thousands_of_scans_is_refused_before_decoding():
    data = jpeg_of_scans(5000)
    assert inputs.jpeg_scans(data, 64) == 65  # counting stops past the limit
    with pytest.raises(TooLarge) as refused:
        inputs.decode_image(data, LIMIT, 512, max_scans=64)
    assert refused.value.field == ("file",)
    assert refused.value.message == "the JPEG has more scans than the limit of 64"


def test_an_ordinary_progressive_jpeg_counts_its_own_scans_and_decodes():
    data = jpeg_of_scans(0)
    assert 2 <= inputs.jpeg_scans(data, 64) <= 16
    assert inputs.decode_image(data, LIMIT, 512, max_scans=64).shape == (3, 64, 64)
