"""POST /api/block as a service: a block from its spec and a seed (or uploaded weights), its input from
the request, every limit checked against the Settings, the block run stage by stage, the answer.

An image with fewer channels than the block's Cin is filled by a fixed, seeded 1×1 stem, and the
answer says so (`input.stem`): nothing is filled silently. More channels than Cin is refused.
"""

from dataclasses import dataclass

import torch

from app.config import Settings
from app.core.blocks import PatchFFN, token_ffn_difference
from app.core.device import device_name
from app.core.errors import InputError
from app.core.mixing import explain_channel
from app.core.stages import STEM_SEED, BlockRun, Widths, fill_channels, load_weights, plan, run, widths_of
from app.core.stages import build as build_block
from app.lab.blocks.code import block_program
from app.lab.blocks.models import BlockRequest, Explain
from app.lab.blocks.weights import get_weights
from app.lab.encoding import NotFinite, dumps, encode
from app.lab.inputs import load_input
from app.lab.limits import check_answer
from app.lab.runtime import get_device

EXPLAIN_TERMS = 8  # a weighted sum shows its largest terms one by one, the rest as one map


def spec_widths(request: BlockRequest) -> tuple[str, Widths]:
    """The block's kind and its constructor arguments."""
    fields = request.block.model_dump(exclude={"kind"})
    return request.block.kind, widths_of(fields)


def check_block(request: BlockRequest, settings: Settings) -> None:
    """Every width within `max_block_channels`; an identity shortcut needs out_channels == in_channels."""
    spec, limit = request.block, settings.max_block_channels
    for name, value in spec.model_dump(exclude={"kind"}).items():
        values = value if isinstance(value, tuple | list) else [value]
        for i, width in enumerate(values):
            field = ("block", name, i) if isinstance(value, tuple | list) else ("block", name)
            if name not in ("stride", "kernel_size", "expansion", "patch_size") and width > limit:
                raise InputError(field, f"{width} channels is over the limit of {limit}")
    if spec.kind == "inverted_residual" and spec.in_channels * spec.expansion > limit:
        hidden = spec.in_channels * spec.expansion
        raise InputError(
            ("block", "expansion"),
            f"the hidden width t·in_channels = {spec.expansion}·{spec.in_channels} = {hidden} "
            f"is over the limit of {limit}",
        )
    if spec.kind in ("bottleneck", "bottleneck_torchvision") and spec.out_channels != spec.in_channels:
        raise InputError(
            ("block", "out_channels"),
            f"the identity shortcut adds the input to the branch, so out_channels must equal "
            f"in_channels = {spec.in_channels}, not {spec.out_channels} (bottleneck_down has a projection shortcut)",
        )


@dataclass(frozen=True)
class BlockInput:
    x: torch.Tensor  # (Cin, H, W)
    names: list[str]
    stem: dict | None  # how channels the image lacks were filled, or None


def block_input(request: BlockRequest, c_in: int, settings: Settings) -> BlockInput:
    """X (Cin, H, W): the request's input, its missing channels filled by the seeded 1×1 stem."""
    # A random input may be as wide as a block (max_block_channels), past the Mixer's max_in_channels.
    x, names = load_input(request.input, request.features, request.max_side, settings, settings.max_block_channels)
    c = x.shape[0]
    if c > c_in:
        raise InputError(
            ("block", "in_channels"),
            f"the input has {c} channels and this block takes in_channels = {c_in}: widen the block to {c}, "
            "or choose fewer channels",
        )
    if c == c_in:
        return BlockInput(x, names, None)
    stem = {"image_channels": c, "filled": c_in - c, "seed": STEM_SEED}
    return BlockInput(fill_channels(x, c_in), [*names, *(f"stem {i}" for i in range(c_in - c))], stem)


def check_work(request: BlockRequest, kind: str, widths: Widths, shape: tuple[int, int, int], settings: Settings):
    """The block's multiply–adds at this input size, and its answer's size, within the Settings:
    both known from the block's plan, before it runs."""
    planned = plan(kind, widths, *shape)
    work = sum(count.multiply_adds for count in planned.counts.values())
    if work > settings.max_block_work:
        _, height, width = shape
        raise InputError(
            ("max_side",) if request.input.source in ("sample", "upload") else ("input", "height"),
            f"the block's {work} multiply–adds at {height}×{width} are over the work limit of "
            f"{settings.max_block_work}: use a smaller input or narrower widths",
        )
    check_answer(answer_values(planned.shapes, request), request.encoding, settings, "ask for fewer map_channels")


def explained(result: BlockRun, block: torch.nn.Module, wanted: Explain, enc: str) -> dict:
    """One output channel n of a 1×1 stage as Σ_c W[n, c]·X[c] + b[n], X being the stage it reads."""
    by_name = {stage.name: stage for stage in result.stages}
    stage = by_name.get(wanted.stage)
    one_by_one = [s.name for s in result.stages if s.one_by_one]
    if stage is None or not stage.one_by_one:
        raise InputError(
            ("explain", "stage"), f"'{wanted.stage}' is not a 1×1 convolution here; those are {', '.join(one_by_one)}"
        )
    conv = block.get_submodule(stage.module)
    c_out, c_in = conv.weight.shape[:2]
    if wanted.channel >= c_out:
        raise InputError(("explain", "channel"), f"channel {wanted.channel} does not exist: {stage.name} has {c_out}")
    stride = conv.stride[0]
    x = by_name[stage.inputs[0]].output[:, ::stride, ::stride]  # (Cin, H', W'): what the 1×1 conv sees
    weight = conv.weight.detach()[:, :, 0, 0]  # (Cout, Cin)
    bias = conv.bias.detach() if conv.bias is not None else torch.zeros(c_out, device=weight.device)
    e = explain_channel(x, weight, bias, wanted.channel)
    energy = e.contributions.abs().mean(dim=(1, 2))  # (Cin,): how much each term moves the sum
    terms = energy.argsort(descending=True)[:EXPLAIN_TERMS]
    rest = e.total - bias[wanted.channel] - e.contributions[terms].sum(dim=0)  # (H', W')
    return {
        "stage": stage.name,
        "channel": wanted.channel,
        "matrix": {"shape": [c_out, c_in], "values": encode(weight, enc), "bias": bias.tolist()},
        "weights": e.weights.tolist(),
        "bias": e.bias,
        "terms": terms.tolist(),
        "contributions": encode(e.contributions[terms], enc),
        "rest": encode(rest, enc) if c_in > EXPLAIN_TERMS else None,
        "sum": encode(e.total, enc),
        "max_abs_error": e.max_abs_error,
    }


