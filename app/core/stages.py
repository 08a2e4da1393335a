"""A block built from a seed (or a state dict) and run stage by stage: every intermediate tensor,
with the parameters and multiply–adds of the layer that made it.

Shapes: the block's input X (Cin, H, W); each stage's output (C, H', W'). Counts come from cost.py:
the block's twin on the meta device, one submodule at a time, through FlopCounterMode.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
import threading

import torch
from torch import Tensor, nn

from app.core import cost
from app.core.blocks import (
    BLOCKS,
    Bottleneck,
    DownsamplingBottleneck,
    Inception,
    InvertedResidual,
    MlpConv,
    OriginalDownsamplingBottleneck,
    PatchFFN,
    TorchvisionBottleneck,
)
from app.core.errors import InputError
from app.core.mixing import mix
from app.core.weights import default_init

STEM_SEED = 0  # the fixed 1×1 stem that fills channels an image lacks

# torch.manual_seed seeds one global generator, and nn.Module constructors draw from it: one block
# at a time, inside fork_rng, so that concurrent requests neither share nor disturb its state.
_construction = threading.Lock()

Widths = tuple[tuple[str, int | tuple[int, ...]], ...]  # constructor arguments, hashable


def widths_of(widths: Mapping[str, int | tuple[int, ...]]) -> Widths:
    """Constructor arguments as a hashable tuple, in the order given."""
    return tuple((key, tuple(value) if isinstance(value, list) else value) for key, value in widths.items())


def build(kind: str, widths: Widths, seed: int) -> nn.Module:
    """Exactly `torch.manual_seed(seed); BLOCKS[kind](**widths)`, in eval mode, without touching the global RNG."""
    with _construction, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        block = BLOCKS[kind](**dict(widths))
    return block.eval()


# ---------------------------------------------------------------------------------------------
# The stages of each block's forward, in order: each names the submodule it calls (or the add /
# concatenation it does) and the stages it reads. Tests hold them to `forward` with forward hooks.


@dataclass(frozen=True)
class Step:
    """One stage of a block: `module` (a submodule path) applied to one input, or an add / a concat."""

    name: str
    inputs: tuple[str, ...]
    module: str | None = None
    combine: str | None = None  # "add" or "concat" when module is None


def call(name: str, source: str, module: str | None = None) -> Step:
    return Step(name, (source,), module=module or name)


def add(name: str, *sources: str) -> Step:
    return Step(name, sources, combine="add")


def concat(name: str, *sources: str) -> Step:
    return Step(name, sources, combine="concat")


def three_convs(activation: str) -> tuple[Step, ...]:
    """conv → BN → activation twice, then conv → BN: a bottleneck's branch (ReLU), or an inverted
    residual's (ReLU6)."""
    return (
        call("conv1", "input"),
        call("bn1", "conv1"),
        call("relu1", "bn1", activation),
        call("conv2", "relu1"),
        call("bn2", "conv2"),
        call("relu2", "bn2", activation),
        call("conv3", "relu2"),
        call("bn3", "conv3"),
    )


