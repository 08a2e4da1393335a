"""The Learn page's state as it lives in its query string, and the requests that state asks for.

The page, its embed, its export and /data/learn all read a query string here: the mapping from
the page's parameters to the bodies of POST /api/learn and /api/reduce has this one home, and a
refusal names the page's own query parameter.
"""

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from app.config import Settings
from app.core.errors import InputError, TooLarge
from app.core.weights import COLOUR_PRESETS
from app.lab.learn.models import LearnRequest, ReduceRequest
from app.lab.learn.reduce import check_reduce_request
from app.lab.learn.service import check_learn_request, export_cost
from app.lab.limits import BYTES_PER_VALUE
from app.lab.models import Seed
from app.lab.query import (
    INPUT_PARAMETER,
    Count,
    InputState,
    matrix_text,
    names_list,
    query_defaults,
    query_values,
    read_state,
    vector_text,
)

LEARN_MAX_SIDE = 128  # the page trains on images at this size
AUTOENCODER = {"optimizer": "adam", "lr": 0.02, "steps": 600, "every": 10}  # it reaches the PCA line
LEARN_VIEWS = ("loss", "weights", "output", "compare", "pca", "maps", "autoencoder")
LEARN_CONTROLS = ("input", "upload", "random", "features", "target", "model", "optimizer", "train")
TARGETS = (*COLOUR_PRESETS, "random", "explicit")
Rate = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]


class LearnState(InputState):
    tgt: Literal[TARGETS] = "grayscale"  # type: ignore[valid-type]
    tc: Count = 3  # the hidden matrix's Cout
    ts: Seed = 1  # and its seed
    TW: Annotated[list[list[float]] | None, BeforeValidator(matrix_text)] = None  # W*, "w,w,…;w,w,…"
    TB: Annotated[list[float] | None, BeforeValidator(vector_text)] = None  # b*, "b,b,…"
    tact: Literal["none", "relu"] = "none"
    noise: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 0.0
    layers: Literal["1", "2"] = "1"
    hid: Count = 16
    opt: Literal["adam", "sgd"] = "adam"
    lr: Rate = 0.05
    mom: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.9
    steps: Count = 300
    every: Count = 10
    seed: Seed = 0
    cmp: Literal["0", "1"] = "0"  # show the ReLU target trained by one layer and by two
    R: Count = 2  # channels kept by the reduction (at most Cin)
    std: Literal["0", "1"] = "0"
    view: Annotated[list[str], names_list(LEARN_VIEWS)] = Field(default_factory=list)
    hide: Annotated[list[str], names_list((*LEARN_CONTROLS, "controls"))] = Field(default_factory=list)


# Where a refusal of a request sits in the page's query string.
LEARN_PARAMETER = {
    **INPUT_PARAMETER,
    ("max_side",): "in",
    ("target", "preset"): "tgt",
    ("target", "random", "out_channels"): "tc",
    ("target", "weight"): "TW",
    ("target", "bias"): "TB",
    ("target", "autoencoder", "rank"): "R",
    ("hidden",): "hid",
    ("steps",): "steps",
    ("every",): "every",
    ("lr",): "lr",
    ("rank",): "R",
    ("encoding",): "in",
}


def parameter(state: LearnState, location: tuple[str | int, ...]) -> str:
    """The query parameter of a request field (a tagged union repeats its key in the location)."""
    names = [part for part in location if isinstance(part, str)]
    path = tuple(name for i, name in enumerate(names) if i == 0 or name != names[i - 1])
    for length in (3, 2, 1):
        if path[:length] in LEARN_PARAMETER:
            return LEARN_PARAMETER[path[:length]]
    return path[-1] if path else "in"


def in_channels(state: LearnState) -> int:
    return state.rc if state.input == "random" else 10 if state.feat == "bank" else 3


def target_spec(state: LearnState) -> dict:
    if state.tgt == "random":
        return {"random": {"out_channels": state.tc, "seed": state.ts}}
    if state.tgt == "explicit":
        return {"weight": state.TW, "bias": state.TB}
    return {"preset": state.tgt}


