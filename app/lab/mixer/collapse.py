"""The non-linearity figure's data: two stacked 1×1 layers on a seeded random input, and the one
layer W2·W1 they collapse into when nothing non-linear sits between them."""

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field
import torch

from app.config import Settings
from app.core.mixing import collapse
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import mix_answer
from app.lab.query import QueryState, parse

SIDE = 24  # the input is 3×24×24
HIDDEN = 4  # Cin 3 → hidden 4 → Cout 3


class CollapseState(QueryState):
    seed: Annotated[int, Field(ge=0, le=2**32 - 2)] = 0  # the second layer uses seed + 1
    relu: Literal["0", "1"] = "0"


def collapse_figure(params: Mapping[str, str], settings: Settings) -> dict:
    """The figure's data for its query string."""
    state = parse(CollapseState, params)
    return collapse_data(state.seed, state.relu == "1", settings)


def collapse_data(seed: int, relu: bool, settings: Settings) -> dict:
    """Every tensor the figure draws: the two layers' answers and the single layer's."""
    x = {"source": "random", "channels": 3, "height": SIDE, "width": SIDE, "seed": seed, "distribution": "normal"}

    def run(**body) -> dict:
        return mix_answer(MixRequest.model_validate({**body, "encoding": "json"}), settings)

    # Each layer is PyTorch's own nn.Conv2d(…, 1) from its seed: seed, then seed + 1.
    first = run(
        input=x,
        out_channels=HIDDEN,
        weight={"init": "random", "seed": seed},
        bias={"init": "random", "seed": seed},
        activation="relu" if relu else "none",
    )
    second = run(
        input={"source": "values", "values": first["output"]["maps"]},
        out_channels=3,
        weight={"init": "random", "seed": seed + 1},
        bias={"init": "random", "seed": seed + 1},
    )
    tensors = [torch.tensor(a[key]["values"]) for a in (first, second) for key in ("weight", "bias")]
    weight, bias = collapse(*tensors)
    single = run(input=x, weight={"values": weight.tolist()}, bias={"values": bias.tolist()})
    return {"first": first, "second": second, "single": single, "relu": relu}
