"""The Mixer's live stream (WebSocket /api/live) as a service: the mix settings, camera frames in,
the same answer as POST /api/mix out with its maps as raw bytes.

The settings are a MixRequest less its input (the frames are the input), checked by MixRequest's own
rules and by plan_mix's; each frame is mixed by mix_input and shaped by mixed_answer, the very code
POST /api/mix runs, so that a frame's maps are those of /api/mix on the same pixels.

Wire format (little-endian):
  frame in:   u16 width, u16 height, then height·width·3 bytes of RGB (row by row, pixel by pixel)
  answer out: u32 n, n bytes of JSON (the /api/mix answer, encoding u8, each map's "bdata" replaced
              by [offset, length] into what follows), then the maps' bytes
"""

import base64
from dataclasses import dataclass
import json
import struct
import time

import numpy as np
from pydantic import ValidationError, create_model
import torch

from app.config import Settings
from app.core import inputs
from app.core.errors import InputError
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import MixPlan, check_mix, mix_input, mixed_answer, out_channels, weight_kind
from app.lab.models import Strict

FRAME_HEADER = struct.Struct("<HH")  # width, height
ANSWER_HEADER = struct.Struct("<I")  # bytes of the answer's JSON
NOT_SETTINGS = ("input", "max_side", "encoding")  # the frame is the input; its maps go as raw u8

LiveSettings = create_model(
    "LiveSettings",
    __base__=Strict,
    __doc__="A POST /api/mix body less input, max_side and encoding: what the live stream mixes each frame with.",
    **{name: (field.annotation, field) for name, field in MixRequest.model_fields.items() if name not in NOT_SETTINGS},
)


class FrameError(Exception):
    """A frame the protocol does not allow: the stream is closed with this message."""


@dataclass(frozen=True)
class LiveMix:
    """Checked settings, and what they make of any frame: the request's Cout and channel names."""

    request: MixRequest
    kind: str
    names: list[str]
    c_out: int


def read_settings(text: str, settings: Settings) -> LiveMix:
    """A settings message → the mix every following frame gets. A ValidationError or an InputError
    names the field at fault, as POST /api/mix would."""
    live = LiveSettings.model_validate_json(text)
    request = MixRequest.model_construct(input=None, max_side=settings.max_side, encoding="u8", **dict(live))
    names = inputs.BANK_NAMES if request.features == "bank" else inputs.RGB_NAMES
    kind = weight_kind(request)
    c_out = out_channels(request, kind, names, settings)
    if request.explain_channel is not None and request.explain_channel >= c_out:
        raise InputError(("explain_channel",), f"channel {request.explain_channel} does not exist: Cout = {c_out}")
    return LiveMix(request, kind, list(names), c_out)


def refusal(error: ValidationError | InputError) -> dict:
    """A refused settings message as the text message that says so: the field and why."""
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        return {"type": "refused", "loc": list(first["loc"]), "detail": first["msg"]}
    return {"type": "refused", "loc": list(error.field), "detail": error.message}


def read_frame(data: bytes, settings: Settings) -> tuple[int, int]:
    """Check a frame's header and length: its (height, width), or a FrameError saying what is wrong."""
    if len(data) < FRAME_HEADER.size:
        raise FrameError(f"a frame starts with its width and height (two u16), not {len(data)} bytes")
    width, height = FRAME_HEADER.unpack_from(data)
    if not (1 <= width <= settings.live_max_side and 1 <= height <= settings.live_max_side):
        raise FrameError(f"a frame of {width}×{height} pixels: each side must be 1 … {settings.live_max_side}")
    expected = FRAME_HEADER.size + 3 * width * height
    if len(data) != expected:
        raise FrameError(f"a {width}×{height} frame is {expected} bytes (4 + 3·W·H), not {len(data)}")
    return height, width


def frame_rgb(data: bytes, height: int, width: int) -> torch.Tensor:
    """A checked frame's pixels as RGB (3, H, W) in [0, 1], exactly as an upload of them is decoded."""
    pixels = np.frombuffer(data, dtype=np.uint8, offset=FRAME_HEADER.size).reshape(height, width, 3)
    return torch.from_numpy(pixels.astype(np.float32) / 255.0).permute(2, 0, 1).contiguous()


def mix_frame(data: bytes, height: int, width: int, live: LiveMix, settings: Settings) -> bytes:
    """Mix one checked frame with the live settings: the binary answer (an InputError where the
    settings do not fit this frame, such as a probe outside it)."""
    started = time.perf_counter()
    request = live.request
    check_mix(request, len(live.names), live.c_out, height, width, settings)
    with torch.inference_mode():
        rgb = frame_rgb(data, height, width)
        x = inputs.feature_bank(rgb) if request.features == "bank" else rgb
    plan = MixPlan(live.kind, live.names, live.c_out, height, width)
    answer = mixed_answer(request, mix_input(request, plan, x, live.names, settings))
    answer["server_ms"] = (time.perf_counter() - started) * 1000
    return pack(answer)


def pack(answer: dict) -> bytes:
    """An answer with u8 maps → the binary message: its JSON with each map's bytes moved after it."""
    blobs: list[bytes] = []
    offset = 0

    def move(node: object) -> None:
        nonlocal offset
        if isinstance(node, dict):
            if isinstance(node.get("bdata"), bytes):
                raw = base64.b64decode(node["bdata"])
                node["bdata"] = [offset, len(raw)]
                blobs.append(raw)
                offset += len(raw)
            for value in node.values():
                move(value)

    move(answer)
    header = json.dumps(answer, separators=(",", ":")).encode()
    return b"".join([ANSWER_HEADER.pack(len(header)), header, *blobs])


def unpack(message: bytes) -> dict:
    """The inverse of `pack`, for tests and clients in Python: the answer with base64 `bdata` again,
    as POST /api/mix gives it."""
    (size,) = ANSWER_HEADER.unpack_from(message)
    answer = json.loads(message[ANSWER_HEADER.size : ANSWER_HEADER.size + size])
    blobs = message[ANSWER_HEADER.size + size :]

    def restore(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("bdata"), list):
                start, length = node["bdata"]
                node["bdata"] = base64.b64encode(blobs[start : start + length]).decode()
            for value in node.values():
                restore(value)

    restore(answer)
    return answer
