"""POST /api/mix as a service: build X, W and b from a request, check it, run Y = f(W·X + b), and
shape the answer (JSON-ready, or a NumPy .npz file)."""

from dataclasses import dataclass
import io

import numpy as np
import torch

from app.config import Settings
from app.core import weights
from app.core.cost import count_conv
from app.core.device import device_name
from app.core.errors import InputError
from app.core.mixing import ChannelExplanation, PixelProbe, explain_channel, mix, probe_pixel
from app.lab.encoding import dumps, encode
from app.lab.inputs import input_shape, load_input
from app.lab.limits import check_answer, check_out_channels, check_work
from app.lab.mixer.models import BiasInit, BiasValues, MixRequest, WeightInit, WeightPreset
from app.lab.runtime import get_device

DEFAULT_OUT_CHANNELS = 4


@dataclass(frozen=True)
class MixPlan:
    """A mix request checked before X is built, and what it will make: every later step takes this."""

    kind: str  # the weights: "random", "identity", a preset or "values" (weight_kind)
    names: list[str]  # the input's channels: Cin = len(names)
    c_out: int
    height: int | None  # None until an upload has been read
    width: int | None


def out_channels(request: MixRequest, kind: str, names: list[str], settings: Settings) -> int:
    """Cout as the request fixes it, checked against the limit; a colour preset must find R, G, B."""
    spec, c_in = request.weight, len(names)
    if kind == "values":
        c_out, field = len(spec.values), ("weight", "values")
        if len(spec.values[0]) != c_in:
            raise InputError(field, f"W must be Cout×Cin with Cin = {c_in}, not {[c_out, len(spec.values[0])]}")
    elif kind in weights.COLOUR_PRESETS:
        c_out, field = weights.colour_preset(kind, names)[0].shape[0], ("out_channels",)
        if request.out_channels not in (None, c_out):
            raise InputError(field, f"preset '{kind}' makes {c_out} output channels, not {request.out_channels}")
    else:
        default = {"random": DEFAULT_OUT_CHANNELS, "identity": c_in, "pca": min(3, c_in)}[kind]
        c_out, field = request.out_channels or default, ("out_channels",)
    check_out_channels(field, c_out, settings)
    if isinstance(request.bias, BiasValues) and len(request.bias.values) != c_out:
        raise InputError(("bias", "values"), f"b must have Cout = {c_out} values, not {len(request.bias.values)}")
    return c_out


def plan_mix(request: MixRequest, settings: Settings) -> MixPlan:
    """Every check that can be made before X is built (all of them but those needing an upload's
    size), once: its plan says what the mix will make."""
    shape = input_shape(request.input, request.features, request.max_side, settings)
    kind = weight_kind(request)
    c_out = out_channels(request, kind, shape.names, settings)
    if shape.height is not None and shape.width is not None:
        check_mix(request, len(shape.names), c_out, shape.height, shape.width, settings)
    return MixPlan(kind, shape.names, c_out, shape.height, shape.width)


def weight_kind(request: MixRequest) -> str:
    """ "random", "identity" ({"init": …} and {"preset": …} are one and the same), a preset, or "values"."""
    spec = request.weight
    return spec.init if isinstance(spec, WeightInit) else spec.preset if isinstance(spec, WeightPreset) else "values"


