"""POST /api/mix: run one 1×1 convolution and return everything the pages draw."""

from dataclasses import dataclass
from functools import lru_cache
import gzip
import io
from typing import Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
import numpy as np
import torch

from app.api.deps import SettingsDep, get_device, get_store, run_blocking, sample_image
from app.api.encoding import dumps, encode
from app.api.errors import responses
from app.api.schemas import (
    BiasValues,
    MixRequest,
    MixResponse,
    RandomInput,
    SampleInput,
    UploadInput,
    ValuesInput,
    WeightInit,
    WeightPreset,
)
from app.config import Settings
from app.core import inputs, weights
from app.core.cost import count_conv
from app.core.device import device_name
from app.core.errors import InputError, NotFound
from app.core.mixing import ChannelExplanation, PixelProbe, explain_channel, mix, probe_pixel

router = APIRouter(prefix="/api", tags=["mix"], responses=responses(400, 404, 413))

DEFAULT_OUT_CHANNELS = 4

EXAMPLES = {
    "sample": {
        "summary": "Bundled sample, feature bank → 16 channels",
        "value": {
            "input": {"source": "sample", "name": "scene"},
            "features": "bank",
            "out_channels": 16,
            "weight": {"init": "random", "seed": 0},
            "explain_channel": 0,
            "probe": {"row": 10, "col": 12},
            "encoding": "u8",
        },
    },
    "grayscale": {
        "summary": "The grayscale preset on RGB",
        "value": {"input": {"source": "sample", "name": "shapes"}, "weight": {"preset": "grayscale"}},
    },
    "values": {
        "summary": "A hand-written 2×1×2 input and weights, as JSON",
        "value": {
            "input": {"source": "values", "values": [[[1, 2]], [[3, 4]]]},
            "weight": {"values": [[1, -1], [0.5, 0.5]]},
            "bias": {"values": [0, 1]},
            "activation": "relu",
            "encoding": "json",
        },
    },
}


@lru_cache(maxsize=64)
def image_channels(kind: str, ref: str, features: str, max_side: int, settings: Settings) -> torch.Tensor:
    """Channels of a sample or upload at `max_side`, cached so that a weight edit recomputes nothing."""
    image = sample_image(ref) if kind == "sample" else get_store(settings).get(ref)
    image = inputs.resize(image, max_side)  # (3, H, W)
    return inputs.feature_bank(image) if features == "bank" else image


def load_input(request: MixRequest, settings: Settings) -> tuple[torch.Tensor, list[str]]:
    """The input X (Cin, H, W) and its channel names."""
    spec = request.input
    if isinstance(spec, RandomInput):
        _check_side(("input", "height"), spec.height, settings)
        _check_side(("input", "width"), spec.width, settings)
        _check_channels(("input", "channels"), spec.channels, settings)
        x = inputs.random_tensor(spec.channels, spec.height, spec.width, spec.seed, spec.distribution)
        return x, inputs.numbered_names(spec.channels)
    if isinstance(spec, ValuesInput):
        x = torch.tensor(spec.values, dtype=torch.float32)  # (C, H, W)
        _check_channels(("input", "values"), x.shape[0], settings)
        _check_side(("input", "values"), max(x.shape[1:]), settings)
        return x, inputs.numbered_names(x.shape[0])
    _check_side(("max_side",), request.max_side, settings)
    names = inputs.BANK_NAMES if request.features == "bank" else inputs.RGB_NAMES
    if isinstance(spec, SampleInput):
        if spec.name not in inputs.SAMPLES:
            known = ", ".join(inputs.SAMPLES)
            raise NotFound(("input", "name"), f"no sample named '{spec.name}'; the samples are {known}")
        return image_channels("sample", spec.name, request.features, request.max_side, settings), names
    assert isinstance(spec, UploadInput)
    return image_channels("upload", spec.image_id, request.features, request.max_side, settings), names


def _check_side(field: tuple, value: int, settings: Settings) -> None:
    if value > settings.max_side:
        raise InputError(field, f"{value} pixels is over the limit of {settings.max_side}")


def _check_channels(field: tuple, value: int, settings: Settings) -> None:
    if value > settings.max_in_channels:
        raise InputError(field, f"{value} input channels is over the limit of {settings.max_in_channels}")


