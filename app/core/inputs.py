"""Inputs X (Cin, H, W): bundled samples, uploaded images, seeded random tensors, the feature bank."""

from collections.abc import Callable
import io
import math
import re
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError
import torch
import torch.nn.functional as F

from app.core.errors import TooLarge, UnsupportedImage

ALLOWED_FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
SAMPLE_SIDE = 512
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I")

# ---------------------------------------------------------------------------------------------
# Samples: drawn here, from coordinates, so that channel mixing has something to show.


def _grid(side: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates (yy, xx) in [0, 1], each (side, side)."""
    t = (torch.arange(side, dtype=torch.float32) + 0.5) / side
    return torch.meshgrid(t, t, indexing="ij")


def _paint(image: torch.Tensor, mask: torch.Tensor, colour: tuple[float, float, float]) -> None:
    """Set the pixels under `mask` (H, W) of `image` (3, H, W) to `colour`."""
    for c, value in enumerate(colour):
        image[c][mask] = value


def shapes_sample(side: int = SAMPLE_SIDE) -> torch.Tensor:
    """Primary-colour shapes on a light ground, with yellow where red and green overlap. (3, H, W)"""
    yy, xx = _grid(side)
    image = torch.full((3, side, side), 0.92)
    disc = (xx - 0.32) ** 2 + (yy - 0.34) ** 2 < 0.2**2
    square = (xx - 0.45).abs().maximum((yy - 0.52).abs()) < 0.16
    triangle = (yy > 0.5) & (yy < 0.88) & ((xx - 0.74).abs() < (yy - 0.5) * 0.55)
    _paint(image, disc, (0.9, 0.1, 0.1))
    _paint(image, square, (0.1, 0.75, 0.2))
    _paint(image, disc & square, (0.95, 0.85, 0.1))
    _paint(image, triangle, (0.15, 0.25, 0.9))
    return image


def wheel_sample(side: int = SAMPLE_SIDE) -> torch.Tensor:
    """A hue wheel: hue by angle, saturation by radius, on a dark ground. (3, H, W)"""
    yy, xx = _grid(side)
    dx, dy = xx - 0.5, yy - 0.5
    radius = torch.sqrt(dx**2 + dy**2) / 0.45
    hue = (torch.atan2(dy, dx) / (2 * math.pi)) % 1.0
    saturation = radius.clamp(max=1.0)
    # HSV → RGB with value 1: each channel is a clamped triangle wave of the hue.
    offsets = torch.tensor([0.0, 2 / 3, 1 / 3])[:, None, None]
    wave = ((hue[None] + offsets) * 6 % 6 - 3).abs() - 1
    image = 1 - saturation[None] * (1 - wave.clamp(0, 1))
    return torch.where(radius[None] <= 1.0, image, torch.tensor(0.12))


def scene_sample(side: int = SAMPLE_SIDE) -> torch.Tensor:
    """A landscape with sky, sun, hills, a striped field and a barn: colour, texture and edges. (3, H, W)"""
    yy, xx = _grid(side)
    generator = torch.Generator().manual_seed(1)
    sky = torch.stack([0.35 + 0.5 * yy, 0.6 + 0.35 * yy, torch.full_like(yy, 0.95)])
    image = sky.clone()
    _paint(image, (xx - 0.78) ** 2 + (yy - 0.2) ** 2 < 0.08**2, (1.0, 0.85, 0.2))
    hills = yy > 0.45 + 0.08 * torch.sin(xx * 7.0) + 0.04 * torch.sin(xx * 17.0 + 1.0)
    image[:, hills] = torch.tensor([0.35, 0.45, 0.4])[:, None]
    field = yy > 0.62
    stripes = 0.5 + 0.5 * torch.sin((xx - 0.5) * 60.0 / (yy + 0.2))
    grain = torch.rand(side, side, generator=generator) * 0.15
    green = (0.35 + 0.35 * stripes + grain)[field]
    image[0][field] = 0.3 * green
    image[1][field] = green
    image[2][field] = 0.2 * green
    barn = (xx > 0.14) & (xx < 0.4) & (yy > 0.5) & (yy < 0.78)
    roof = (yy <= 0.5) & (yy > 0.38) & ((xx - 0.27).abs() < (yy - 0.38) * 1.1)
    planks = 0.75 + 0.25 * (torch.sin(yy * side * 0.35) > 0).float()
    image[0][barn] = 0.75 * planks[barn]
    image[1][barn] = 0.12 * planks[barn]
    image[2][barn] = 0.1 * planks[barn]
    _paint(image, roof, (0.3, 0.2, 0.18))
    _paint(image, (xx > 0.22) & (xx < 0.32) & (yy > 0.6) & (yy < 0.78), (0.95, 0.95, 0.85))
    return image.clamp(0, 1)


SAMPLES: dict[str, tuple[str, Callable[[int], torch.Tensor]]] = {
    "shapes": ("Primary-colour shapes", shapes_sample),
    "wheel": ("Colour wheel", wheel_sample),
    "scene": ("Landscape with texture", scene_sample),
}


def to_png(image: torch.Tensor) -> bytes:
    """Encode an image (3, H, W) in [0, 1] as PNG bytes."""
    array = (image.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()  # (H, W, 3)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Uploads: bytes → (3, H, W) float32 in [0, 1], never keeping the bytes themselves.


# EXIF orientation → the transpose that shows the image upright (as ImageOps.exif_transpose applies it).
EXIF_ORIENTATION = 0x0112
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
MAX_JPEG_SCANS = 64  # a progressive JPEG from an encoder has about 10; app.config's max_jpeg_scans
# A JPEG scan's entropy-coded data ends at the first marker: 0xFF not followed by a stuffed 0x00, a
# restart marker (0xD0–0xD7), or fill (another 0xFF).
SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
REDUCING_GAP = 2  # box-average down to at least twice max_side, then Lanczos: as Image.thumbnail does
Box = tuple[float, float, float, float]  # left, top, right, bottom


def jpeg_scans(data: bytes, limit: int) -> int:
    """The scans (SOS markers) of a JPEG, found by walking its segments, without decoding; the
    count stops once it is past `limit`. Each scan costs libjpeg a pass over every block of the
    image, and a scan that codes nothing but end-of-band runs takes a few bytes: thousands of
    them in 1 MB held a worker for a minute."""
    scans, i = 0, 2  # after SOI
    while scans <= limit and i + 4 <= len(data):
        if data[i] != 0xFF:
            return scans  # not at a marker: the decoder will say the file is broken
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker == 0xD9:  # EOI
            return scans
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
        if marker == 0xDA:
            scans += 1
            end = SCAN_END.search(data, i)
            if end is None:
                return scans
            i = end.start()
    return scans


def decode_image(data: bytes, max_pixels: int, max_side: int, max_scans: int = MAX_JPEG_SCANS) -> torch.Tensor:
    """Decode PNG, JPEG, GIF or WebP bytes into RGB (3, H, W) in [0, 1], longer side ≤ max_side.

    The pixel count, and a JPEG's number of scans, are read from the file and checked before
    anything is decoded. Memory stays
    near one copy of the decoded image: JPEG is decoded at a reduced scale (`draft`), every other
    format is box-reduced by an integer factor (`reduce`) before any conversion, rotation or
    resampling. EXIF orientation is applied; alpha is composited on white; 16-bit values are
    scaled, not clipped; palette, CMYK and greyscale images become RGB; an animation gives its
    first frame.
    """
    if not data:
        raise UnsupportedImage(("file",), "the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise TooLarge(("file",), f"the image has too many pixels ({error}); the limit is {max_pixels}") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        allowed = ", ".join(ALLOWED_FORMATS)
        raise UnsupportedImage(("file",), f"not a supported image; send one of {allowed}") from error
    width, height = image.size
    if width * height > max_pixels:
        raise TooLarge(("file",), f"the image is {width}×{height} = {width * height} pixels; the limit is {max_pixels}")
    if image.format == "JPEG" and jpeg_scans(data, max_scans) > max_scans:
        raise TooLarge(("file",), f"the JPEG has more scans than the limit of {max_scans}")
    try:
        upright = UPRIGHT.get(image.getexif().get(EXIF_ORIENTATION))
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))  # let libjpeg decode at a reduced scale
        return _to_rgb_tensor(*_reduce(image, max_side), max_side, upright)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise UnsupportedImage(("file",), f"the image could not be decoded: {error}") from error


def _reduce(image: Image.Image, max_side: int) -> tuple[Image.Image, Box]:
    """Box-average by the largest integer factor that keeps the longer side ≥ REDUCING_GAP · max_side,
    so that the full-size image is the only large copy ever made; also the box, in the reduced
    image's pixels, that the original covers (the last box of a row may be partial). Palette and
    1-bit images are expanded first (reduce cannot average indices); 16-bit ones become 32-bit."""
    width, height = image.size
    factor = max(width, height) // (REDUCING_GAP * max_side)
    if factor < 2:
        return image, (0, 0, width, height)
    if image.mode in ("P", "1"):
        has_alpha = image.mode == "P" and image.has_transparency_data
        image = image.convert("RGBA" if has_alpha else "RGB")
    elif image.mode in SIXTEEN_BIT_MODES:
        image = image.convert("I")
    return image.reduce(factor), (0, 0, width / factor, height / factor)


def _to_rgb_tensor(image: Image.Image, box: Box, max_side: int, upright: Image.Transpose | None) -> torch.Tensor:
    """A Pillow image of any mode → (3, H, W) float32 in [0, 1], the part in `box` resampled (Lanczos)
    so that its longer side is ≤ max_side, turned upright."""

    def shrink(small: Image.Image) -> Image.Image:
        scale = max_side / max(box[2], box[3])
        if scale < 1:
            size = (max(1, round(box[2] * scale)), max(1, round(box[3] * scale)))
            small = small.resize(size, Image.Resampling.LANCZOS, box=box)
        return small if upright is None else small.transpose(upright)

    if image.mode in SIXTEEN_BIT_MODES:
        grey = shrink(image.convert("I").convert("F"))
        values = np.asarray(grey, dtype=np.float32) / 65535.0  # (H, W)
        return torch.from_numpy(values.clip(0, 1)).expand(3, -1, -1).contiguous()
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode != ("RGBA" if has_alpha else "RGB"):
        image = image.convert("RGBA" if has_alpha else "RGB")
    image = shrink(image)
    if has_alpha:
        ground = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(ground, image).convert("RGB")
    values = np.asarray(image, dtype=np.float32) / 255.0  # (H, W, 3)
    return torch.from_numpy(values).permute(2, 0, 1).contiguous()


def resize(image: torch.Tensor, max_side: int) -> torch.Tensor:
    """Shrink (C, H, W) so that its longer side is at most max_side (antialiased); never enlarge."""
    _, height, width = image.shape
    scale = max_side / max(height, width)
    if scale >= 1:
        return image
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    return F.interpolate(image[None], size=size, mode="bilinear", antialias=True, align_corners=False)[0]


# ---------------------------------------------------------------------------------------------
# Channels: "rgb" keeps the three colours; "bank" computes named features with real convolutions.

RGB_NAMES = ["red", "green", "blue"]
BANK_NAMES = [
    "red",
    "green",
    "blue",
    "luminance",
    "saturation",
    "vertical edges",
    "horizontal edges",
    "edge strength",
    "laplacian",
    "blur",
]
LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601
SOBEL_X = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
LAPLACIAN = [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]


def _gaussian(size: int, sigma: float) -> torch.Tensor:
    """A normalised (size, size) Gaussian kernel."""
    t = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(t**2) / (2 * sigma**2))
    return torch.outer(g, g) / g.sum() ** 2


def _filter(grey: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Convolve one map (H, W) with K kernels (K, k, k) at "same" size (replicated border) → (K, H, W)."""
    pad = kernels.shape[-1] // 2
    padded = F.pad(grey[None, None], (pad, pad, pad, pad), mode="replicate")  # (1, 1, H+2p, W+2p)
    return F.conv2d(padded, kernels[:, None])[0]  # (K, H, W)


def feature_bank(rgb: torch.Tensor) -> torch.Tensor:
    """RGB (3, H, W) in [0, 1] → the ten channels of BANK_NAMES, (10, H, W)."""
    luminance = torch.einsum("c,chw->hw", torch.tensor(LUMA, device=rgb.device), rgb)  # (H, W)
    brightest = rgb.amax(dim=0)
    saturation = torch.where(brightest > 0, (brightest - rgb.amin(dim=0)) / brightest.clamp(min=1e-6), 0.0)
    sobel_x = torch.tensor(SOBEL_X, device=rgb.device) / 4
    edges = _filter(luminance, torch.stack([sobel_x, sobel_x.T]))  # (2, H, W): d/dx, d/dy
    strength = edges.pow(2).sum(dim=0).sqrt()
    laplacian = _filter(luminance, torch.tensor([LAPLACIAN], device=rgb.device))[0]
    blur = _filter(luminance, _gaussian(7, 2.0).to(rgb.device)[None])[0]
    return torch.stack([*rgb, luminance, saturation, edges[0], edges[1], strength, laplacian, blur])


def random_tensor(channels: int, height: int, width: int, seed: int, distribution: str) -> torch.Tensor:
    """A seeded random input (C, H, W): standard normal, or uniform on [0, 1)."""
    generator = torch.Generator().manual_seed(seed)
    if distribution == "uniform":
        return torch.rand(channels, height, width, generator=generator)
    return torch.randn(channels, height, width, generator=generator)


def numbered_names(channels: int) -> list[str]:
    """Names for channels that have no meaning of their own: x0, x1, …"""
    return [f"x{c}" for c in range(channels)]