def build_weights(request: MixRequest, plan: MixPlan, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """W (Cout, Cin) and b (Cout) from a planned request's weight and bias specs."""
    c_in, c_out, kind, names = x.shape[0], plan.c_out, plan.kind, plan.names
    spec = request.weight
    preset_bias = None
    if kind == "random":
        weight, _ = weights.default_init(c_out, c_in, spec.seed)
    elif kind == "identity":
        weight = weights.identity(c_out, c_in)
    elif kind == "pca":
        weight, preset_bias = weights.pca(x, c_out, spec.standardise)
    elif kind != "values":
        weight, preset_bias = weights.colour_preset(kind, names)
    else:
        weight = torch.tensor(spec.values, dtype=torch.float32)
    return weight, build_bias(request, weight.shape[0], c_in, preset_bias)


def build_bias(request: MixRequest, c_out: int, c_in: int, preset_bias: torch.Tensor | None) -> torch.Tensor:
    """b (Cout): explicit values, zeros, or PyTorch's own. Omitted, it is the preset's, or — beside
    random weights — PyTorch's: W and b are then exactly those of `torch.manual_seed(seed);
    nn.Conv2d(Cin, Cout, 1)`, as `{"init": "random", "seed": seed}` gives it for any weights."""
    spec = request.bias
    if spec is None and preset_bias is not None:
        return preset_bias
    if spec is None and isinstance(request.weight, WeightInit) and request.weight.init == "random":
        return weights.default_init(c_out, c_in, request.weight.seed)[1]
    if spec is None or (isinstance(spec, BiasInit) and spec.init == "zeros"):
        return torch.zeros(c_out)
    if isinstance(spec, BiasValues):
        return torch.tensor(spec.values, dtype=torch.float32)
    return weights.default_init(c_out, c_in, spec.seed)[1]


def answer_values(request: MixRequest, c_in: int, c_out: int, pixels: int) -> int:
    """How many numbers the answer's maps hold."""
    maps = c_in if request.include_input_maps else 0
    if request.include_output_maps:
        maps += c_out * (2 if request.activation != "none" else 1)
    if request.explain_channel is not None:
        maps += 1 + (c_in if request.include_contributions else 0)
    return maps * pixels


def check_mix(request: MixRequest, c_in: int, c_out: int, height: int, width: int, settings: Settings) -> None:
    """Refuse work and answers larger than the settings allow, and indices outside the maps."""
    check_work(("out_channels",), c_in, c_out, height, width, settings)
    check_answer(
        answer_values(request, c_in, c_out, height * width),
        request.encoding,
        settings,
        "ask for fewer maps (include_input_maps, include_output_maps, include_contributions: false)",
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
    plan = plan_mix(request, settings)
    with torch.inference_mode():
        x, names = load_input(request.input, request.features, request.max_side, settings)
        if plan.height is None:  # an upload: its size is known now
            check_mix(request, x.shape[0], plan.c_out, x.shape[1], x.shape[2], settings)
        return mix_input(request, plan, x, names, settings)


def mix_input(request: MixRequest, plan: MixPlan, x: torch.Tensor, names: list[str], settings: Settings) -> Mixed:
    """Run a checked request's mix on an input X already built (a loaded image, or a camera's frame)."""
    device = get_device(settings.device)
    with torch.inference_mode():
        weight, bias = build_weights(request, plan, x)
        on_device = x.to(device), weight.to(device), bias.to(device)
        y, z = mix(*on_device, request.activation)
        explanation = probe = None
        if request.explain_channel is not None:
            explanation = explain_channel(*on_device, request.explain_channel, request.activation)
        if request.probe is not None:
            probe = probe_pixel(*on_device, request.probe.row, request.probe.col, request.activation)
    return Mixed(x, names, weight, bias, y.cpu(), z.cpu(), explanation, probe, device_name(device))


def mix_answer(request: MixRequest, settings: Settings) -> dict:
    """Everything POST /api/mix answers, as a JSON-ready dict, maps in the requested encoding."""
    return mixed_answer(request, run_mix(request, settings))


def mixed_answer(request: MixRequest, m: Mixed) -> dict:
    """A computed mix as the JSON-ready dict POST /api/mix answers, maps in the requested encoding."""
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


def mix_json(request: MixRequest, settings: Settings) -> bytes:
    """mix_answer serialised to JSON bytes."""
    return dumps(mix_answer(request, settings))


def mix_npz(request: MixRequest, settings: Settings) -> bytes:
    """The maps and weights of a mix as a NumPy .npz file (float32; names as a string array)."""
    m = run_mix(request, settings)
    arrays = {"input": m.x, "weight": m.weight, "bias": m.bias, "output": m.y, "pre_activation": m.z}
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, channel_names=np.array(m.names), **{k: v.numpy().astype(np.float32) for k, v in arrays.items()}
    )
    return buffer.getvalue()
