"""POST /api/mix end to end at the default workload, against the naive path, side by side.

The default workload: the 256×256 "scene" sample, feature bank (10 channels) → 64 output channels.
Both servers run on loopback as real uvicorn processes; each request is timed from send to the
last byte received. Also prints the bytes on the wire per value for the "u8" encoding.

Beside each encoding, its floor: the work no server can skip, timed in this process on the same
X, W and b — the 1×1 convolution, the maps encoded, the JSON written and (where the server
compresses) gzipped — with no HTTP, no request checks and no input loading.

Budgets: ours (base64) ≥ 20× faster than the naive path; u8 ≤ 1.4 bytes per value; ours / floor ≤ 1.5.
Run: .venv/bin/python -m benchmarks.mix_endpoint
"""

import gzip
import statistics
import time

import httpx
import torch

from app.config import get_settings
from app.core.mixing import mix
from app.lab.encoding import dumps, encode
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import run_mix
from tests.live import server

WORKLOAD = {
    "input": {"source": "sample", "name": "scene"},
    "features": "bank",
    "max_side": 256,
    "out_channels": 64,
    "weight": {"init": "random", "seed": 0},
}
VALUES = (10 + 64) * 256 * 256  # input and output maps


def timed(url: str, body: dict, repeats: int, headers: dict | None = None) -> tuple[float, int]:
    """Median seconds per request and the bytes of the last answer as sent on the wire."""
    times, size = [], 0
    with httpx.Client(timeout=120, headers=headers) as client:
        client.post(f"{url}/api/mix", json=body)  # warm the caches
        for _ in range(repeats):
            start = time.perf_counter()
            with client.stream("POST", f"{url}/api/mix", json=body) as r:
                size = sum(len(chunk) for chunk in r.iter_raw())
                r.raise_for_status()
            times.append(time.perf_counter() - start)
    return statistics.median(times), size


def floor(encoding: str, compress: bool, repeats: int) -> float:
    """Median seconds of the convolution, the encoding and the JSON (gzipped where `compress`)."""
    m = run_mix(MixRequest.model_validate({**WORKLOAD, "encoding": encoding}), get_settings())
    times = []
    with torch.inference_mode():
        for _ in range(repeats):
            start = time.perf_counter()
            y, _ = mix(m.x, m.weight, m.bias)
            body = dumps({"input": encode(m.x, encoding), "output": encode(y, encoding)})
            if compress:
                gzip.compress(body, compresslevel=1, mtime=0)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    cases = [  # label, encoding, Accept-Encoding (the server gzips all but base64 when asked)
        ("base64 float32", "base64", "identity"),
        ("u8", "u8", "identity"),
        ("u8 + gzip", "u8", "gzip"),
        ("png + gzip", "png", "gzip"),
    ]
    with server("app.main:app") as ours, server("benchmarks.naive_app:app") as naive:
        t_naive, n_naive = timed(naive.url, WORKLOAD, 5)
        results = []
        for label, encoding, accept in cases:
            t, n = timed(ours.url, {**WORKLOAD, "encoding": encoding}, 15, {"Accept-Encoding": accept})
            results.append((label, t, n, floor(encoding, accept == "gzip" and encoding != "base64", 15)))
    print("POST /api/mix, scene 256×256, bank (10) → 64 channels; median per request")
    print(f"  {'':32s}{'ours':>10s}{'floor':>10s}{'ours/floor':>12s}{'on the wire':>13s}")
    print(f"  {'naive (NCHW nn.Conv2d + lists)':32s}{t_naive * 1e3:7.1f} ms{'':22s}{n_naive / 1e6:9.1f} MB")
    for label, t, n, f in results:
        print(f"  {label:32s}{t * 1e3:7.1f} ms{f * 1e3:7.1f} ms{t / f:10.2f}  {n / 1e6:9.2f} MB")
    t_b64, n_u8, n_u8z = results[0][1], results[1][2], results[2][2]
    print(f"  speed-up, base64 vs naive: {t_naive / t_b64:.1f}×  (budget ≥ 20×); ours / floor: budget ≤ 1.5")
    print(f"  u8 bytes per value: {n_u8 / VALUES:.3f} (budget ≤ 1.4); with gzip {n_u8z / VALUES:.3f}")


if __name__ == "__main__":
    main()
