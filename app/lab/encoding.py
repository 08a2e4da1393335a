"""Tensors on the wire: Plotly.js typed-array specs (base64 float32 or uint8) or nested JSON lists."""

import base64
import json
import re
from typing import Any, Literal

import numpy as np
import torch

from app.core.errors import InputError

Encoding = Literal["base64", "u8", "json"]


class NotFinite(InputError):
    """An answer that would carry NaN or ±infinity, which JSON cannot write (HTTP 422): float32
    overflowed on the way. Nothing is sent but this sentence; `field` names what to make smaller."""


def check_finite(array: np.ndarray, what: str, field: tuple[str, ...] = ("input",)) -> None:
    if not np.isfinite(array).all():
        raise NotFinite(field, f"{what} overflowed float32: it holds values that are not finite (NaN or ±infinity)")


def _b64(array: np.ndarray) -> bytes:
    """Base64 as ASCII bytes: `dumps` splices them into the JSON without re-reading them."""
    return base64.b64encode(array.tobytes())


def _shape(array: np.ndarray) -> str:
    return ", ".join(str(n) for n in array.shape)


def encode(tensor: torch.Tensor, encoding: Encoding) -> Any:
    """Encode a (C, H, W) or (H, W) tensor.

    base64: {"dtype": "f4", "shape": "C, H, W", "bdata"} — little-endian C-order float32.
    u8: {"dtype": "u1", "shape", "bdata", "scale": [C], "offset": [C]}, value ≈ offset + scale·q,
        one (scale, offset) per channel (per map for an (H, W) tensor).
    json: nested lists.
    """
    array = tensor.detach().to("cpu", torch.float32).numpy()
    check_finite(array, "a map of the answer")
    if encoding == "json":
        return array.tolist()
    if encoding == "base64":
        return {"dtype": "f4", "shape": _shape(array), "bdata": _b64(array.astype("<f4", copy=False))}
    channels = array.reshape(-1, *array.shape[-2:])  # (C, H, W)
    low = channels.min(axis=(1, 2))
    high = channels.max(axis=(1, 2))
    scale = (high - low) / 255.0
    safe = np.where(scale > 0, scale, 1.0)
    quantised = np.rint((channels - low[:, None, None]) / safe[:, None, None]).astype(np.uint8)
    return {
        "dtype": "u1",
        "shape": _shape(array),
        "bdata": _b64(quantised),
        "scale": scale.astype(float).tolist(),
        "offset": low.astype(float).tolist(),
    }


RAW = re.compile(rb'"\\u0000(\d+)\\u0000"')  # how json.dumps writes a placeholder "\x00<i>\x00"


def dumps(answer: Any) -> bytes:
    """JSON bytes of `answer`, whose `bdata` values are base64 bytes from `encode`.

    json.dumps would scan megabytes of base64 for characters to escape (base64 has none) and
    copy them twice; instead each one becomes a short placeholder and is spliced in afterwards.
    """
    blobs: list[bytes] = []

    def placeholder(value: Any) -> str:
        if not isinstance(value, bytes):
            raise TypeError(f"{type(value).__name__} is not JSON serialisable")
        blobs.append(value)
        return f"\x00{len(blobs) - 1}\x00"

    try:
        text = json.dumps(answer, separators=(",", ":"), default=placeholder, allow_nan=False).encode()
    except ValueError as error:  # NaN or ±infinity: JSON has no literal for them
        raise NotFinite(("input",), "a number of the answer overflowed float32: it is not finite") from error
    pieces = RAW.split(text)
    # split alternates: text, index, text, index, …, text
    for i in range(1, len(pieces), 2):
        pieces[i] = b'"' + blobs[int(pieces[i])] + b'"'
    return b"".join(pieces)


def decode(encoded: Any) -> np.ndarray:
    """The inverse of `encode`, for tests and clients in Python."""
    if isinstance(encoded, list):
        return np.asarray(encoded, dtype=np.float32)
    shape = tuple(int(n) for n in encoded["shape"].split(","))
    raw = base64.b64decode(encoded["bdata"])
    if encoded["dtype"] == "f4":
        return np.frombuffer(raw, dtype="<f4").reshape(shape)
    q = np.frombuffer(raw, dtype=np.uint8).reshape(-1, *shape[-2:]).astype(np.float32)
    scale = np.asarray(encoded["scale"], dtype=np.float32)[:, None, None]
    offset = np.asarray(encoded["offset"], dtype=np.float32)[:, None, None]
    return (offset + scale * q).reshape(shape)
