"""Per-process singletons the routes depend on: settings, device, image store, feature cache, limiter."""

from functools import lru_cache
from typing import Annotated

import anyio
from fastapi import Depends
import torch

from app.config import Settings, get_settings
from app.core import inputs
from app.core.device import pick_device
from app.store import ImageStore

SettingsDep = Annotated[Settings, Depends(get_settings)]


@lru_cache
def get_device(preference: str) -> torch.device:
    return pick_device(preference)


@lru_cache
def get_store(settings: Settings) -> ImageStore:
    return ImageStore(settings.store_dir, settings.store_items)


@lru_cache
def get_limiter(slots: int) -> anyio.CapacityLimiter:
    """At most `slots` torch jobs at once per worker; the others wait here, off the event loop."""
    return anyio.CapacityLimiter(slots)


async def run_blocking(settings: Settings, function, *args):
    """Run CPU-heavy `function(*args)` in a worker thread behind the compute limiter."""
    return await anyio.to_thread.run_sync(function, *args, limiter=get_limiter(settings.compute_slots))


@lru_cache(maxsize=8)
def sample_image(name: str) -> torch.Tensor:
    """A bundled sample at full size, (3, 512, 512), drawn once per process."""
    return inputs.SAMPLES[name][1](inputs.SAMPLE_SIDE)
