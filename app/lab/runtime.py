"""Per-process singletons the services share: the device, the image store, the samples, a cache of
image channels bounded by the bytes it holds, and the hand-off of torch work to a worker thread.

How many of those threads run at once is the admission control's business (app/admission.py):
it admits a heavy request before its handler runs and holds the slot until the answer is sent.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
import threading
from typing import TypeVar

import anyio
import torch

from app.config import Settings
from app.core import inputs
from app.core.device import pick_device
from app.store import ImageStore

T = TypeVar("T")


@lru_cache
def get_device(preference: str) -> torch.device:
    return pick_device(preference)


@lru_cache
def get_store(settings: Settings) -> ImageStore:
    return ImageStore(
        settings.store_dir, settings.store_items, settings.uploads_per_minute, settings.store_items_per_address
    )


@lru_cache(maxsize=len(inputs.SAMPLES))
def sample_image(name: str) -> torch.Tensor:
    """A bundled sample at full size, (3, 512, 512), drawn once per process."""
    return inputs.SAMPLES[name][1](inputs.SAMPLE_SIDE)


async def in_thread(function: Callable[..., T], *args: object) -> T:
    """Run CPU-heavy `function(*args)` off the event loop, so that health checks and light routes
    keep answering while torch works."""
    return await anyio.to_thread.run_sync(function, *args)


class ByteCache:
    """A least-recently-used map of tensors, bounded by the bytes its values hold (not their count).

    A value larger than the whole budget is computed and returned but not kept. Thread-safe: the
    services run in worker threads.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[Hashable, torch.Tensor] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], torch.Tensor]) -> torch.Tensor:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        size = value.numel() * value.element_size()
        with self._lock:
            if size <= self.max_bytes and key not in self._items:
                self._items[key] = value
                self.bytes += size
                while self.bytes > self.max_bytes:
                    _, dropped = self._items.popitem(last=False)
                    self.bytes -= dropped.numel() * dropped.element_size()
        return value


@lru_cache
def channel_cache(max_bytes: int) -> ByteCache:
    return ByteCache(max_bytes)