BOTTLENECK_STEPS = (*three_convs("relu"), add("add", "bn3", "input"), call("relu3", "add", "relu"))
DOWNSAMPLING_STEPS = (  # the bottleneck's stages, with a projection on the shortcut
    *three_convs("relu"),
    call("downsample.0", "input"),
    call("downsample.1", "downsample.0"),
    add("add", "bn3", "downsample.1"),
    BOTTLENECK_STEPS[-1],
)
STEPS: dict[type[nn.Module], tuple[Step, ...]] = {
    Bottleneck: BOTTLENECK_STEPS,
    TorchvisionBottleneck: BOTTLENECK_STEPS,
    DownsamplingBottleneck: DOWNSAMPLING_STEPS,
    OriginalDownsamplingBottleneck: DOWNSAMPLING_STEPS,
    MlpConv: (
        call("conv1", "input"),
        call("relu1", "conv1", "relu"),
        call("conv2", "relu1"),
        call("relu2", "conv2", "relu"),
        call("conv3", "relu2"),
        call("relu3", "conv3", "relu"),
    ),
    Inception: (
        call("branch1", "input"),
        call("branch1_relu", "branch1", "relu"),
        call("branch2_reduce", "input"),
        call("branch2_reduce_relu", "branch2_reduce", "relu"),
        call("branch2", "branch2_reduce_relu"),
        call("branch2_relu", "branch2", "relu"),
        call("branch3_reduce", "input"),
        call("branch3_reduce_relu", "branch3_reduce", "relu"),
        call("branch3", "branch3_reduce_relu"),
        call("branch3_relu", "branch3", "relu"),
        call("branch4_pool", "input"),
        call("branch4", "branch4_pool"),
        call("branch4_relu", "branch4", "relu"),
        concat("concat", "branch1_relu", "branch2_relu", "branch3_relu", "branch4_relu"),
    ),
    InvertedResidual: (*three_convs("relu6"), add("add", "bn3", "input")),
    PatchFFN: (
        call("patch", "input"),
        call("conv1", "patch"),
        call("gelu", "conv1"),
        call("conv2", "gelu"),
    ),
}


def steps_of(block: nn.Module) -> tuple[Step, ...]:
    """The stages of `block.forward`; an inverted residual adds its input back only when shapes match."""
    steps = STEPS[type(block)]
    if isinstance(block, InvertedResidual) and not block.use_residual:
        return steps[:-1]
    return steps


@lru_cache(maxsize=64)
def meta_twin(kind: str, widths: Widths) -> nn.Module:
    """The same block on the meta device: shapes without storage, for counting."""
    with torch.device(cost.META):
        return BLOCKS[kind](**dict(widths)).eval()


def is_one_by_one(module: nn.Module | None) -> bool:
    """A 1×1 convolution that mixes channels (not a depthwise one)."""
    return isinstance(module, nn.Conv2d) and module.kernel_size == (1, 1) and module.groups == 1


def op_of(module: nn.Module | None, combine: str | None) -> str:
    """What a stage does, in PyTorch's words: "Conv2d 1×1", "Conv2d 3×3 /2 dw", "BatchNorm2d", "+", "cat"."""
    if module is None:
        return {"add": "+", "concat": "cat"}[combine or ""]
    if isinstance(module, nn.Conv2d | nn.MaxPool2d):
        k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
        s = module.stride if isinstance(module.stride, int) else module.stride[0]
        depthwise = isinstance(module, nn.Conv2d) and module.groups > 1
        return f"{type(module).__name__} {k}×{k}" + (f" /{s}" if s > 1 else "") + (" dw" if depthwise else "")
    return type(module).__name__


@dataclass(frozen=True)
class Stage:
    name: str
    op: str
    inputs: tuple[str, ...]  # the stages it reads
    module: str | None  # the submodule it calls
    output: Tensor  # (C, H, W)
    parameters: int
    multiply_adds: int
    one_by_one: bool


@dataclass(frozen=True)
class BlockRun:
    stages: list[Stage]  # the input first, the block's output last
    parameters: int
    multiply_adds: int
    one_by_one: cost.Count  # the 1×1 convolutions alone


@dataclass(frozen=True)
class Plan:
    """What a block does to an input of one size, known without running it: each stage's output
    shape (C, H, W), and the parameters and multiply–adds of each stage that calls a submodule."""

    shapes: dict[str, tuple[int, int, int]]
    counts: dict[str, cost.Count]