def build_weights(
    request: MixRequest, x: torch.Tensor, names: list[str], settings: Settings
) -> tuple[torch.Tensor, torch.Tensor]:
    """W (Cout, Cin) and b (Cout) from the request's weight and bias specs."""
    c_in = x.shape[0]
    spec = request.weight
    preset_bias = None
    if isinstance(spec, WeightInit):
        c_out = request.out_channels or (c_in if spec.init == "identity" else DEFAULT_OUT_CHANNELS)
        _check_out(("out_channels",), c_out, settings)
        if spec.init == "identity":
            weight = weights.identity(c_out, c_in)
        else:
            weight, _ = weights.default_init(c_out, c_in, spec.seed)
    elif isinstance(spec, WeightPreset):
        if spec.preset == "identity":
            c_out = request.out_channels or c_in
            _check_out(("out_channels",), c_out, settings)
            weight = weights.identity(c_out, c_in)
        elif spec.preset == "pca":
            c_out = request.out_channels or min(3, c_in)
            weight, preset_bias = weights.pca(x, c_out)
        else:
            weight, preset_bias = weights.colour_preset(spec.preset, names)
            if request.out_channels not in (None, weight.shape[0]):
                raise InputError(
                    ("out_channels",),
                    f"preset '{spec.preset}' makes {weight.shape[0]} output channels, not {request.out_channels}",
                )
    else:
        weight = torch.tensor(spec.values, dtype=torch.float32)
        _check_out(("weight", "values"), weight.shape[0], settings)
        if weight.shape[1] != c_in:
            raise InputError(("weight", "values"), f"W must be Cout×Cin with Cin = {c_in}, not {list(weight.shape)}")
    c_out = weight.shape[0]
    return weight, _build_bias(request, c_out, c_in, preset_bias)


def _check_out(field: tuple, c_out: int, settings: Settings) -> None:
    if c_out > settings.max_out_channels:
        raise InputError(field, f"{c_out} output channels is over the limit of {settings.max_out_channels}")


def _build_bias(request: MixRequest, c_out: int, c_in: int, preset_bias: torch.Tensor | None) -> torch.Tensor:
    spec = request.bias
    if spec is None:
        return preset_bias if preset_bias is not None else torch.zeros(c_out)
    if isinstance(spec, BiasValues):
        if len(spec.values) != c_out:
            raise InputError(("bias", "values"), f"b must have Cout = {c_out} values, not {len(spec.values)}")
        return torch.tensor(spec.values, dtype=torch.float32)
    if spec.init == "zeros":
        return torch.zeros(c_out)
    bound = c_in**-0.5  # nn.Conv2d's own bias range, U(−1/√Cin, 1/√Cin)
    return torch.empty(c_out).uniform_(-bound, bound, generator=torch.Generator().manual_seed(spec.seed))


def check_size(request: MixRequest, x: torch.Tensor, c_out: int, settings: Settings) -> None:
    """Refuse work and answers larger than the settings allow, before any of it is done."""
    c_in, height, width = x.shape
    if c_in * c_out * height * width > settings.max_work:
        raise InputError(
            ("out_channels",),
            f"Cin·Cout·H·W = {c_in}·{c_out}·{height}·{width} is over the work limit of {settings.max_work}",
        )
    if request.encoding == "json" and (c_in + 2 * c_out) * height * width > settings.max_json_values:
        raise InputError(
            ("encoding",),
            f"'json' is for small tensors (at most {settings.max_json_values} values); use 'base64' or 'u8'",
        )
    if request.explain_channel is not None and request.explain_channel >= c_out:
        raise InputError(("explain_channel",), f"channel {request.explain_channel} does not exist: Cout = {c_out}")
    if request.probe is not None:
        if request.probe.row >= height:
            raise InputError(("probe", "row"), f"row {request.probe.row} is outside the map: H = {height}")
        if request.probe.col >= width:
            raise InputError(("probe", "col"), f"col {request.probe.col} is outside the map: W = {width}")


@dataclass(frozen=True)
class Mixed:
    """One mix, computed: every tensor on the CPU."""

    x: torch.Tensor  # (Cin, H, W)
    names: list[str]
    weight: torch.Tensor  # (Cout, Cin)
    bias: torch.Tensor  # (Cout,)
    y: torch.Tensor  # (Cout, H, W)
    z: torch.Tensor  # (Cout, H, W), before f
    explanation: ChannelExplanation | None
    probe: PixelProbe | None
    device: str


