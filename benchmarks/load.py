"""Thirty students on one laptop: a load test against a 2-worker server on loopback.

Each simulated student loads the Mixer page (HTML, scripts, plotly.js, the sample list), asks for
a first full mix, then makes 20 interactions with 0.3–1.5 s of think time between them: mostly
weight edits (the changed channel only, as the page asks), some probe clicks, and some changes of
Output channels (every output map). Grids travel in u8 with gzip, as the page asks for them.
Bounded: 30 students × 25 requests, and a 120 s deadline.

Prints p50/p95 latency of the interactions, errors, and the peak resident memory of all server
processes together. Targets: 0 errors, p95 ≤ 250 ms, ≤ 1.5 GB.
Run: .venv/bin/python -m benchmarks.load
"""

import asyncio
from pathlib import Path
import posixpath
import random
import re
import statistics
import time

import httpx

from tests.live import server

STUDENTS = 30
INTERACTIONS = 20
DEADLINE_S = 120
JS = Path(__file__).resolve().parent.parent / "static" / "js"


def modules(entry: str) -> list[str]:
    """An ES module of static/js (`mixer/page.js`) and every module it imports (`./x.js`, `../shared/x.js`),
    each by its path under static/js, as a browser fetches them."""
    found, todo = [], [entry]
    while todo:
        path = todo.pop()
        if path not in found:
            found.append(path)
            here = posixpath.dirname(path)
            imports = re.findall(r'from "(\.\.?/[\w./-]+\.js)"', (JS / path).read_text(encoding="utf-8"))
            todo += [posixpath.normpath(posixpath.join(here, specifier)) for specifier in imports]
    return found


# What a browser fetches to open the Mixer: the page, its modules, the style sheet, plotly.js.
PAGE = ["/", *(f"/static/js/{m}" for m in modules("mixer/page.js")), "/static/css/app.css", "/vendor/plotly.min.js"]
SAMPLES = ["scene", "shapes", "wheel"]


def resident_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) * 1024
            stack += [int(c) for t in Path(f"/proc/{p}/task").iterdir() for c in (t / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def request_for(rng: random.Random, sample: str, cout: int, weights: list[list[float]], full: bool) -> dict:
    return {
        "input": {"source": "sample", "name": sample},
        "features": "bank",
        "max_side": 256,
        "weight": {"values": weights},
        "bias": {"values": [0.0] * cout},
        "explain_channel": 0,
        "probe": {"row": rng.randrange(256), "col": rng.randrange(256)},
        "encoding": "u8",
        "include_input_maps": full,
        "include_output_maps": full,
    }


async def student(base: str, seed: int, latencies: list[float], errors: list[str]) -> None:
    rng = random.Random(seed)
    sample = rng.choice(SAMPLES)
    cout = 16
    weights = [[rng.uniform(-0.3, 0.3) for _ in range(10)] for _ in range(cout)]
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"Accept-Encoding": "gzip"}) as client:

        async def call(method: str, path: str, **kwargs) -> None:
            start = time.perf_counter()
            try:
                r = await client.request(method, path, **kwargs)
                if r.status_code != 200:
                    errors.append(f"{path}: {r.status_code}")
            except httpx.HTTPError as error:
                errors.append(f"{path}: {error!r}")
            if path == "/api/mix":
                latencies.append(time.perf_counter() - start)

        for path in PAGE:
            await call("GET", path)
        await call("GET", "/api/samples")
        await call("POST", "/api/mix", json=request_for(rng, sample, cout, weights, full=True))
        for _ in range(INTERACTIONS):
            await asyncio.sleep(rng.uniform(0.3, 1.5))
            action = rng.random()
            if action < 0.1:
                cout = rng.choice([4, 8, 16, 32])
                weights = [[rng.uniform(-0.3, 0.3) for _ in range(10)] for _ in range(cout)]
            else:
                weights[0][rng.randrange(10)] = rng.uniform(-1, 1)
            await call("POST", "/api/mix", json=request_for(rng, sample, cout, weights, full=action < 0.1))


async def run(base: str, pid: int) -> tuple[list[float], list[str], int]:
    latencies: list[float] = []
    errors: list[str] = []
    peak = 0
    students = [asyncio.create_task(student(base, seed, latencies, errors)) for seed in range(STUDENTS)]
    deadline = time.monotonic() + DEADLINE_S
    while not all(task.done() for task in students):
        peak = max(peak, resident_bytes(pid))
        if time.monotonic() > deadline:
            for task in students:
                task.cancel()
            errors.append("deadline reached")
            break
        await asyncio.sleep(0.25)
    await asyncio.gather(*students, return_exceptions=True)
    return latencies, errors, peak


def main() -> None:
    env = {"POINTWISE_TORCH_THREADS": "1"}
    with server("app.main:app", workers=2, env=env) as running:
        started = time.perf_counter()
        latencies, errors, peak = asyncio.run(run(running.url, running.pid))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"{STUDENTS} students × {INTERACTIONS} interactions against 2 workers, {elapsed:.0f} s")
    print(f"  /api/mix requests: {len(latencies)}, errors: {len(errors)} {errors[:3]}")
    print(f"  latency p50 {statistics.median(latencies) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms (target ≤ 250 ms)")
    print(f"  peak resident memory, all server processes: {peak / 2**30:.2f} GB (target ≤ 1.5 GB)")


if __name__ == "__main__":
    main()
