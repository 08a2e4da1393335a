"""POST /api/learn as a service: build X and the target from a request, check the limits, train,
and shape each event (`progress`, then `done`) as a JSON-ready dict.

The route streams the events as they come (training runs in a worker thread and stops when told);
with `Accept: application/json` it answers the `done` object alone.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
import itertools

import torch

from app.config import Settings
from app.core import learn, weights
from app.core.errors import InputError
from app.core.reduce import PrincipalComponents, principal_components, standardised, train_autoencoder
from app.lab.encoding import encode
from app.lab.inputs import input_shape, load_input
from app.lab.learn.models import AutoencoderTarget, LearnRequest, PresetTarget, RandomTarget
from app.lab.limits import check_answer, check_out_channels

Event = tuple[str, dict]


def check_training(request: LearnRequest, c_in: int, c_out: int, pixels: int, settings: Settings) -> None:
    """Steps, progress events, hidden width and work within the settings; each refusal names its field."""
    if request.steps > settings.max_train_steps:
        raise InputError(("steps",), f"{request.steps} steps is over the limit of {settings.max_train_steps}")
    if request.steps * pixels > settings.max_train_pixel_steps:
        raise InputError(
            ("steps",),
            f"steps × H·W = {request.steps} × {pixels} is over the limit of {settings.max_train_pixel_steps}",
        )
    events = request.steps // request.every
    if events > settings.max_progress_events:
        raise InputError(
            ("every",),
            f"{request.steps} steps every {request.every} make {events} progress events, over the limit of "
            f"{settings.max_progress_events}",
        )
    if request.hidden is not None and request.hidden > settings.max_hidden:
        raise InputError(("hidden",), f"a hidden width of {request.hidden} is over the limit of {settings.max_hidden}")
    widths = [c_in, c_out] if request.hidden is None else [c_in, request.hidden, c_out]
    weights_count = sum(a * b for a, b in itertools.pairwise(widths))
    work = request.steps * pixels * weights_count
    if work > settings.max_train_work:
        raise InputError(
            ("steps",),
            f"steps × H·W × weights = {request.steps} × {pixels} × {weights_count} is over the training work "
            f"limit of {settings.max_train_work}",
        )
    maps = max(c_in + c_out, 2 * c_out)  # the first event's X and T, or the last one's output and T
    check_answer(maps * pixels, request.encoding, settings, "use a smaller max_side")


def check_target(request: LearnRequest, names: list[str], settings: Settings) -> int:
    """The target fits the input's channels, and its Cout (returned; for an autoencoder, Cin) the limit."""
    target, c_in = request.target, len(names)
    if isinstance(target, PresetTarget):
        if weights.rgb_indices(names) is None:
            message = f"preset '{target.preset}' mixes red, green and blue; this input has channels {names}"
            raise InputError(("target", "preset"), message)
        return len(weights.COLOUR_PRESETS[target.preset][0])
    if isinstance(target, AutoencoderTarget):
        return c_in
    if isinstance(target, RandomTarget):
        c_out, field = target.random.out_channels, ("target", "random", "out_channels")
    else:
        c_out, field = len(target.weight), ("target", "weight")
        if len(target.weight[0]) != c_in:
            shape = [c_out, len(target.weight[0])]
            raise InputError(field, f"W* must be Cout×Cin with Cin = {c_in}, not {shape}")
        if target.bias is not None and len(target.bias) != c_out:
            raise InputError(("target", "bias"), f"b* must have Cout = {c_out} values, not {len(target.bias)}")
    check_out_channels(field, c_out, settings)
    return c_out


def check_autoencoder(request: LearnRequest, c_in: int) -> None:
    """An autoencoder's target is the input itself, its hidden width the rank."""
    rank = request.target.autoencoder.rank
    if rank > c_in:
        raise InputError(("target", "autoencoder", "rank"), f"rank {rank} is over Cin = {c_in}")
    if request.hidden is not None:
        raise InputError(("hidden",), "an autoencoder's hidden width is its rank: leave hidden out")
    if request.target_activation != "none":
        raise InputError(("target_activation",), "an autoencoder reproduces its input: no activation on the target")
    if request.noise != 0:
        raise InputError(("noise",), "an autoencoder reproduces its input: no noise on the target")


def export_cost(request: LearnRequest, settings: Settings) -> tuple[int, int, int]:
    """(steps × H·W, steps × H·W × weights, map values) of one run of an export, before it is built;
    the maps are those its first and last events carry (X and T, then the output and T). An
    upload's size is not known yet: its max_side² bounds it. Call after check_learn_request."""
    shape = input_shape(request.input, request.features, request.max_side, settings)
    c_in = len(shape.names)
    c_out = check_target(request, shape.names, settings)
    pixels = shape.height * shape.width if shape.height is not None else request.max_side**2
    if isinstance(request.target, AutoencoderTarget):
        widths = [c_in, request.target.autoencoder.rank, c_in]
    else:
        widths = [c_in, c_out] if request.hidden is None else [c_in, request.hidden, c_out]
    weights_count = sum(a * b for a, b in itertools.pairwise(widths))
    return request.steps * pixels, request.steps * pixels * weights_count, (c_in + 3 * c_out) * pixels


