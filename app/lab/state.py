"""The pages' state as it lives in their query strings: one pydantic model per page, parsed and
checked here, and what each state asks of the lab.

A page, its embed and its export are built from the same parsed state, so a link, an embed and an
export show the same thing; the pages receive the parsed state and every constant they need in
their JSON data block. A bad value is refused with a 422 naming the query parameter, never
replaced by a default.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.config import Settings
from app.core.errors import InputError
from app.core.weights import PRESETS
from app.lab import cost
from app.lab.collapse import collapse_data
from app.lab.mixing import check_request
from app.lab.models import MixRequest, Seed

MIXER_MAX_SIDE = 256  # the Mixer mixes images at this size
SWEEP_STEP = 4  # the cost sweep draws Cout = 1, 5, 9, … 1021: 256 points
SWEEP_MAX = 1024
COLOUR_PRESETS = [p for p in PRESETS if p not in ("identity", "pca")]

MIXER_VIEWS = ("input", "weights", "output", "sum", "probe", "graph", "rgb", "cost")
MIXER_CONTROLS = ("input", "upload", "random", "features", "cout", "weights", "seed", "bias", "activation", "scale")
COST_VIEWS = ("sweep", "inception", "bottleneck", "projection", "separable")


def _numbers(text: str) -> list[float]:
    """ "1,-0.5,2e-3" → [1.0, -0.5, 0.002]; every entry must be a finite number."""
    values = [float(v) for v in text.split(",")]  # ValueError names the bad entry
    if not all(abs(v) < float("inf") for v in values):
        raise ValueError("numbers must be finite")
    return values


def _matrix(text: object) -> object:
    if isinstance(text, str):
        return [_numbers(row) for row in text.split(";")]
    return text


def _vector(text: object) -> object:
    return _numbers(text) if isinstance(text, str) else text


def _names(allowed: tuple[str, ...]):
    """A comma-separated list of names from `allowed`, kept in its order."""

    def split(text: object) -> object:
        if not isinstance(text, str):
            return text
        names = [n for n in text.split(",") if n]
        unknown = [n for n in names if n not in allowed]
        if unknown:
            raise ValueError(f"unknown name(s) {', '.join(unknown)}; the names are {', '.join(allowed)}")
        return names

    return BeforeValidator(split)


Count = Annotated[int, Field(ge=1)]
Index = Annotated[int, Field(ge=0)]
Large = Literal["", "0", "1"]


class QueryState(BaseModel):
    """Query parameters arrive as text: numbers are parsed (lax mode), unknown keys ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class MixerState(QueryState):
    input: str = Field("sample:scene", alias="in", pattern=r"^(sample:[a-z]+|random|upload)$")
    img: str = Field("", pattern=r"^([0-9a-f]{32})?$")
    rc: Count = 8
    rh: Count = 32
    rw: Count = 32
    rs: Seed = 0
    rd: Literal["normal", "uniform"] = "normal"
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
    W: Annotated[list[list[float]] | None, BeforeValidator(_matrix)] = None  # Cout×Cin, "w,w,…;w,w,…"
    B: Annotated[list[float] | None, BeforeValidator(_vector)] = None  # Cout, "b,b,…"
    view: Annotated[list[str], _names(MIXER_VIEWS)] = []
    hide: Annotated[list[str], _names((*MIXER_CONTROLS, "controls"))] = []
    large: Large = ""


