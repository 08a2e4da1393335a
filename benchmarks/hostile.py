"""One student's script against the classroom server: a 2-worker server with one torch thread each,
started as the Dockerfile starts it (`python -m app serve`), on loopback.

All at once: a flood of concurrent cost sweeps with distinct parameters (out_step=1, about 0.5 s
of pure-Python work each), the heaviest mixes read back by slow readers, one connection sending a
huge header, many concurrent decodes of a big WebP (plus one too big to be decoded at all), a
deflate-compressed state dict that declares hundreds of MB, a JPEG of thousands of scans, a 2 MB
body of a million bad values, and a connection that sends half a head and waits.
Meanwhile /api/health is asked every 0.25 s (from a process of its own) and the resident memory of
the workers is sampled.

Checks: health answers within 1 s throughout; the same worker PIDs before and after (no restart);
every answer a 200 or a clear 4xx/503 with a JSON detail; all workers together ≤ 1.5 GB resident.
Run: .venv/bin/python -m benchmarks.hostile   (the suite runs a scaled-down version)
"""

import asyncio
from collections import Counter
from collections.abc import Awaitable, Iterator
import contextlib
from dataclasses import dataclass, field
import io
import json
import multiprocessing
import os
from pathlib import Path
import queue
import subprocess
import sys
import tempfile
import time
import zipfile

import httpx
import numpy as np
from PIL import Image
import torch

from tests.live import Running, free_port

HEALTH_LIMIT_S = 1.0
REST_S = 5  # how long the server rests after the attack before its memory is read again
RSS_LIMIT_BYTES = 1.5e9


@dataclass(frozen=True)
class Scale:
    sweeps: int  # concurrent distinct /api/cost/sweep?out_step=1
    slow_readers: int  # heaviest mixes, read at 100 KB/s
    slow_read_s: float  # how long each slow reader reads before it hangs up
    header_bytes: int  # one header line of this size
    decodes: int  # concurrent uploads of a 16-megapixel WebP
    bomb_values: int  # float32 zeros in the deflated state dict (4 bytes each once read)


FULL = Scale(sweeps=120, slow_readers=8, slow_read_s=20, header_bytes=300 * 2**20, decodes=20, bomb_values=100_000_000)
SUITE = Scale(sweeps=16, slow_readers=2, slow_read_s=2, header_bytes=8 * 2**20, decodes=4, bomb_values=10_000_000)


@dataclass
class Report:
    statuses: dict[str, Counter] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # transport errors and answers that are not clear
    health_s: list[float] = field(default_factory=list)
    rss_before: int = 0
    peak_rss: int = 0
    rss_after: int = 0
    rss_rest: int = 0  # REST_S after the attack: what the workers give back once idle
    pids_before: set[int] = field(default_factory=set)
    pids_after: set[int] = field(default_factory=set)
    header_answer: str = ""
    header_sent: int = 0
    elapsed_s: float = 0.0

    def count(self, attack: str, status: int) -> None:
        self.statuses.setdefault(attack, Counter())[status] += 1

    def failures(self) -> list[str]:
        found = list(self.errors)
        if not self.health_s or max(self.health_s) > HEALTH_LIMIT_S:
            found.append(f"/api/health took up to {max(self.health_s, default=float('inf')):.2f} s")
        if self.pids_before != self.pids_after or len(self.pids_before) == 0:
            found.append(f"workers changed: {sorted(self.pids_before)} → {sorted(self.pids_after)}")
        if self.peak_rss > RSS_LIMIT_BYTES:
            found.append(f"workers held {self.peak_rss / 1e9:.2f} GB resident")
        if not self.header_answer.startswith("HTTP/1.1 431"):
            found.append(f"the huge header got {self.header_answer!r} after {self.header_sent} bytes")
        return found


# ---------------------------------------------------------------------------------------------
# The server, as the Dockerfile runs it, and its workers' memory from /proc.


