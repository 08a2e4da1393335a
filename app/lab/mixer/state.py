"""The Mixer's state as it lives in its query string, and the mix request that state asks for.

The page, its embed and its export all read a query string here; a refusal names the
page's own query parameter.
"""

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from app.config import Settings
from app.core.errors import InputError
from app.core.weights import PRESETS
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import plan_mix
from app.lab.models import Seed
from app.lab.query import (
    INPUT_PARAMETER,
    Count,
    Index,
    InputState,
    matrix_text,
    names_list,
    query_defaults,
    query_values,
    read_state,
    vector_text,
)

MIXER_MAX_SIDE = 256  # the Mixer mixes images at this size
COLOUR_PRESETS = [p for p in PRESETS if p not in ("identity", "pca")]

MIXER_VIEWS = ("input", "weights", "output", "sum", "probe", "graph", "rgb", "cost")
MIXER_CONTROLS = (
    "input",
    "upload",
    "camera",
    "random",
    "features",
    "cout",
    "weights",
    "seed",
    "bias",
    "activation",
    "scale",
)


class MixerState(InputState):
    feat: Literal["rgb", "bank"] = "bank"
    cout: Count = 16
    w: Literal["random", "edited", *PRESETS] = "random"  # type: ignore[valid-type]
    seed: Seed = 0
    bias: Literal["default", "zeros", "random", "edited"] = "default"  # default: PyTorch's own, or the preset's
    act: Literal["none", "relu"] = "none"
    std: Literal["0", "1"] = "0"  # pca on standardised channels
    scale: Literal["channel", "shared"] = "channel"
    ch: Index = 0
    pr: Index | None = None
    pc: Index | None = None
    W: Annotated[list[list[float]] | None, BeforeValidator(matrix_text)] = None  # Cout×Cin, "w,w,…;w,w,…"
    B: Annotated[list[float] | None, BeforeValidator(vector_text)] = None  # Cout, "b,b,…"
    view: Annotated[list[str], names_list(MIXER_VIEWS)] = Field(default_factory=list)
    hide: Annotated[list[str], names_list((*MIXER_CONTROLS, "controls"))] = Field(default_factory=list)


# Where a refusal of the mix request sits in the Mixer's query string.
MIXER_PARAMETER = {
    **INPUT_PARAMETER,
    ("out_channels",): "cout",
    ("weight", "values"): "W",
    ("weight", "preset"): "w",
    ("bias", "values"): "B",
    ("explain_channel",): "ch",
    ("probe", "row"): "pr",
    ("probe", "col"): "pc",
    ("encoding",): "cout",  # the answer's size: the page's maps grow with Cout
}


def probe_default(state: MixerState) -> tuple[int, int] | None:
    """The probe's default: the centre pixel, as far as the shape is known before asking."""
    if state.input == "random":
        return state.rh // 2, state.rw // 2
    if state.input.startswith("sample:"):
        return MIXER_MAX_SIDE // 2, MIXER_MAX_SIDE // 2
    return None


def mixer_request(state: MixerState) -> MixRequest:
    """The POST /api/mix body a Mixer state asks for (mixRequest in static/js/mixer/state.js keeps
    a copy for partial requests; tests/golden/mixer_requests.json pins the two together)."""
    if state.w == "edited" and state.W is None:
        raise InputError(("query", "W"), "w=edited needs the weights W (rows 'w,w,…' separated by ';')")
    if state.bias == "edited" and state.B is None:
        raise InputError(("query", "B"), "bias=edited needs the bias B ('b,b,…')")
    body: dict = {
        "input": state.input_spec(),
        "features": state.feat,
        "max_side": MIXER_MAX_SIDE,
        "activation": state.act,
        "explain_channel": state.ch,
        "encoding": "u8",
        "include_contributions": False,  # drawn from X and W[n], as on the page
    }
    probe = (state.pr, state.pc) if state.pr is not None and state.pc is not None else probe_default(state)
    if probe is not None:
        body["probe"] = {"row": probe[0], "col": probe[1]}
    if state.w == "edited":
        body["weight"] = {"values": state.W}
    elif state.w in ("random", "identity"):
        body["weight"] = {"init": state.w, "seed": state.seed}
        body["out_channels"] = state.cout
    else:
        body["weight"] = {"preset": state.w}
        if state.w == "pca":
            body["weight"]["standardise"] = state.std == "1"
            body["out_channels"] = state.cout
    if state.bias in ("zeros", "random"):
        body["bias"] = {"init": state.bias, "seed": state.seed}
    elif state.bias == "edited":
        body["bias"] = {"values": state.B}
    return MixRequest.model_validate(body)


def mixer(params: Mapping[str, str], settings: Settings) -> tuple[MixerState, MixRequest]:
    """A Mixer query string → its state and its mix request, both checked against the limits."""
    return read_state(MixerState, params, settings, mixer_request, plan_mix, parameter)


def parameter(state: MixerState, field: tuple) -> str:
    """The query parameter of a mix request's field."""
    return MIXER_PARAMETER.get(tuple(field[:2]), "W" if isinstance(field[-1], int) else str(field[-1]))


def mixer_page_data(state: MixerState, settings: Settings) -> dict:
    """What the Mixer's script needs: the parsed state, the defaults, the constants and the limits."""
    return {
        "state": query_values(state),
        "defaults": query_defaults(MixerState),
        "max_side": MIXER_MAX_SIDE,
        "colour_presets": COLOUR_PRESETS,
        "limits": {
            "max_side": settings.max_side,
            "max_in_channels": settings.max_in_channels,
            "max_out_channels": settings.max_out_channels,
            "max_upload_bytes": settings.max_upload_bytes,
        },
    }