class CostState(QueryState):
    s_cin: Count = Field(256, alias="s-cin")
    s_h: Count = Field(56, alias="s-h")
    s_w: Count = Field(56, alias="s-w")
    s_k: cost.KernelSize = Field(cost.KernelSize.THREE, alias="s-k")
    s_bias: Literal["0", "1"] = Field("1", alias="s-bias")
    s_axis: Literal["linear", "log"] = Field("linear", alias="s-axis")
    s_cout: Annotated[int, Field(ge=1, le=SWEEP_MAX)] = Field(64, alias="s-cout")
    i_h: Count = Field(28, alias="i-h")
    i_w: Count = Field(28, alias="i-w")
    i_cin: Count = Field(256, alias="i-cin")
    i_cout: Count = Field(64, alias="i-cout")
    i_k: cost.KernelSize = Field(cost.KernelSize.FIVE, alias="i-k")
    i_r: Count = Field(32, alias="i-r")
    b_cin: Count = Field(256, alias="b-cin")
    b_mid: Count = Field(64, alias="b-mid")
    b_h: Count = Field(56, alias="b-h")
    b_w: Count = Field(56, alias="b-w")
    b_style: Literal["tutorial", "torchvision"] = Field("tutorial", alias="b-style")
    p_cin: Count = Field(256, alias="p-cin")
    p_cout: Count = Field(512, alias="p-cout")
    p_h: Count = Field(56, alias="p-h")
    p_w: Count = Field(56, alias="p-w")
    p_s: Annotated[int, Field(ge=1)] = Field(2, alias="p-s")
    d_cin: Count = Field(32, alias="d-cin")
    d_cout: Count = Field(64, alias="d-cout")
    d_h: Count = Field(112, alias="d-h")
    d_w: Count = Field(112, alias="d-w")
    d_k: cost.KernelSize = Field(cost.KernelSize.THREE, alias="d-k")
    view: Annotated[list[str], _names(COST_VIEWS)] = []
    hide: Annotated[list[str], _names(("controls",))] = []
    large: Large = ""


class CollapseState(QueryState):
    seed: Annotated[int, Field(ge=0, le=2**32 - 2)] = 0  # the second layer uses seed + 1
    relu: Literal["0", "1"] = "0"


S = TypeVar("S", bound=QueryState)


def parse(model: type[S], params: Mapping[str, str]) -> S:
    """A query string → its state; the first bad value is a 422 naming its parameter."""
    try:
        return model.model_validate(dict(params))
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(("query", *first["loc"]), first["msg"]) from error


def query_values(state: QueryState) -> dict[str, object]:
    """A state by its query parameters' names, for a page's script: lists of names as they are
    written in the query ("sum,probe"), numbers as numbers, W and B as nested lists."""
    values = state.model_dump(mode="json", by_alias=True)
    return {key: ",".join(value) if key in ("view", "hide") else value for key, value in values.items()}


def query_defaults(model: type[QueryState]) -> dict[str, object]:
    """Every parameter's default, by its name in the query string (for the pages' data blocks)."""
    return query_values(model())


# ---- the Mixer ----------------------------------------------------------------------------------

