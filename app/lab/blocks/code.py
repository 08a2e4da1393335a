"""The PyTorch program a page copies for a block: the module as Pointwise defines it (its own source),
built as the page built it, and a loop that reproduces every stage on the saved input."""

from functools import lru_cache
import inspect

from app.core import blocks
from app.core.stages import Step, Widths, meta_twin, steps_of

INPUT_FILE = "block-input.pt"


@lru_cache(maxsize=len(blocks.BLOCKS))
def module_source(kind: str) -> str:
    """conv1x1, conv3x3 and the block's class (with its base class, for torchvision's bottleneck)."""
    cls = blocks.BLOCKS[kind]
    classes = [base for base in reversed(cls.__mro__) if base.__module__ == blocks.__name__]
    parts = [inspect.getsource(part) for part in (blocks.conv1x1, blocks.conv3x3, *classes)]
    return "\n\n".join(part.rstrip() for part in parts)


def submodule(path: str) -> str:
    """ "conv1" → block.conv1, "downsample.0" → block.downsample[0]."""
    return "block" + "".join(f"[{part}]" if part.isdigit() else f".{part}" for part in path.split("."))


def stage_line(step: Step, in_place: bool) -> str:
    sources = [f'stages["{source}"]' for source in step.inputs]
    if step.combine == "add":
        value = " + ".join(sources)
    elif step.combine == "concat":
        value = f"torch.cat([{', '.join(sources)}], dim=1)"
    else:
        # an in-place ReLU would overwrite the stage it reads, which is kept
        value = f"{submodule(step.module or '')}({sources[0]}{'.clone()' if in_place else ''})"
    return f'    stages["{step.name}"] = {value}'


def block_program(kind: str, widths: Widths, seed: int, uploaded: bool) -> str:
    """A runnable program: the module, its construction, the staged loop, and the check against forward."""
    block = meta_twin(kind, widths)  # for its steps and submodules only
    arguments = ", ".join(f"{key}={value!r}" for key, value in widths)
    lines = ["import torch", "from torch import Tensor, nn", "", "", module_source(kind), "", ""]
    if uploaded:
        lines += [
            "from safetensors.torch import load_file",
            "",
            f"block = {type(block).__name__}({arguments}).eval()",
            "# the state dict you uploaded (a .pt file: torch.load(path, weights_only=True))",
            'block.load_state_dict(load_file("weights.safetensors"), strict=False)',
        ]
    else:
        lines += [f"torch.manual_seed({seed})", f"block = {type(block).__name__}({arguments}).eval()"]
    lines += [
        f'x = torch.load("{INPUT_FILE}", weights_only=True)  # (Cin, H, W): the input the page ran',
        "",
        'stages = {"input": x[None]}  # each (1, C, H, W)',
        "with torch.no_grad():",
    ]
    for step in steps_of(block):
        module = block.get_submodule(step.module) if step.module else None
        lines.append(stage_line(step, bool(getattr(module, "inplace", False))))
    last = steps_of(block)[-1].name
    lines += [
        "    y = block(x[None])",
        "",
        "for name, out in stages.items():",
        '    print(f"{name:20} {tuple(out.shape[1:])}")',
        f'print("last stage == block(x):", torch.equal(stages["{last}"], y))',
        "",
    ]
    return "\n".join(lines)