def check_stages(result: BlockRun, request: BlockRequest) -> None:
    """Every stage's output finite, or a refusal naming the first stage that overflowed: weights
    within max_weight_abs can still multiply past float32's range over a few layers."""
    field = ("weights_id",) if request.weights_id is not None else ("input",)
    for stage in result.stages:
        if not bool(torch.isfinite(stage.output).all()):
            raise NotFinite(
                field,
                f"stage '{stage.name}' overflowed float32: its output holds values that are not finite "
                "(NaN or ±infinity); use smaller weights",
            )


def answer_values(shapes: dict[str, tuple[int, int, int]], request: BlockRequest) -> int:
    """How many numbers the answer's maps hold: each stage's first map_channels maps, and the explanation's
    (its largest terms, the rest, the sum, and W)."""
    values = sum(min(c, request.map_channels) * h * w for c, h, w in shapes.values())
    if request.explain is not None and request.explain.stage in shapes:
        c_out, h, w = shapes[request.explain.stage]
        c_in = max(c for c, _, _ in shapes.values())  # at most the widest stage it could read
        values += (min(c_in, EXPLAIN_TERMS) + 2) * h * w + c_out * c_in
    return values


def stats(t: torch.Tensor) -> dict:
    """Mean, standard deviation, fraction of exact zeros (ReLU's work), min and max of a stage's output."""
    std, mean = torch.std_mean(t, correction=0)
    low, high = torch.aminmax(t)
    zeros = 1 - torch.count_nonzero(t).item() / t.numel()
    return {"mean": mean.item(), "std": std.item(), "zeros": zeros, "min": low.item(), "max": high.item()}


def block_answer(request: BlockRequest, settings: Settings, explain_all: bool = False) -> dict:
    """Everything POST /api/block answers, as a JSON-ready dict, maps in the requested encoding.

    `explain_all` adds `explains`: every 1×1 stage's weighted sum of the requested channel (or its
    last one), for an export that has no server to ask."""
    check_block(request, settings)
    kind, widths = spec_widths(request)
    c_in = request.block.in_channels
    device = get_device(settings.device)
    with torch.no_grad():
        given = block_input(request, c_in, settings)
        check_work(request, kind, widths, tuple(given.x.shape), settings)
        block = build_block(kind, widths, request.seed)
        if request.weights_id is not None:
            load_weights(block, get_weights(request.weights_id, settings))
        block = block.to(device)
        result = run(kind, widths, block, given.x.to(device))
        check_stages(result, request)
        explain = None
        if request.explain is not None:
            explain = explained(result, block, request.explain, request.encoding)
        explains = {}
        if explain_all:
            channel = request.explain.channel if request.explain else 0
            for s in result.stages:
                if s.one_by_one:
                    wanted = Explain(stage=s.name, channel=min(channel, s.output.shape[0] - 1))
                    explains[s.name] = explained(result, block, wanted, request.encoding)
        stages = [
            {
                "name": s.name,
                "op": s.op,
                "inputs": list(s.inputs),
                "module": s.module,
                "shape": list(s.output.shape),
                "parameters": s.parameters,
                "multiply_adds": s.multiply_adds,
                "one_by_one": s.one_by_one,
                "stats": stats(s.output),
                "maps": encode(s.output[: request.map_channels], request.encoding),
            }
            for s in result.stages
        ]
    answer = {
        "block": {"kind": kind, **dict(widths)},
        "input": {"shape": list(given.x.shape), "channel_names": given.names, "stem": given.stem},
        "stages": stages,
        "parameters": result.parameters,
        "multiply_adds": result.multiply_adds,
        "one_by_one": {"parameters": result.one_by_one.parameters, "multiply_adds": result.one_by_one.multiply_adds},
        "weights": {"weights_id": request.weights_id} if request.weights_id else {"seed": request.seed},
        "device": device_name(device),
        "code": block_program(kind, widths, request.seed, request.weights_id is not None),
    }
    if isinstance(block, PatchFFN):
        by_name = {s.name: s.output for s in result.stages}
        difference = token_ffn_difference(block, by_name["patch"], by_name["conv2"])
        answer["ffn_check"] = {"tokens": by_name["patch"][0].numel(), "max_difference": difference}
    if explain is not None:
        answer["explain"] = explain
    if explain_all:
        answer["explains"] = explains
    return answer


def block_input_tensor(request: BlockRequest, settings: Settings) -> torch.Tensor:
    """The block's input X (Cin, H, W) as it ran, for the saved input the copied code loads."""
    check_block(request, settings)
    return block_input(request, request.block.in_channels, settings).x


def block_json(request: BlockRequest, settings: Settings) -> bytes:
    """block_answer as JSON bytes."""
    return dumps(block_answer(request, settings))