# Where a refusal of the mix request sits in the Mixer's query string.
MIXER_PARAMETER = {
    ("input", "channels"): "rc",
    ("input", "height"): "rh",
    ("input", "width"): "rw",
    ("input", "name"): "in",
    ("input", "image_id"): "img",
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
    """The POST /api/mix body a Mixer state asks for (mixRequest in static/js/mixer-state.js keeps
    a copy for partial requests; tests/golden/mixer_requests.json pins the two together)."""
    if state.input == "random":
        spec = {"source": "random", "channels": state.rc, "height": state.rh, "width": state.rw}
        spec |= {"seed": state.rs, "distribution": state.rd}
    elif state.input == "upload":
        spec = {"source": "upload", "image_id": state.img}
    else:
        spec = {"source": "sample", "name": state.input.removeprefix("sample:")}
    body: dict = {
        "input": spec,
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
    state = parse(MixerState, params)
    if state.w == "edited" and state.W is None:
        raise InputError(("query", "W"), "w=edited needs the weights W (rows 'w,w,…' separated by ';')")
    if state.bias == "edited" and state.B is None:
        raise InputError(("query", "B"), "bias=edited needs the bias B ('b,b,…')")
    if state.input == "upload" and not state.img:
        raise InputError(("query", "img"), "in=upload needs the image id img")
    try:
        request = mixer_request(state)
        check_request(request, settings)
    except ValidationError as error:
        first = error.errors()[0]
        raise InputError(("query", MIXER_PARAMETER.get(tuple(first["loc"][:2]), "W")), first["msg"]) from error
    except InputError as error:
        raise type(error)(("query", MIXER_PARAMETER.get(error.field, error.field[-1])), error.message) from error
    return state, request


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


# ---- the cost explorer --------------------------------------------------------------------------

# Each panel's query parameters, by the /api/cost parameter they feed.
COST_PARAMETERS = {
    "sweep": {"in_channels": "s-cin", "height": "s-h", "width": "s-w", "out_channels": "s-cout"},
    "inception": {
        "height": "i-h",
        "width": "i-w",
        "in_channels": "i-cin",
        "reduce_channels": "i-r",
        "out_channels": "i-cout",
    },
    "bottleneck": {"in_channels": "b-cin", "bottleneck_channels": "b-mid", "height": "b-h", "width": "b-w"},
    "projection": {"in_channels": "p-cin", "out_channels": "p-cout", "height": "p-h", "width": "p-w", "stride": "p-s"},
    "separable": {"in_channels": "d-cin", "out_channels": "d-cout", "height": "d-h", "width": "d-w"},
}


def _sweep(s: CostState, settings: Settings) -> dict:
    base = {"in_channels": s.s_cin, "height": s.s_h, "width": s.s_w, "bias": s.s_bias == "1", "settings": settings}
    outs = {"out_min": 1, "out_max": SWEEP_MAX, "out_step": SWEEP_STEP}
    return {
        "one": cost.sweep(**base, **outs, kernel_size=cost.KernelSize.ONE),
        "wide": cost.sweep(**base, **outs, kernel_size=s.s_k),
        "oneConv": cost.conv_cost(**base, out_channels=s.s_cout, kernel_size=cost.KernelSize.ONE),
        "wideConv": cost.conv_cost(**base, out_channels=s.s_cout, kernel_size=s.s_k),
    }


def _inception(s: CostState, settings: Settings) -> dict:
    answer = cost.inception_cost(s.i_h, s.i_w, s.i_cin, s.i_r, s.i_cout, s.i_k, False, settings)
    return {"answer": answer}


def _bottleneck(s: CostState, settings: Settings) -> dict:
    bias = s.b_style == "tutorial"  # torchvision's convs have no bias: BatchNorm's β is the bias
    return {"answer": cost.bottleneck_cost(s.b_cin, s.b_mid, s.b_cin, s.b_h, s.b_w, bias, True, settings)}


def _projection(s: CostState, settings: Settings) -> dict:
    return {"answer": cost.projection_cost(s.p_cin, s.p_cout, s.p_h, s.p_w, s.p_s, False, True, settings)}


def _separable(s: CostState, settings: Settings) -> dict:
    return {"answer": cost.separable_cost(s.d_cin, s.d_cout, s.d_h, s.d_w, s.d_k, False, settings)}


COST_PANELS = {
    "sweep": _sweep,
    "inception": _inception,
    "bottleneck": _bottleneck,
    "projection": _projection,
    "separable": _separable,
}


@contextmanager
def cost_parameters(panel: str) -> Iterator[None]:
    """Refusals of a panel's counts, renamed from the /api/cost parameter to the page's own."""
    try:
        yield
    except InputError as error:
        parameter = COST_PARAMETERS[panel].get(str(error.field[-1]), error.field[-1])
        raise InputError(("query", parameter), error.message) from error


def cost_state(params: Mapping[str, str], settings: Settings) -> CostState:
    """A cost-explorer query string → its state, every count within the Settings' limits. R is at
    most Cin: the reduction slider's range ends at Cin, so a smaller Cin takes R down with it."""
    state = parse(CostState, params)
    for panel, parameters in COST_PARAMETERS.items():
        with cost_parameters(panel):
            cost.check(
                settings, **{name: getattr(state, query.replace("-", "_")) for name, query in parameters.items()}
            )
    return state.model_copy(update={"i_r": min(state.i_r, state.i_cin)})


def cost_data(state: CostState, panels: list[str], settings: Settings) -> dict:
    """The panels' data for a state, as the page draws them and its export embeds them."""
    controls = query_values(state)
    data = {}
    for panel in panels:
        with cost_parameters(panel):
            answers = COST_PANELS[panel](state, settings)
        data[panel] = {"controls": controls, **{k: v.model_dump(mode="json") for k, v in answers.items()}}
    return data


def cost_page_data(state: CostState) -> dict:
    return {"state": query_values(state), "defaults": query_defaults(CostState)}


# ---- the non-linearity figure -------------------------------------------------------------------


def collapse(params: Mapping[str, str], settings: Settings) -> dict:
    state = parse(CollapseState, params)
    return collapse_data(state.seed, state.relu == "1", settings)