def run_mix(request: MixRequest, settings: Settings) -> Mixed:
    """Build X, W and b from the request and run the 1×1 convolution on the settings' device."""
    device = get_device(settings.device)
    with torch.inference_mode():
        x, names = load_input(request, settings)
        weight, bias = build_weights(request, x, names, settings)
        check_size(request, x, weight.shape[0], settings)
        on_device = x.to(device), weight.to(device), bias.to(device)
        y, z = mix(*on_device, request.activation)
        explanation = probe = None
        if request.explain_channel is not None:
            explanation = explain_channel(*on_device, y, request.explain_channel, request.activation)
        if request.probe is not None:
            probe = probe_pixel(*on_device, y, request.probe.row, request.probe.col, request.activation)
    return Mixed(x, names, weight, bias, y.cpu(), z.cpu(), explanation, probe, device_name(device))


def to_answer(m: Mixed, request: MixRequest) -> dict:
    """The JSON answer of POST /api/mix, maps in the requested encoding."""
    enc = request.encoding
    (c_out, c_in), (_, height, width) = m.weight.shape, m.x.shape
    cost = count_conv(c_in, c_out, height, width, 1, True)
    answer = {
        "input": {"shape": list(m.x.shape), "channel_names": m.names},
        "weight": {"shape": [c_out, c_in], "values": m.weight.tolist()},
        "bias": {"values": m.bias.tolist()},
        "output": {"shape": [c_out, height, width]},
        "cost": {"parameters": cost.parameters, "multiply_adds": cost.multiply_adds},
        "device": m.device,
    }
    if request.include_input_maps:
        answer["input"]["maps"] = encode(m.x, enc)
    if request.include_output_maps:
        answer["output"]["maps"] = encode(m.y, enc)
        if request.activation != "none":
            answer["output"]["pre_activation"] = encode(m.z, enc)
    if (e := m.explanation) is not None:
        answer["explain"] = {
            "channel": e.channel,
            "weights": e.weights.tolist(),
            "bias": e.bias,
            "sum": encode(e.total, enc),
            "max_abs_error": e.max_abs_error,
        }
        if request.include_contributions:
            answer["explain"]["contributions"] = encode(e.contributions, enc)
    if (p := m.probe) is not None:
        answer["probe"] = {
            "row": p.row,
            "col": p.col,
            "x": p.x.tolist(),
            "z": p.z.tolist(),
            "y": p.y.tolist(),
            "max_abs_error": p.max_abs_error,
        }
    return answer


def compute_mix(request: MixRequest, settings: Settings) -> dict:
    """Everything POST /api/mix answers, as a JSON-ready dict."""
    return to_answer(run_mix(request, settings), request)


def answer_mix(request: MixRequest, settings: Settings, compress: bool) -> bytes:
    """compute_mix serialised to JSON bytes, gzip-compressed if asked (runs in a worker thread).

    Quantised maps compress about fourfold even at level 1, which is fast enough for every weight
    edit; float32 base64 barely compresses, so it is sent as it is.
    """
    body = dumps(compute_mix(request, settings))
    return gzip.compress(body, compresslevel=1, mtime=0) if compress else body


def answer_npz(request: MixRequest, settings: Settings) -> bytes:
    """The maps and weights of a mix as a NumPy .npz file (float32; names as a string array)."""
    m = run_mix(request, settings)
    arrays = {"input": m.x, "weight": m.weight, "bias": m.bias, "output": m.y, "pre_activation": m.z}
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, channel_names=np.array(m.names), **{k: v.numpy().astype(np.float32) for k, v in arrays.items()}
    )
    return buffer.getvalue()


NPZ = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@router.post(
    "/mix",
    response_model=MixResponse,
    responses={200: {"content": NPZ, "description": "The answer; with format=npz, a NumPy .npz file"}},
)
async def create_mix(
    http: Request,
    settings: SettingsDep,
    request: MixRequest = Body(openapi_examples=EXAMPLES),
    format: Literal["json", "npz"] = Query("json", description="npz: input, weight, bias, output as arrays"),
) -> Response:
    """Run Y = f(W·X + b) with a 1×1 convolution; explain one channel and probe one pixel on request."""
    if format == "npz":
        body = await run_blocking(settings, answer_npz, request, settings)
        headers = {"Content-Disposition": 'attachment; filename="pointwise-mix.npz"'}
        return Response(body, media_type="application/octet-stream", headers=headers)
    compress = request.encoding != "base64" and "gzip" in http.headers.get("accept-encoding", "")
    body = await run_blocking(settings, answer_mix, request, settings, compress)
    headers = {"Vary": "Accept-Encoding", **({"Content-Encoding": "gzip"} if compress else {})}
    return Response(body, media_type="application/json", headers=headers)
