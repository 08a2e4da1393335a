"""The pages' state as it lives in their query strings: one pydantic model per page, parsed and
checked here, and what each state asks of the lab.

A page, its embed and its export are built from the same parsed state, so a link, an embed and an
export show the same thing; the pages receive the parsed state and every constant they need in
their JSON data block. A bad value is refused with a 422 naming the query parameter, never
replaced by a default.
"""

from collections.abc import Mapping
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from app.config import Settings
from app.core.errors import InputError
from app.core.weights import PRESETS
from app.lab.collapse import collapse_data
from app.lab.mixing import check_request
from app.lab.models import MixRequest, Seed

MIXER_MAX_SIDE = 256  # the Mixer mixes images at this size
COLOUR_PRESETS = [p for p in PRESETS if p not in ("identity", "pca")]

MIXER_VIEWS = ("input", "weights", "output", "sum", "probe", "graph", "rgb", "cost")
MIXER_CONTROLS = ("input", "upload", "random", "features", "cout", "weights", "seed", "bias", "activation", "scale")


def numbers(text: str) -> list[float]:
    """ "1,-0.5,2e-3" → [1.0, -0.5, 0.002]; every entry must be a finite number."""
    values = [float(v) for v in text.split(",")]  # ValueError names the bad entry
    if not all(abs(v) < float("inf") for v in values):
        raise ValueError("numbers must be finite")
    return values


def matrix_text(text: object) -> object:
    if isinstance(text, str):
        return [numbers(row) for row in text.split(";")]
    return text


def vector_text(text: object) -> object:
    return numbers(text) if isinstance(text, str) else text


def names_list(allowed: tuple[str, ...]):
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
    """Query parameters arrive as text: numbers are parsed (lax mode), unknown keys ignored. Every
    page takes the two display settings: Large type and Marks (negative values striped, for
    greyscale); unset, a page takes the ones remembered in the browser."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    large: Large = ""
    marks: Large = ""


class InputState(QueryState):
    """A page's input, as the Mixer and Learn write it: a sample, an upload, or a seeded random tensor."""

    input: str = Field("sample:scene", alias="in", pattern=r"^(sample:[a-z]+|random|upload)$")
    img: str = Field("", pattern=r"^([0-9a-f]{32})?$")
    rc: Count = 8
    rh: Count = 32
    rw: Count = 32
    rs: Seed = 0
    rd: Literal["normal", "uniform"] = "normal"
    feat: Literal["rgb", "bank"] = "bank"

    def input_spec(self) -> dict:
        """The request's `input` this state asks for."""
        if self.input == "random":
            spec = {"source": "random", "channels": self.rc, "height": self.rh, "width": self.rw}
            return spec | {"seed": self.rs, "distribution": self.rd}
        if self.input == "upload":
            return {"source": "upload", "image_id": self.img}
        return {"source": "sample", "name": self.input.removeprefix("sample:")}


class MixerState(InputState):
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


# ---- the non-linearity figure -------------------------------------------------------------------


def collapse(params: Mapping[str, str], settings: Settings) -> dict:
    state = parse(CollapseState, params)
    return collapse_data(state.seed, state.relu == "1", settings)
