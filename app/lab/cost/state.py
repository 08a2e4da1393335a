"""The cost explorer's state as it lives in its query string, and the panels' data it asks for:
the page fetches it from /data/cost and its export embeds it, so both draw from one function."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Literal

from pydantic import Field

from app.config import Settings
from app.core.errors import InputError
from app.lab.cost import service as cost
from app.lab.query import Count, QueryState, names_list, parse, query_defaults, query_values

SWEEP_STEP = 4  # the cost sweep draws Cout = 1, 5, 9, … 1021: 256 points
SWEEP_MAX = 1024
COST_VIEWS = ("sweep", "inception", "bottleneck", "projection", "separable", "networks", "grouped")


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
    n_side: Count = Field(224, alias="n-side")
    g_cin: Count = Field(240, alias="g-cin")
    g_cout: Count = Field(240, alias="g-cout")
    g_h: Count = Field(28, alias="g-h")
    g_w: Count = Field(28, alias="g-w")
    g_g: Count = Field(3, alias="g-g")  # any g that divides Cin and Cout; the page offers ShuffleNet's 1, 2, 3, 4, 8
    view: Annotated[list[str], names_list(COST_VIEWS)] = Field(default_factory=list)
    hide: Annotated[list[str], names_list(("controls",))] = Field(default_factory=list)


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
    "networks": {"height": "n-side"},
    "grouped": {"in_channels": "g-cin", "out_channels": "g-cout", "height": "g-h", "width": "g-w", "groups": "g-g"},
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


def _networks(s: CostState, settings: Settings) -> dict:
    return {"answer": cost.networks_cost(s.n_side, settings)}


def _grouped(s: CostState, settings: Settings) -> dict:
    return {"answer": cost.grouped_cost(s.g_cin, s.g_cout, s.g_h, s.g_w, s.g_g, settings)}


COST_PANELS = {
    "sweep": _sweep,
    "inception": _inception,
    "bottleneck": _bottleneck,
    "projection": _projection,
    "separable": _separable,
    "networks": _networks,
    "grouped": _grouped,
}


@contextmanager
def cost_parameters(panel: str) -> Iterator[None]:
    """Refusals of a panel's counts, renamed from the /api/cost parameter to the page's own."""
    try:
        yield
    except InputError as error:
        parameter = COST_PARAMETERS[panel].get(str(error.field[-1]), error.field[-1])
        raise InputError(("query", parameter), error.message) from error


def parse_cost(params: Mapping[str, str], settings: Settings) -> CostState:
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
