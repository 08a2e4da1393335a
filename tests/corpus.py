"""Odd and broken uploads, made in memory, each with the answer Pointwise documents for it."""

import io
import struct
import zlib

import numpy as np
from PIL import Image


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_rgb(width: int = 8, height: int = 6, colour=(255, 0, 0)) -> bytes:
    return _save(Image.new("RGB", (width, height), colour), "PNG")


def png_16bit() -> bytes:
    """A 16-bit greyscale ramp: 0 … 65535 along x."""
    ramp = np.tile(np.linspace(0, 65535, 16).astype(np.uint16), (4, 1))
    return _save(Image.fromarray(ramp), "PNG")


def jpeg_cmyk() -> bytes:
    return _save(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG")  # pure red in CMYK


def jpeg_noise(side: int = 64) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
    return _save(Image.fromarray(pixels), "JPEG")


def jpeg_rotated() -> bytes:
    """A 4-wide, 2-tall JPEG whose EXIF says "rotate 90° clockwise" (orientation 6): shown 2 wide, 4 tall."""
    image = Image.new("RGB", (4, 2), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(image, "JPEG", exif=exif)


def gif_animated() -> bytes:
    frames = [Image.new("P", (6, 6), i) for i in range(3)]
    for frame, colour in zip(frames, [(0, 255, 0), (255, 0, 0), (0, 0, 255)], strict=True):
        frame.putpalette([*colour] * 256)
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def png_palette_transparent() -> bytes:
    """Palette image: index 0 transparent black, index 1 opaque blue; left half 0, right half 1."""
    image = Image.new("P", (4, 2), 0)
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    for x in (2, 3):
        for y in (0, 1):
            image.putpixel((x, y), 1)
    return _save(image, "PNG", transparency=0)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header (IHDR) that claims a huge image, followed by a few bytes of data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="10" height="10"/></svg>'
TEXT = b"this is not an image\n"
