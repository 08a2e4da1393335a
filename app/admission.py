"""Admission control: at most `slots` heavy requests of a pool at once per worker, a bounded queue
behind them, and an immediate refusal past the queue.

One table, HEAVY, names the path prefixes whose work is heavy and the pool each one draws from.
The middleware in app/middleware.py applies it to every request and keeps the slot until the
response body has been sent, so that answers waiting for slow readers cannot pile up in memory.
"""

from collections import deque
from dataclasses import dataclass

import anyio

from app.config import Settings

# Path prefix → pool. The first matching prefix wins; a path matching none is not admission-controlled.
HEAVY: dict[str, str] = {
    "/api/mix": "compute",
    "/api/cost/": "compute",
    "/api/images": "compute",  # decoding an upload
    "/api/reduce": "compute",
    "/api/block": "compute",  # also /api/blocks/weights
    "/api/learn": "train",  # training runs for seconds: fewer slots
    "/export/": "compute",
    "/data/": "compute",
}


def pool_name(path: str) -> str | None:
    """The pool a request path draws from, or None when its work is light."""
    return next((pool for prefix, pool in HEAVY.items() if path.startswith(prefix)), None)


class Busy(Exception):
    """The pool's slots and its queue are all taken."""

    def __init__(self, pool: str, retry_after_s: int) -> None:
        super().__init__(f"the server is busy (the {pool} queue is full); retry in {retry_after_s} s")
        self.pool = pool
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class PoolLimits:
    slots: int
    queue: int


class Pool:
    """`slots` holders at once, at most `queue` waiting in arrival order, the rest refused with Busy.

    Lives on one event loop (one worker): its counters are touched only by coroutines of that loop.
    A slot freed while others wait is handed to the first waiter directly, so nobody can jump the queue.
    """

    def __init__(self, name: str, limits: PoolLimits, retry_after_s: int) -> None:
        self.name = name
        self.limits = limits
        self.retry_after_s = retry_after_s
        self.running = 0
        self.waiters: deque[anyio.Event] = deque()

    async def acquire(self) -> None:
        if self.running < self.limits.slots and not self.waiters:
            self.running += 1
            return
        if len(self.waiters) >= self.limits.queue:
            raise Busy(self.name, self.retry_after_s)
        turn = anyio.Event()
        self.waiters.append(turn)
        try:
            await turn.wait()
        except BaseException:
            if turn in self.waiters:
                self.waiters.remove(turn)  # cancelled while waiting: never held a slot
            else:
                self.release()  # cancelled just as the slot was handed over: pass it on
            raise

    def release(self) -> None:
        if self.waiters:
            self.waiters.popleft().set()  # the slot changes hands; `running` stays the same
        else:
            self.running -= 1


def make_pools(settings: Settings) -> dict[str, Pool]:
    """The pools of one worker, sized from the settings."""
    limits = {
        "compute": PoolLimits(settings.compute_slots, settings.compute_queue),
        "train": PoolLimits(settings.train_slots, settings.train_queue),
    }
    return {name: Pool(name, limits[name], settings.retry_after_s) for name in sorted(set(HEAVY.values()))}
