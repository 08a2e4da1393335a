"""The lesson's folding figure's data: two stacked 1×1 layers on a seeded random input and the one
layer W2·W1 they collapse into when nothing non-linear sits between them; and a 1×1 layer followed by
BatchNorm in inference mode, against the one 1×1 layer they fold into."""

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field
import torch
from torch import nn

from app.config import Settings
from app.core.mixing import collapse, fold_batch_norm
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import mix_answer
from app.lab.query import QueryState, names_list, parse

SIDE = 24  # the input is 3×24×24
HIDDEN = 4  # Cin 3 → hidden 4 → Cout 3
COLLAPSE_VIEWS = ("collapse", "fold")


class CollapseState(QueryState):
    seed: Annotated[int, Field(ge=0, le=2**32 - 2)] = 0  # the second layer uses seed + 1
    relu: Literal["0", "1"] = "0"
    view: Annotated[list[str], names_list(COLLAPSE_VIEWS)] = Field(default_factory=list)


def collapse_figure(params: Mapping[str, str], settings: Settings) -> dict:
    """The figure's data for its query string."""
    state = parse(CollapseState, params)
    data = {**collapse_data(state.seed, state.relu == "1", settings), "views": shown(state)}
    return {**data, "fold": fold_data(state.seed, data["first"], settings)} if "fold" in data["views"] else data


def shown(state: CollapseState) -> list[str]:
    """The parts of the figure a state shows: its view, the collapse alone where it names none."""
    return state.view or ["collapse"]


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


def fold_data(seed: int, first: dict, settings: Settings) -> dict:
    """The first layer (W1, b1: 3 → 4) followed by PyTorch's nn.BatchNorm2d in inference mode, against
    the one 1×1 layer they fold into, run on the same input; the largest difference is measured here.

    BatchNorm's running statistics are measured on this input (one pass in training mode with
    momentum=None, the plain average); γ and β are drawn from the seed, as training would have moved them.
    """
    x = torch.tensor(first["input"]["maps"])[None]  # (1, 3, SIDE, SIDE)
    conv = nn.Conv2d(3, HIDDEN, 1)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(first["weight"]["values"])[:, :, None, None])
        conv.bias.copy_(torch.tensor(first["bias"]["values"]))
        norm = nn.BatchNorm2d(HIDDEN, momentum=None)
        norm(conv(x))  # training mode: records the running mean and variance of this input
        g = torch.Generator().manual_seed(seed)
        norm.weight.copy_(torch.empty(HIDDEN).uniform_(0.5, 2.0, generator=g))
        norm.bias.copy_(torch.empty(HIDDEN).uniform_(-1.0, 1.0, generator=g))
        norm.eval()
        reference = norm(conv(x))[0]  # (4, SIDE, SIDE): conv → BN, as PyTorch runs them
    stats = [norm.weight, norm.bias, norm.running_mean, norm.running_var]
    weight, bias = fold_batch_norm(conv.weight[:, :, 0, 0], conv.bias, *stats, norm.eps)
    x_spec = {"source": "values", "values": first["input"]["maps"]}
    body = {"input": x_spec, "weight": {"values": weight.tolist()}, "bias": {"values": bias.tolist()}}
    folded = mix_answer(MixRequest.model_validate({**body, "encoding": "json"}), settings)
    difference = (torch.tensor(folded["output"]["maps"]) - reference).abs().max().item()
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    return {
        "folded": folded,
        "reference": {"output": {"shape": list(reference.shape), "maps": reference.tolist()}},
        "scale": scale.tolist(),  # γ/σ
        "shift": (norm.bias - scale * norm.running_mean).tolist(),  # β − γ·μ/σ
        "gamma": norm.weight.tolist(),
        "beta": norm.bias.tolist(),
        "running_mean": norm.running_mean.tolist(),
        "running_var": norm.running_var.tolist(),
        "eps": norm.eps,
        "max_abs_difference": difference,
    }