def check_learn_request(request: LearnRequest, settings: Settings) -> None:
    """Every limit that can be checked before X is built (all of them but an upload's size)."""
    shape = input_shape(request.input, request.features, request.max_side, settings)
    c_out = check_target(request, shape.names, settings)
    if isinstance(request.target, AutoencoderTarget):
        check_autoencoder(request, len(shape.names))
    if shape.height is not None and shape.width is not None:
        check_training(request, len(shape.names), c_out, shape.height * shape.width, settings)


def target_mixing(request: LearnRequest, x: torch.Tensor, names: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """W* (Cout, Cin) and b* (Cout) of a preset, hidden or explicit target (checked by check_target)."""
    target = request.target
    if isinstance(target, PresetTarget):
        return weights.colour_preset(target.preset, names)
    if isinstance(target, RandomTarget):
        return learn.hidden_mixing(x, target.random.out_channels, target.random.seed)
    weight = torch.tensor(target.weight, dtype=torch.float32)
    bias = torch.zeros(weight.shape[0]) if target.bias is None else torch.tensor(target.bias, dtype=torch.float32)
    return weight, bias


@dataclass(frozen=True)
class Lesson:
    """What one training run needs, built and checked: the model is fitted to `goal` on `x`."""

    request: LearnRequest
    x: torch.Tensor  # (Cin, H, W), the input
    names: list[str]  # X's channel names
    goal: torch.Tensor  # (Cout, H, W), what the model must reproduce (an autoencoder: X centred, or standardised)
    target_weight: torch.Tensor | None  # W* (Cout, Cin), None for an autoencoder
    target_bias: torch.Tensor | None  # b* (Cout,)
    pca: PrincipalComponents | None  # the autoencoder's bound
    rank: int | None


def prepare(request: LearnRequest, settings: Settings) -> Lesson:
    """Build X and the target and check every limit; no training yet."""
    with torch.inference_mode():
        x, names = load_input(request.input, request.features, request.max_side, settings)
        c_in, height, width = x.shape
        if isinstance(request.target, AutoencoderTarget):
            check_autoencoder(request, c_in)
            check_training(request, c_in, c_in, height * width, settings)
            spec = request.target.autoencoder
            z, _, _ = standardised(x, spec.standardise)  # what the autoencoder gives back: X centred (and scaled)
            goal = z.float().reshape(c_in, height, width)  # (Cin, H, W)
            return Lesson(request, x, names, goal, None, None, principal_components(x, spec.standardise), spec.rank)
        check_target(request, names, settings)
        weight, bias = target_mixing(request, x, names)
        check_training(request, c_in, weight.shape[0], height * width, settings)
        goal = learn.make_target(x, weight, bias, request.target_activation, request.noise, request.seed)
    return Lesson(request, x, names, goal, weight, bias, None, None)


def parameters(progress: learn.Progress, two_layers: bool) -> dict:
    """{"weight", "bias"} of a one-layer model, or {"layers": [{"weight", "bias"}, …]}."""
    layers = [{"weight": w.tolist(), "bias": b.tolist()} for w, b in progress.layers]
    return {"layers": layers} if two_layers else layers[0]


def run_lesson(lesson: Lesson, should_stop: Callable[[], bool] | None = None) -> Iterator[Event]:
    """("progress", {...}) every `every` steps, then ("done", {...}); nothing more once stopped.

    The first progress event (step 0) also carries what the page draws beside the training: the
    input X and its channel names, the target T and its W*, b* (or the PCA bound), and the
    least-squares optimum."""
    request, enc = lesson.request, lesson.request.encoding
    two_layers = request.hidden is not None or lesson.rank is not None
    if lesson.pca is None:
        fit = learn.least_squares(lesson.x, lesson.goal)
        optimum = {"weight": fit.weight.tolist(), "bias": fit.bias.tolist(), "loss": fit.loss}
        reference = {"least_squares": optimum}
        start = {"target_weight": lesson.target_weight.tolist(), "target_bias": lesson.target_bias.tolist()}
    else:
        standardise = request.target.autoencoder.standardise
        reference = {"pca": {"rank": lesson.rank, "loss": lesson.pca.loss(lesson.rank), "standardised": standardise}}
        start = {}
    options = {"optimizer": request.optimizer, "lr": request.lr, "steps": request.steps, "every": request.every}
    options |= {"momentum": request.momentum, "seed": request.seed, "should_stop": should_stop}
    if lesson.rank is not None:
        standardise = request.target.autoencoder.standardise
        training = train_autoencoder(lesson.x, lesson.rank, standardise=standardise, **options)
    else:
        training = learn.train(lesson.x, lesson.goal, hidden=request.hidden, **options)
    for progress in training:
        event = {"step": progress.step, "loss": progress.loss, **parameters(progress, two_layers)}
        if progress.step == 0:
            event |= {**start, **reference, "channel_names": lesson.names}
            event |= {"input": encode(lesson.x, enc), "target": encode(lesson.goal, enc)}
        if progress.output is not None:
            yield (
                "done",
                event | reference | {"output": encode(progress.output, enc), "target": encode(lesson.goal, enc)},
            )
        else:
            yield "progress", event


def record(request: LearnRequest, settings: Settings) -> dict:
    """A whole run kept for an export: {"history": {"steps", "losses"}, "start": the first
    progress event, "done": the done event}."""
    history: dict[str, list] = {"steps": [], "losses": []}
    start = done = None
    for name, event in run_lesson(prepare(request, settings)):
        history["steps"].append(event["step"])
        history["losses"].append(event["loss"])
        start = start or event
        done = event if name == "done" else done
    return {"history": history, "start": start, "done": done}