def learn_requests(state: LearnState) -> dict[str, object]:
    """The bodies the page sends: the training, the comparison (one layer and two on the ReLU
    target), the reduction for R and the autoencoder Cin → R → Cin."""
    if state.tgt == "explicit" and state.TW is None:
        raise InputError(("query", "TW"), "tgt=explicit needs the target weights TW (rows 'w,w,…' separated by ';')")
    base = {"input": state.input_spec(), "features": state.feat, "max_side": LEARN_MAX_SIDE, "encoding": "u8"}
    training = {"optimizer": state.opt, "lr": state.lr, "momentum": state.mom, "seed": state.seed}
    training |= {"steps": state.steps, "every": state.every}
    target = {"target": target_spec(state), "noise": state.noise}
    learn = base | target | training | {"target_activation": state.tact}
    learn["hidden"] = state.hid if state.layers == "2" else None
    relu = base | target | training | {"target_activation": "relu"}
    rank = min(state.R, in_channels(state))
    standardise = state.std == "1"
    autoencoder = base | AUTOENCODER | {"seed": state.seed, "target": {"autoencoder": {"rank": rank}}}
    autoencoder["target"]["autoencoder"]["standardise"] = standardise
    return {
        "learn": LearnRequest.model_validate(learn),
        "compare": [LearnRequest.model_validate(relu), LearnRequest.model_validate(relu | {"hidden": state.hid})],
        "reduce": ReduceRequest.model_validate(base | {"standardise": standardise, "rank": rank}),
        "autoencoder": LearnRequest.model_validate(autoencoder),
    }


def learn_state(params: Mapping[str, str], settings: Settings) -> tuple[LearnState, dict[str, object]]:
    """A Learn query string → its state and its requests, all checked against the limits."""
    return read_state(LearnState, params, settings, learn_requests, check_requests, parameter)


def check_requests(requests: dict[str, object], settings: Settings) -> None:
    for request in (requests["learn"], *requests["compare"], requests["autoencoder"]):
        check_learn_request(request, settings)
    check_reduce_request(requests["reduce"], settings)


def export_requests(state: LearnState, requests: dict[str, object]) -> list[LearnRequest]:
    """The trainings an export runs: the page's, the comparison's two (cmp=1) and the autoencoder."""
    compare = requests["compare"] if state.cmp == "1" else []
    return [requests["learn"], *compare, requests["autoencoder"]]


def check_export(state: LearnState, requests: dict[str, object], settings: Settings) -> None:
    """An export trains every run its page would, one after the other, in one request (the
    heaviest query trained for 16–25 s and answered 32 MB): together they may cost what one run
    of /api/learn may (max_train_pixel_steps, max_train_work), and the maps it inlines are held
    to max_export_bytes. Checked before any training; each refusal names `steps` or `in`."""
    trainings = export_requests(state, requests)
    costs = [export_cost(request, settings) for request in trainings]
    runs = f"the export trains {len(trainings)} runs (the autoencoder's {AUTOENCODER['steps']} steps among them)"
    fewer = "ask for fewer steps, fewer channels, a smaller R" + (" or cmp=0" if state.cmp == "1" else "")
    limits = (
        ("steps × H·W", "limit", settings.max_train_pixel_steps),
        ("steps × H·W × weights", "work limit", settings.max_train_work),
    )
    for k, (measure, name, limit) in enumerate(limits):
        total = sum(cost[k] for cost in costs)
        if total > limit:
            raise InputError(
                ("query", "steps"),
                f"{runs}: {measure} = {total} in all, over one training's {name} of {limit}; {fewer}",
            )
    # The reduction's maps: the input, its reconstruction (Cin each) and the rank's reduced maps.
    # The autoencoder (last) trains on the same input, its maps 4·Cin·H·W: Cin·H·W is one copy of X.
    x_values = costs[-1][2] // 4
    c_in = in_channels(state)
    values = sum(cost[2] for cost in costs) + x_values * (2 * c_in + requests["reduce"].rank) // c_in
    size = int(values * BYTES_PER_VALUE["u8"])
    if size > settings.max_export_bytes:
        raise TooLarge(
            ("query", "in"),
            f"the export's maps would be about {size} bytes, over the limit of {settings.max_export_bytes}; "
            "ask for fewer channels" + (" or cmp=0" if state.cmp == "1" else ""),
        )


def learn_page_data(state: LearnState, requests: dict[str, object], settings: Settings, text: dict) -> dict:
    """What the Learn page's script needs: state, defaults, the requests, its text and the limits."""
    return {
        "state": query_values(state),
        "defaults": query_defaults(LearnState),
        "requests": dumped(requests),
        "text": text,
        "colour_presets": list(COLOUR_PRESETS),
        "limits": {
            "max_side": settings.max_side,
            "max_in_channels": settings.max_in_channels,
            "max_out_channels": settings.max_out_channels,
            "max_hidden": settings.max_hidden,
            "max_train_steps": settings.max_train_steps,
            "max_train_pixel_steps": settings.max_train_pixel_steps,
            "learn_max_side": LEARN_MAX_SIDE,
        },
    }


def dumped(requests: dict[str, object]) -> dict[str, object]:
    """The requests as JSON-ready bodies."""
    return {
        key: [r.model_dump(mode="json") for r in value] if isinstance(value, list) else value.model_dump(mode="json")
        for key, value in requests.items()
    }