@contextlib.contextmanager
def dockerfile_server(store_dir: Path, workers: int = 2, **settings: str) -> Iterator[Running]:
    """`python -m app serve` on 127.0.0.1 with the Dockerfile's settings (2 workers, 1 torch thread)."""
    port = free_port()
    env = {
        **os.environ,
        "POINTWISE_HOST": "127.0.0.1",
        "POINTWISE_PORT": str(port),
        "POINTWISE_WORKERS": str(workers),
        "POINTWISE_TORCH_THREADS": "1",
        "POINTWISE_STORE_DIR": str(store_dir),
        **{f"POINTWISE_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen([sys.executable, "-m", "app", "serve"], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while (workers > 1 and len(worker_pids(process.pid)) < workers) or not healthy(url):  # 1: no supervisor
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("python -m app serve did not start")
            time.sleep(0.2)
        yield Running(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()  # graceful shutdown waits for every open request; this one did not end
            process.wait(timeout=10)
            raise


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def worker_pids(pid: int) -> set[int]:
    """uvicorn's worker processes: the children of the supervisor started by multiprocessing's spawn."""
    children = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children |= {int(c) for c in (task / "children").read_text().split()}
    workers = set()
    for child in children:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.add(child)
    return workers


def resident_bytes(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            status = Path(f"/proc/{pid}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) * 1024
    return total


# ---------------------------------------------------------------------------------------------
# The attacks. Each records the status of every answer; anything else is an error.


def webp(width: int, height: int) -> bytes:
    """A smooth colour field of width×height as WebP: small on the wire, big once decoded."""
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    pixels = np.stack([x + 0 * y, y + 0 * x, (x + y) / 2], axis=-1).astype(np.uint8)  # (H, W, 3)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="WEBP", quality=60)
    return buffer.getvalue()


def deflated_state_dict(values: int) -> bytes:
    """torch.save of `values` float32 zeros with every zip entry deflated: 400 MB declared in 400 KB."""
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(values)}, buffer)
    source, out = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def jpeg_of_scans(extra: int) -> bytes:
    """A small progressive JPEG whose last scan is repeated `extra` times before EOI."""
    pixels = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", progressive=True)
    data = buffer.getvalue()
    last = data.rindex(b"\xff\xda")
    scan = data[last : data.rindex(b"\xff\xd9")]
    return data[: last + len(scan)] + scan * extra + b"\xff\xd9"


BAD_VALUES = (
    '{"input":{"source":"sample","name":"shapes"},"weight":{"values":[[' + ",".join(["true"] * 400_000) + "]]}}"
)


async def bombs(client: httpx.AsyncClient, report: Report, state_dict: bytes) -> None:
    """A state dict that inflates, a JPEG of 5000 scans, a body of a million bad values: each
    refused at once, with an answer of a few hundred bytes."""
    attempts = {
        "state dict bomb": lambda: client.post("/api/blocks/weights", files={"file": ("w.pt", state_dict)}),
        "jpeg scans": lambda: client.post("/api/images", files={"file": ("s.jpg", jpeg_of_scans(5000), "image/jpeg")}),
        "bad values": lambda: client.post("/api/mix", content=BAD_VALUES, headers={"content-type": "application/json"}),
    }
    for attack, attempt in attempts.items():
        try:
            response = await attempt()
            clear(report, attack, response)
            if len(response.content) > 16 * 1024:
                report.errors.append(f"{attack}: a refusal of {len(response.content)} bytes")
        except httpx.HTTPError as error:
            report.errors.append(f"{attack}: {error!r}")


async def half_head(url: str, report: Report) -> None:
    """Half a request head, then silence: the server must answer 408 and close, not wait forever."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"GET /api/health HTTP/1.1\r\nHost: {host}\r\nX-Half: ".encode())
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(4096), timeout=60)
        status = int(answer.split(b" ", 2)[1])
        report.count("half head", status)
        if status != 408:
            report.errors.append(f"half head: {answer[:200]!r}")
    except (OSError, TimeoutError, IndexError, ValueError) as error:
        report.errors.append(f"half head: {error!r}")
    finally:
        writer.close()


def clear(report: Report, attack: str, response: httpx.Response) -> None:
    report.count(attack, response.status_code)
    ok = response.status_code == 200 or (400 <= response.status_code < 500) or response.status_code == 503
    if response.status_code != 200:
        try:
            ok = ok and isinstance(response.json()["detail"], str | list)
        except (ValueError, KeyError):
            ok = False
    if not ok:
        report.errors.append(f"{attack}: {response.status_code} {response.text[:200]!r}")


async def flood_sweeps(client: httpx.AsyncClient, scale: Scale, report: Report) -> None:
    async def sweep(n: int) -> None:
        params = {"in_channels": n + 1, "height": 64, "width": 64, "out_min": 1, "out_max": 1024, "out_step": 1}
        try:
            clear(report, "sweep", await client.get("/api/cost/sweep", params=params))
        except httpx.HTTPError as error:
            report.errors.append(f"sweep: {error!r}")

    await asyncio.gather(*(sweep(n) for n in range(scale.sweeps)))


RANDOM_64 = {"source": "random", "channels": 64, "height": 512, "width": 512, "seed": 0}
# The heaviest mix (a 359 MB answer before the byte budget): refused with a 413 now.
HEAVIEST_MIX = {"input": RANDOM_64, "out_channels": 64, "activation": "relu", "explain_channel": 0}
# The largest answer the budget allows: 64 output maps of 512×512 in u8, 22 MB.
LARGEST_MIX = {"input": RANDOM_64, "out_channels": 64, "include_input_maps": False, "encoding": "u8"}


async def slow_reader(url: str, body: dict, scale: Scale, report: Report) -> None:
    """POST a mix and read its answer at 100 KB/s for slow_read_s, then hang up."""
    host, port = url.removeprefix("http://").split(":")
    payload = json.dumps(body).encode()
    head = f"POST /api/mix HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head.encode() + payload)
        await writer.drain()
        received = b""
        deadline = time.monotonic() + scale.slow_read_s
        while time.monotonic() < deadline:
            chunk = await asyncio.wait_for(reader.read(100_000), timeout=120)
            if not chunk:
                break
            if len(received) < 4096:
                received += chunk[:4096]  # the status line and headers are all we look at
            await asyncio.sleep(1)
        status = int(received.split(b" ", 2)[1])
        report.count("slow mix", status)
        if status not in (200, 413, 422, 503):
            report.errors.append(f"slow mix: {received[:300]!r}")
    except (OSError, TimeoutError, IndexError, ValueError) as error:
        report.errors.append(f"slow mix: {error!r}")
    finally:
        writer.close()


async def huge_header(url: str, scale: Scale, report: Report) -> None:
    """One header line of scale.header_bytes, sent 1 MB at a time while the answer is awaited."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))

    async def send() -> None:
        writer.write(f"GET /api/health HTTP/1.1\r\nHost: {host}\r\nX-Padding: ".encode())
        chunk = b"a" * 2**20
        while report.header_sent < scale.header_bytes:
            writer.write(chunk)
            await writer.drain()
            report.header_sent += len(chunk)
        writer.write(b"\r\n\r\n")
        await writer.drain()

    sending = asyncio.create_task(send())
    try:
        answer = await asyncio.wait_for(reader.read(4096), timeout=120)
        report.header_answer = answer.decode(errors="replace").split("\r\n", 1)[0]
    except (OSError, TimeoutError) as error:
        report.header_answer = repr(error)
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError, OSError):
            await sending
        writer.close()


async def decodes(client: httpx.AsyncClient, scale: Scale, report: Report, big: bytes, too_big: bytes) -> None:
    async def upload(data: bytes, attack: str) -> None:
        try:
            clear(report, attack, await client.post("/api/images", files={"file": ("big.webp", data, "image/webp")}))
        except httpx.HTTPError as error:
            report.errors.append(f"{attack}: {error!r}")

    await upload(too_big, "decode 40 MP")  # refused from its header, before the decode queue fills
    await asyncio.gather(*(upload(big, "decode 16 MP") for _ in range(scale.decodes)))


def poll_health(url: str, stop, results) -> None:
    """In a process of its own, so that this client's own load cannot delay the checks: ask
    /api/health every 0.25 s until `stop` is set; put (seconds, status or error) on `results`."""
    with httpx.Client(base_url=url) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                outcome: int | str = client.get("/api/health", timeout=10).status_code
            except httpx.HTTPError as error:
                outcome = repr(error)
            results.put((time.perf_counter() - start, outcome))
            stop.wait(0.25)


@contextlib.contextmanager
def watching_health(url: str, report: Report) -> Iterator[None]:
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    watcher = context.Process(target=poll_health, args=(url, stop, results), daemon=True)
    watcher.start()
    outcomes = [results.get(timeout=60)]  # the watcher is up before the attack starts
    try:
        yield
    finally:
        stop.set()
        while watcher.is_alive() or not results.empty():
            with contextlib.suppress(queue.Empty):
                outcomes.append(results.get(timeout=0.5))
        watcher.join()
        report.health_s = [seconds for seconds, _ in outcomes]
        report.errors += [f"health: {outcome}" for _, outcome in outcomes if outcome != 200]


async def watch_memory(pids: set[int], report: Report, stop: asyncio.Event) -> None:
    while not stop.is_set():
        report.peak_rss = max(report.peak_rss, resident_bytes(pids))
        await asyncio.sleep(0.2)


async def after(seconds: float, attack: Awaitable[None]) -> None:
    await asyncio.sleep(seconds)
    await attack


async def attack(running: Running, scale: Scale) -> Report:
    # Made before the clock starts: encoding them takes seconds that would stall this client's own loop.
    big, too_big, state_dict = await asyncio.gather(
        asyncio.to_thread(webp, 4000, 4000),
        asyncio.to_thread(webp, 16383, 2440),
        asyncio.to_thread(deflated_state_dict, scale.bomb_values),
    )
    report = Report(pids_before=worker_pids(running.pid))
    report.rss_before = resident_bytes(report.pids_before)
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=scale.sweeps + scale.decodes + 8)
    start = time.perf_counter()
    with watching_health(running.url, report):
        async with httpx.AsyncClient(base_url=running.url, timeout=180, limits=limits) as client:
            memory = asyncio.create_task(watch_memory(report.pids_before, report, stop))
            bodies = ([LARGEST_MIX, HEAVIEST_MIX] * scale.slow_readers)[: scale.slow_readers]
            mixes = [slow_reader(running.url, body, scale, report) for body in bodies]
            await asyncio.gather(
                decodes(client, scale, report, big, too_big),
                *mixes,
                huge_header(running.url, scale, report),
                half_head(running.url, report),
                bombs(client, report, state_dict),
                after(0.5, flood_sweeps(client, scale, report)),  # the decodes and mixes are queued by then
            )
            await asyncio.sleep(1)
            stop.set()
            await memory
    report.elapsed_s = time.perf_counter() - start
    report.pids_after = worker_pids(running.pid)
    report.rss_after = resident_bytes(report.pids_after)
    await asyncio.sleep(REST_S)
    report.rss_rest = resident_bytes(report.pids_after)
    return report


def summary(report: Report) -> str:
    lines = [f"{attack:>14}: {dict(sorted(counts.items()))}" for attack, counts in report.statuses.items()]
    health = sorted(report.health_s)
    lines += [
        f"{'huge header':>14}: {report.header_answer!r} after {report.header_sent / 2**20:.0f} MB sent",
        f"{'health':>14}: {len(health)} checks, median {health[len(health) // 2] * 1000:.0f} ms, "
        f"max {health[-1] * 1000:.0f} ms (limit {HEALTH_LIMIT_S * 1000:.0f} ms)",
        f"{'workers':>14}: {sorted(report.pids_before)} before, {sorted(report.pids_after)} after",
        f"{'resident':>14}: peak {report.peak_rss / 1e9:.2f} GB, all workers together (limit 1.5 GB); "
        f"{report.rss_before / 1e9:.2f} GB before, {report.rss_after / 1e9:.2f} GB after, "
        f"{report.rss_rest / 1e9:.2f} GB after {REST_S} s at rest",
        f"{'elapsed':>14}: {report.elapsed_s:.1f} s",
    ]
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory() as store, dockerfile_server(Path(store)) as running:
        report = asyncio.run(attack(running, FULL))
    print(summary(report))
    failures = report.failures()
    for failure in failures:
        print("FAILED:", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
