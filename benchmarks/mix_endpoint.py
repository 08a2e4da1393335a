"""POST /api/mix end to end at the default workload, against the naive path, side by side.

The default workload: the 256×256 "scene" sample, feature bank (10 channels) → 64 output channels.
Both servers run on loopback as real uvicorn processes; each request is timed from send to the
last byte received. Also prints the bytes on the wire per value for the "u8" encoding.

Budgets: ours (base64) ≥ 20× faster than the naive path; u8 ≤ 1.4 bytes per value.
Run: .venv/bin/python -m benchmarks.mix_endpoint
"""

import statistics
import time

import httpx

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


def main() -> None:
    with server("app.main:app") as ours, server("benchmarks.naive_app:app") as naive:
        t_naive, n_naive = timed(naive.url, WORKLOAD, 5)
        t_b64, n_b64 = timed(ours.url, {**WORKLOAD, "encoding": "base64"}, 15)
        t_u8, n_u8 = timed(ours.url, {**WORKLOAD, "encoding": "u8"}, 15, {"Accept-Encoding": "identity"})
        t_u8z, n_u8z = timed(ours.url, {**WORKLOAD, "encoding": "u8"}, 15, {"Accept-Encoding": "gzip"})
    print("POST /api/mix, scene 256×256, bank (10) → 64 channels; median per request")
    print(f"  naive (NCHW nn.Conv2d + JSON lists) {t_naive * 1e3:8.1f} ms  {n_naive / 1e6:6.1f} MB")
    print(f"  ours, base64 float32                {t_b64 * 1e3:8.1f} ms  {n_b64 / 1e6:6.1f} MB")
    print(f"  ours, u8                            {t_u8 * 1e3:8.1f} ms  {n_u8 / 1e6:6.1f} MB")
    print(f"  ours, u8 + gzip                     {t_u8z * 1e3:8.1f} ms  {n_u8z / 1e6:6.1f} MB")
    print(f"  speed-up, base64 vs naive: {t_naive / t_b64:.1f}×  (budget ≥ 20×)")
    print(f"  speed-up, u8 vs naive:     {t_naive / t_u8:.1f}×")
    print(f"  u8 bytes per value: {n_u8 / VALUES:.3f} (budget ≤ 1.4); with gzip {n_u8z / VALUES:.3f}")


if __name__ == "__main__":
    main()
