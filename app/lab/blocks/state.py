"""The Blocks page's state as it lives in its query string, the POST /api/block request it implies,
and the page's data: the page, its embed, its export and /data/blocks all start here.

Widths are read per block kind: `cin=128&mid=32` sets a bottleneck's in_channels and
bottleneck_channels; a width the query leaves out is the kind's default (block_models.py).
"""

from collections.abc import Mapping
import functools
import io
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field
import torch

from app.config import Settings
from app.core.errors import InputError, NotFound
from app.core.inputs import SAMPLES
from app.core.stages import is_one_by_one, meta_twin, steps_of
from app.lab.blocks.models import BLOCK_MODELS, BlockRequest, Explain
from app.lab.blocks.service import block_answer, block_input_tensor, check_block, spec_widths
from app.lab.encoding import dumps
from app.lab.models import Seed
from app.lab.query import (
    INPUT_PARAMETER,
    Count,
    Index,
    SourceState,
    names_list,
    query_defaults,
    query_values,
    read_state,
)

KINDS = (
    "bottleneck",
    "bottleneck_torchvision",
    "bottleneck_down",
    "bottleneck_down_v1",
    "mlpconv",
    "inception",
    "inverted_residual",
    "vit_ffn",
)
BLOCK_VIEWS = ("summary", "diagram", "stage")
BLOCK_CONTROLS = ("block", "widths", "input", "upload", "features", "size", "random", "weights", "channels")
MAP_CHANNELS = (4, 8, 16, 32, 64)

# Query parameter → the block field it sets, for each kind.
_BOTTLENECK = {"cin": "in_channels", "mid": "bottleneck_channels", "cout": "out_channels"}
WIDTH_PARAMETERS: dict[str, dict[str, str]] = {
    "bottleneck": _BOTTLENECK,
    "bottleneck_torchvision": _BOTTLENECK,
    "bottleneck_down": {**_BOTTLENECK, "stride": "stride"},
    "bottleneck_down_v1": {**_BOTTLENECK, "stride": "stride"},
    "mlpconv": {"cin": "in_channels", "k": "kernel_size", "c": "channels"},
    "inception": {
        "cin": "in_channels",
        "c1": "c1x1",
        "c3r": "c3x3_reduce",
        "c3": "c3x3",
        "c5r": "c5x5_reduce",
        "c5": "c5x5",
        "pp": "pool_proj",
    },
    "inverted_residual": {"cin": "in_channels", "cout": "out_channels", "t": "expansion", "stride": "stride"},
    "vit_ffn": {"cin": "in_channels", "d": "d_model", "ff": "dim_feedforward", "p": "patch_size"},
}

# Where a refusal of the block request sits in the page's query string (widths: by kind, above).
PARAMETER = {
    **INPUT_PARAMETER,
    ("input", "height"): "side",
    ("input", "width"): "side",
    ("input", "channels"): "cin",
    ("max_side",): "side",
    ("weights_id",): "wid",
    ("explain", "stage"): "node",
    ("explain", "channel"): "ch",
    ("encoding",): "mc",
    ("seed",): "seed",
}


def _one_of(*allowed: int) -> AfterValidator:
    """An int from `allowed` (query strings are parsed to int first: a Literal of ints refuses text)."""

    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError(f"Input should be {', '.join(map(str, allowed[:-1]))} or {allowed[-1]}")
        return value

    return AfterValidator(check)


def _triple(text: object) -> object:
    return [int(v) for v in text.split(",")] if isinstance(text, str) else text


class BlocksState(SourceState):
    kind: Literal[KINDS] = Field("bottleneck", alias="b")  # type: ignore[valid-type]
    cin: Count | None = None
    mid: Count | None = None
    cout: Count | None = None
    stride: Annotated[int, _one_of(1, 2)] | None = None
    k: Annotated[int, _one_of(1, 3, 5, 7, 9, 11)] | None = None
    c: Annotated[tuple[Count, Count, Count] | None, BeforeValidator(_triple)] = None  # mlpconv: "192,160,96"
    c1: Count | None = None
    c3r: Count | None = None
    c3: Count | None = None
    c5r: Count | None = None
    c5: Count | None = None
    pp: Count | None = None
    t: Count | None = None
    d: Count | None = None
    ff: Count | None = None
    p: Annotated[int, _one_of(2, 4, 8, 16)] | None = None
    side: Count = 56  # images are shrunk to this side; a random input is side × side
    seed: Seed = 0
    wid: str = Field("", pattern=r"^([0-9a-f]{32})?$")
    node: str = Field("", max_length=64, pattern=r"^[a-z0-9_.]*$")
    ch: Index = 0
    mc: Annotated[int, _one_of(*MAP_CHANNELS)] = 16
    view: Annotated[list[str], names_list(BLOCK_VIEWS)] = Field(default_factory=list)
    hide: Annotated[list[str], names_list((*BLOCK_CONTROLS, "controls"))] = Field(default_factory=list)


