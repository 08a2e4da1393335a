"""POST /api/reduce as a service: the PCA of the input's channels over its pixels, and, for one
rank R, the reduced maps and the reconstruction."""

import torch

from app.config import Settings
from app.core.errors import InputError
from app.core.reduce import principal_components, reduce
from app.lab.encoding import encode
from app.lab.inputs import input_shape, load_input
from app.lab.learn.models import ReduceRequest
from app.lab.limits import check_answer


def check_rank(request: ReduceRequest, c_in: int) -> None:
    if request.rank is not None and request.rank > c_in:
        raise InputError(("rank",), f"rank {request.rank} is over Cin = {c_in}: a reduction keeps at most Cin channels")


def check_reduce(request: ReduceRequest, c_in: int, pixels: int, settings: Settings) -> None:
    check_rank(request, c_in)
    if request.rank is not None:
        check_answer((request.rank + c_in) * pixels, request.encoding, settings, "use a smaller max_side")


def check_reduce_request(request: ReduceRequest, settings: Settings) -> None:
    """Every limit that can be checked before X is built (all of them but an upload's size)."""
    shape = input_shape(request.input, request.features, request.max_side, settings)
    if shape.height is not None and shape.width is not None:
        check_reduce(request, len(shape.names), shape.height * shape.width, settings)


def reduce_answer(request: ReduceRequest, settings: Settings) -> dict:
    """{"ranks", "explained_variance_ratio", "relative_error"} (+ the maps for `rank`), JSON-ready."""
    with torch.inference_mode():
        x, names = load_input(request.input, request.features, request.max_side, settings)
        c_in, height, width = x.shape
        check_reduce(request, c_in, height * width, settings)
        pcs = principal_components(x, request.standardise)
        answer = {
            "channel_names": names,
            "shape": [c_in, height, width],
            "standardised": request.standardise,
            "ranks": list(range(1, c_in + 1)),
            "explained_variance_ratio": pcs.explained_variance_ratio.tolist(),
            "relative_error": pcs.relative_error.tolist(),
            "loss": [pcs.loss(rank) for rank in range(1, c_in + 1)],
        }
        if request.rank is not None:
            reduction = reduce(x, pcs, request.rank)
            answer |= {
                "rank": request.rank,
                "components": reduction.components.tolist(),
                "reduced": encode(reduction.reduced, request.encoding),
                "reconstruction": encode(reduction.reconstruction, request.encoding),
                "input": encode(x, request.encoding),
            }
    return answer