@lru_cache(maxsize=256)
def plan(kind: str, widths: Widths, c_in: int, height: int, width: int) -> Plan:
    """The block's plan for a (Cin, H, W) input, from its twin on the meta device."""
    twin = meta_twin(kind, widths)
    shapes = {"input": (c_in, height, width)}
    counts: dict[str, cost.Count] = {}
    for step in steps_of(twin):
        if step.module is None:
            first = shapes[step.inputs[0]]
            channels = sum(shapes[source][0] for source in step.inputs) if step.combine == "concat" else first[0]
            shapes[step.name] = (channels, first[1], first[2])
            continue
        module = twin.get_submodule(step.module)
        counts[step.name] = cost.count_module(module, *shapes[step.inputs[0]])
        probe = module(torch.empty(1, *shapes[step.inputs[0]], device=cost.META))
        shapes[step.name] = tuple(probe.shape[1:])
    return Plan(shapes, counts)


def run(kind: str, widths: Widths, block: nn.Module, x: Tensor) -> BlockRun:
    """Run `block` on X (Cin, H, W) stage by stage, in eval mode, as its `forward` would."""
    block.eval()
    counts = plan(kind, widths, *x.shape).counts
    outputs: dict[str, Tensor] = {"input": x.unsqueeze(0)}  # (1, Cin, H, W)
    stages = [Stage("input", "input", (), None, x, 0, 0, False)]
    with torch.no_grad():
        for step in steps_of(block):
            sources = [outputs[source] for source in step.inputs]
            module = block.get_submodule(step.module) if step.module else None
            if module is None:
                out = torch.stack(sources).sum(0) if step.combine == "add" else torch.cat(sources, dim=1)
            else:
                # an in-place ReLU would overwrite the stage before it, which is kept and shown
                out = module(sources[0].clone() if getattr(module, "inplace", False) else sources[0])
            outputs[step.name] = out
            count = counts.get(step.name, cost.Count(0, 0))
            op = op_of(module, step.combine)
            stages.append(
                Stage(
                    step.name,
                    op,
                    step.inputs,
                    step.module,
                    out[0],
                    count.parameters,
                    count.multiply_adds,
                    is_one_by_one(module),
                )
            )
    one_by_one = [stage for stage in stages if stage.one_by_one]
    return BlockRun(
        stages,
        sum(p.numel() for p in block.parameters()),
        sum(stage.multiply_adds for stage in stages),
        cost.Count(sum(s.parameters for s in one_by_one), sum(s.multiply_adds for s in one_by_one)),
    )


def fill_channels(x: Tensor, c_in: int) -> Tensor:
    """X (C, H, W) with C < Cin → (Cin, H, W): X's own channels first, then Cin − C channels made by a
    fixed 1×1 convolution of them, `torch.manual_seed(STEM_SEED); nn.Conv2d(C, Cin − C, 1)`."""
    c = x.shape[0]
    weight, bias = default_init(c_in - c, c, STEM_SEED)  # (Cin − C, C), (Cin − C)
    filled, _ = mix(x, weight, bias)  # (Cin − C, H, W)
    return torch.cat([x, filled])


def load_weights(block: nn.Module, state: Mapping[str, Tensor]) -> None:
    """Load a state dict into `block`, checked key by key and shape by shape against the module's own.

    The first key that is missing, unexpected, of the wrong shape, or not finite is named in the
    InputError. BatchNorm's `num_batches_tracked` may be absent: eval mode never reads it.
    """
    expected = block.state_dict()
    for key, tensor in expected.items():
        if key not in state:
            if key.endswith("num_batches_tracked"):
                continue
            raise InputError(("weights_id",), f"the state dict lacks '{key}' (shape {list(tensor.shape)})")
        value = state[key]
        if tuple(value.shape) != tuple(tensor.shape):
            raise InputError(
                ("weights_id",),
                f"'{key}' has shape {list(value.shape)}; this block needs {list(tensor.shape)}",
            )
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise InputError(("weights_id",), f"'{key}' holds values that are not finite")
    for key in state:
        if key not in expected:
            raise InputError(("weights_id",), f"'{key}' is not a parameter or buffer of this block")
    block.load_state_dict({key: value for key, value in state.items()}, strict=False)
