"""A uvicorn server on loopback for the end-to-end tests and the benchmarks, and a free port for one."""

from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
import os
import socket
import subprocess
import sys
import time

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Running:
    url: str
    pid: int


@contextlib.contextmanager
def server(app: str, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[Running]:
    """Run `uvicorn app` on 127.0.0.1 and yield its base URL and process id; stop it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{app} did not start")
            time.sleep(0.2)
        yield Running(url, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=20)
