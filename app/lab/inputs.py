"""An input spec of a request → the tensor X (Cin, H, W) and its channel names, within the limits.

/api/mix, /api/learn, /api/reduce and /api/block all read their input here, so the same spec
gives every one of them the same tensor.
"""

from dataclasses import dataclass

import torch

from app.config import Settings
from app.core import inputs
from app.core.errors import NotFound
from app.lab.limits import check_in_channels, check_side
from app.lab.models import Features, Input, RandomInput, SampleInput, UploadInput, ValuesInput
from app.lab.runtime import channel_cache, get_store, sample_image


def image_channels(spec: SampleInput | UploadInput, features: Features, max_side: int, settings: Settings):
    """Channels of a sample or upload at `max_side` (3 or 10, H, W), cached so that a weight edit
    recomputes nothing; the cache is bounded by bytes, so any mix of sizes does no harm. An evicted
    upload is a 404 in every worker, cached or not."""
    ref = spec.name if isinstance(spec, SampleInput) else spec.image_id
    key = (spec.source, ref, features, max_side)
    if isinstance(spec, UploadInput):
        # Asked of the shared store first: an image another worker evicted is a 404 here too,
        # even if this worker's cache still holds its channels.
        get_store(settings).blobs.touch(ref)

    def make() -> torch.Tensor:
        image = sample_image(ref) if isinstance(spec, SampleInput) else get_store(settings).get(ref)
        image = inputs.resize(image, max_side)  # (3, H, W)
        return inputs.feature_bank(image) if features == "bank" else image

    return channel_cache(settings.feature_cache_bytes).get(key, make)


@dataclass(frozen=True)
class InputShape:
    """What is known of X before it is built: its channel names, and H and W except for an
    upload (whose size is known once it is read from the store)."""

    names: list[str]
    height: int | None
    width: int | None


def input_shape(
    spec: Input, features: Features, max_side: int, settings: Settings, max_channels: int | None = None
) -> InputShape:
    """Check the spec against the limits and say what it makes, without making it. A random or
    explicit input has at most `max_channels` channels: the Settings' max_in_channels unless a
    service allows more (a block takes as many as its own width)."""
    limit = max_channels or settings.max_in_channels
    if isinstance(spec, RandomInput):
        check_side(("input", "height"), spec.height, settings)
        check_side(("input", "width"), spec.width, settings)
        check_in_channels(("input", "channels"), spec.channels, limit)
        return InputShape(inputs.numbered_names(spec.channels), spec.height, spec.width)
    if isinstance(spec, ValuesInput):
        c_in, height, width = len(spec.values), len(spec.values[0]), len(spec.values[0][0])
        check_in_channels(("input", "values"), c_in, limit)
        check_side(("input", "values"), max(height, width), settings)
        return InputShape(inputs.numbered_names(c_in), height, width)
    check_side(("max_side",), max_side, settings)
    names = inputs.BANK_NAMES if features == "bank" else inputs.RGB_NAMES
    if isinstance(spec, SampleInput):
        if spec.name not in inputs.SAMPLES:
            known = ", ".join(inputs.SAMPLES)
            raise NotFound(("input", "name"), f"no sample named '{spec.name}'; the samples are {known}")
        side = min(max_side, inputs.SAMPLE_SIDE)  # samples are square, and never enlarged
        return InputShape(names, side, side)
    return InputShape(names, None, None)


def load_input(
    spec: Input, features: Features, max_side: int, settings: Settings, max_channels: int | None = None
) -> tuple[torch.Tensor, list[str]]:
    """The input X (Cin, H, W), float32 on the CPU, and its channel names."""
    names = input_shape(spec, features, max_side, settings, max_channels).names
    if isinstance(spec, RandomInput):
        return inputs.random_tensor(spec.channels, spec.height, spec.width, spec.seed, spec.distribution), names
    if isinstance(spec, ValuesInput):
        return torch.tensor(spec.values, dtype=torch.float32), names  # (C, H, W)
    return image_channels(spec, features, max_side, settings), names