def one_by_one_stages(kind: str, widths: tuple) -> list[str]:
    twin = meta_twin(kind, widths)
    return [s.name for s in steps_of(twin) if s.module and is_one_by_one(twin.get_submodule(s.module))]


def stage_names(kind: str, widths: tuple) -> list[str]:
    return ["input", *(s.name for s in steps_of(meta_twin(kind, widths)))]


def block_request(state: BlocksState, explain: bool = True) -> BlockRequest:
    """The POST /api/block body a page state asks for. A selected 1×1 stage is explained."""
    if state.input.startswith("sample:") and (name := state.input.removeprefix("sample:")) not in SAMPLES:
        raise NotFound(("query", "in"), f"no sample named '{name}'; the samples are {', '.join(SAMPLES)}")
    block = {"kind": state.kind}
    for parameter, field in WIDTH_PARAMETERS[state.kind].items():
        value = getattr(state, parameter)
        if value is not None:
            block[field] = list(value) if isinstance(value, tuple) else value
    if state.input == "random":
        cin = block.get("in_channels", block_default(state.kind, "in_channels"))
        spec = {"source": "random", "channels": cin, "height": state.side, "width": state.side, "seed": state.rs}
    elif state.input == "upload":
        spec = {"source": "upload", "image_id": state.img}
    else:
        spec = {"source": "sample", "name": state.input.removeprefix("sample:")}
    body = {
        "block": block,
        "input": spec,
        "features": state.feat,
        "max_side": state.side,
        "seed": state.seed,
        "weights_id": state.wid or None,
        "encoding": "u8",
        "map_channels": state.mc,
    }
    request = BlockRequest.model_validate(body)
    if explain:
        kind, widths = spec_widths(request)
        node = state.node or one_by_one_stages(kind, widths)[0]
        if node not in stage_names(kind, widths):
            raise InputError(
                ("node",), f"'{node}' is not a stage of this block: {', '.join(stage_names(kind, widths))}"
            )
        if node in one_by_one_stages(kind, widths):
            request = request.model_copy(update={"explain": Explain(stage=node, channel=state.ch)})
    return request


def block_default(kind: str, field: str) -> int:
    model = next(m for m in BLOCK_MODELS if kind in m.model_fields["kind"].annotation.__args__)
    return model.model_fields[field].default


def query_parameter(state: BlocksState, field: tuple) -> str:
    """The query parameter of a request field (a refusal's), e.g. ("block", "out_channels") → "cout"."""
    if field and field[0] == "block" and len(field) > 1:
        by_field = {f: p for p, f in WIDTH_PARAMETERS[state.kind].items()}
        return by_field.get(str(field[1]), "b")
    if field and field[0] in ("node", "query"):
        return str(field[-1])
    return PARAMETER.get(tuple(field[:2]), PARAMETER.get(tuple(field[:1]), str(field[-1])))


def blocks(params: Mapping[str, str], settings: Settings, explain: bool = True) -> tuple[BlocksState, BlockRequest]:
    """A Blocks query string → its state and its block request, the block's widths checked."""
    build = functools.partial(block_request, explain=explain)
    return read_state(BlocksState, params, settings, build, check_block, query_parameter)


def rename(error: InputError, state: BlocksState) -> InputError:
    """A refusal met while running a page's request, named by its query parameter."""
    return type(error)(("query", query_parameter(state, error.field)), error.message)


def blocks_page_data(state: BlocksState, settings: Settings) -> dict:
    """What the page's script needs: the parsed state, the defaults, each kind's widths, the limits."""
    kinds = {}
    for kind, parameters in WIDTH_PARAMETERS.items():
        kinds[kind] = {parameter: block_default(kind, field) for parameter, field in parameters.items()}
    return {
        "state": query_values(state),
        "defaults": query_defaults(BlocksState),
        "kinds": kinds,
        "map_channels": list(MAP_CHANNELS),
        "limits": {
            "max_block_channels": settings.max_block_channels,
            "max_side": settings.max_side,
            "max_upload_bytes": settings.max_upload_bytes,
            "max_weights_bytes": settings.max_weights_bytes,
        },
    }


def blocks_data(params: Mapping[str, str], settings: Settings, explain_all: bool = False) -> dict:
    """The block's answer for a page's query string (the page fetches it; the export embeds it with
    every 1×1 stage explained)."""
    state, request = blocks(params, settings)
    try:
        return block_answer(request, settings, explain_all)
    except InputError as error:
        raise rename(error, state) from error


def blocks_json(params: Mapping[str, str], settings: Settings) -> bytes:
    """blocks_data as JSON bytes."""
    return dumps(blocks_data(params, settings))


def block_input_file(params: Mapping[str, str], settings: Settings) -> bytes:
    """The block's input X (Cin, H, W) for a page's query string, as `torch.save` writes it."""
    state, request = blocks(params, settings, explain=False)
    try:
        x = block_input_tensor(request, settings)
    except InputError as error:
        raise rename(error, state) from error
    buffer = io.BytesIO()
    torch.save(x.clone(), buffer)
    return buffer.getvalue()
