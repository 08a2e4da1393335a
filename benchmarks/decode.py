"""The worst case of each allowed upload format at the pixel limit: CPU time and peak memory of
`decode_image` for a 16-megapixel file (4000×4000, `max_upload_pixels`) of each kind, under the
10 MiB file limit, each decoded in a process of its own so that its peak is its own.

The content is a gradient with noise, as much as the file limit allows (noise is what makes a
decoder work: flat images decode faster). A progressive JPEG gets exactly `max_jpeg_scans` scans
(its last scan repeated), the most the upload route lets through.
Run: PYTHONPATH=. .venv/bin/python -m benchmarks.decode
"""

import io
import json
from pathlib import Path
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

from app.config import get_settings
from app.core.inputs import decode_image, jpeg_scans

SIDE = 4000  # 16 MP: the limit
CASES = (
    "png-rgb",
    "png-rgba",
    "png-16bit-grey",
    "png-palette",
    "gif",
    "webp-lossy",
    "webp-lossless",
    "jpeg-baseline-444",
    "jpeg-progressive",
    "jpeg-progressive-max-scans",
    "jpeg-cmyk",
)


def pixels(channels: int, noise: int, noisy: float = 1.0) -> np.ndarray:
    """A gradient with noise of up to `noise` levels in its first `noisy` part of rows (the file limit)."""
    rng = np.random.default_rng(0)
    ramp = np.add.outer(np.arange(SIDE), np.arange(SIDE)) * (255 / (2 * SIDE))
    base = np.repeat(ramp[:, :, None], channels, axis=2)
    rows = int(SIDE * noisy)
    base[:rows] += rng.integers(0, noise + 1, base[:rows].shape)
    return base.clip(0, 255).astype(np.uint8)


def encoded(image: Image.Image, format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def with_scans(data: bytes, scans: int) -> bytes:
    """A progressive JPEG with its smallest scan repeated before EOI until it has `scans` scans
    (each repeat is a full pass over the image's blocks, and costs few bytes)."""
    starts = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xDA]
    ends = [*starts[1:], data.rindex(b"\xff\xd9")]
    smallest = min((data[a:b] for a, b in zip(starts, ends, strict=True)), key=len)
    have = jpeg_scans(data, 10_000)
    end = data.rindex(b"\xff\xd9")
    return data[:end] + smallest * max(0, scans - have) + b"\xff\xd9"


def make(case: str) -> bytes:
    if case == "png-rgb":
        return encoded(Image.fromarray(pixels(3, 1, 0.9)), "PNG")
    if case == "png-rgba":
        return encoded(Image.fromarray(pixels(4, 1, 0.65)), "PNG")
    if case == "png-16bit-grey":
        grey = pixels(1, 3)[:, :, 0].astype(np.uint16) * 257
        return encoded(Image.fromarray(grey), "PNG")
    if case == "png-palette":
        return encoded(Image.fromarray(pixels(3, 4)).quantize(256), "PNG")
    if case == "gif":
        return encoded(Image.fromarray(pixels(3, 1)).quantize(256), "GIF")
    if case == "webp-lossy":
        return encoded(Image.fromarray(pixels(3, 40)), "WEBP", quality=95)
    if case == "webp-lossless":
        return encoded(Image.fromarray(pixels(3, 1)), "WEBP", lossless=True)
    if case == "jpeg-baseline-444":
        return encoded(Image.fromarray(pixels(3, 12)), "JPEG", quality=95, subsampling=0)
    if case == "jpeg-progressive":
        return encoded(Image.fromarray(pixels(3, 12)), "JPEG", quality=95, subsampling=0, progressive=True)
    if case == "jpeg-progressive-max-scans":
        data = encoded(Image.fromarray(pixels(3, 12, 0.8)), "JPEG", quality=95, subsampling=0, progressive=True)
        return with_scans(data, get_settings().max_jpeg_scans)
    if case == "jpeg-cmyk":
        return encoded(Image.fromarray(pixels(4, 4), "CMYK"), "JPEG", quality=90)
    raise ValueError(case)


def measure(path: str) -> dict:
    settings = get_settings()
    with open(path, "rb") as file:
        data = file.read()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = "decoded"
    try:
        decode_image(data, settings.max_upload_pixels, settings.max_side, settings.max_jpeg_scans)
    except Exception as error:  # a refusal is a result here
        outcome = f"{type(error).__name__}: {error}"
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "bytes": len(data),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "before_mb": round(rss_before / 1024),
        "peak_mb": round(peak / 1024),
        "outcome": outcome[:120],
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--make":
        Path(sys.argv[3]).write_bytes(make(sys.argv[2]))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--decode":
        print(json.dumps(measure(sys.argv[2])))
        return
    print(f"{'case':28} {'file MB':>8} {'CPU s':>6} {'wall s':>7} {'RSS before':>10} {'peak MB':>8}  outcome")
    me = [sys.executable, "-m", "benchmarks.decode"]
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = str(Path(folder) / case)
            subprocess.run([*me, "--make", case, path], check=True, timeout=300)  # its own peak, not the decode's
            out = subprocess.run([*me, "--decode", path], capture_output=True, text=True, timeout=300)
            Path(path).unlink()
            if out.returncode != 0:
                print(f"{case:28} failed: {out.stderr.strip()[-300:]}")
                continue
            row = json.loads(out.stdout)
            size = row["bytes"] / 2**20
            print(
                f"{case:28} {size:8.2f} {row['cpu_s']:6.2f} {row['wall_s']:7.2f} {row['before_mb']:10} "
                f"{row['peak_mb']:8}  {row['outcome']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
