"""Training a 1×1 convolution: Pointwise's loop against a naive one, and /api/learn end to end.

1. Steps per second at 128×128 for a 3 → 1 and a 10 → 16 model, and for the 10 → 16 one at
   512×512 (Adam, full batch, one torch thread): ours (`app.core.learn.train`: a linear model
   learns from the moments of X and T, fused optimizer) against a naive loop (a fresh `nn.Conv2d`
   on an NCHW tensor, forward, backward, step and `loss.item()` every step), timed in interleaved
   rounds.
2. End to end on a real uvicorn (one torch thread): the time from sending POST /api/learn to
   the first `progress` event, and to the `done` event of 300 steps, for the page's default
   request (the scene at 128×128, RGB → grayscale) and for a 10 → 16 model.

Budgets: the first progress event ≤ 300 ms; 300 steps at 128×128 ≤ 3 s on one core.
Run: .venv/bin/python -m benchmarks.learn
"""

import statistics
import time

import httpx
import torch
from torch import nn
import torch.nn.functional as F

from app.core.inputs import feature_bank, resize, scene_sample
from app.core.learn import hidden_mixing, make_target, train
from tests.live import server

STEPS = 300
ROUNDS = 5
SCENE = {"source": "sample", "name": "scene"}
REQUESTS = {
    "3 → 1 (RGB → grayscale)": {"input": SCENE, "features": "rgb", "target": {"preset": "grayscale"}},
    "10 → 16 (bank → hidden matrix)": {
        "input": SCENE,
        "features": "bank",
        "target": {"random": {"out_channels": 16, "seed": 1}},
    },
}


def naive(x: torch.Tensor, target: torch.Tensor, steps: int) -> float:
    """A plain PyTorch loop on NCHW tensors; returns the last loss."""
    torch.manual_seed(0)
    conv = nn.Conv2d(x.shape[0], target.shape[0], 1)
    optimizer = torch.optim.Adam(conv.parameters(), lr=0.05)
    batch, goal = x[None], target[None]  # (1, Cin, H, W), (1, Cout, H, W)
    loss = torch.tensor(0.0)
    for _ in range(steps):
        loss = F.mse_loss(conv(batch), goal)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()
    return loss.item()


def ours(x: torch.Tensor, target: torch.Tensor, steps: int) -> float:
    return list(train(x, target, steps=steps, every=10, lr=0.05))[-1].loss


def steps_per_second() -> None:
    scene = resize(scene_sample(), 128)  # (3, 128, 128)
    bank = feature_bank(scene)  # (10, 128, 128)
    large = feature_bank(scene_sample())  # (10, 512, 512): a linear model's step does not grow with H·W
    models = {
        "3 → 1": (scene, make_target(scene, torch.tensor([[0.299, 0.587, 0.114]]), torch.zeros(1))),
        "10 → 16": (bank, make_target(bank, *hidden_mixing(bank, 16, seed=1))),
        "10 → 16 at 512×512": (large, make_target(large, *hidden_mixing(large, 16, seed=1))),
    }
    print(f"Steps per second at 128×128 (unless said), Adam, full batch, {torch.get_num_threads()} torch thread(s):")
    for name, (x, target) in models.items():
        loops = {"ours": ours, "naive": naive}
        times: dict[str, list[float]] = {loop: [] for loop in loops}
        for fn in loops.values():
            fn(x, target, 20)  # warm up
        for _ in range(ROUNDS):
            for loop, fn in loops.items():
                start = time.perf_counter()
                fn(x, target, STEPS)
                times[loop].append(time.perf_counter() - start)
        rate = {loop: STEPS / statistics.median(t) for loop, t in times.items()}
        print(
            f"  {name:18s} ours {rate['ours']:7.0f} steps/s   naive {rate['naive']:7.0f} steps/s   "
            f"ours/naive {rate['ours'] / rate['naive']:.2f}×   {STEPS} steps: ours {STEPS / rate['ours']:.3f} s"
        )


def stream_times(http: httpx.Client, body: dict) -> tuple[float, float]:
    """Seconds from sending the request to the first progress event, and to the done event."""
    start = time.perf_counter()
    first = None
    with http.stream("POST", "/api/learn", json=body | {"steps": STEPS, "every": 10}) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line == "event: progress" and first is None:
                first = time.perf_counter() - start
            if line == "event: done":
                break
    return first, time.perf_counter() - start


def end_to_end() -> None:
    env = {"POINTWISE_TORCH_THREADS": "1"}
    with server("app.main:app", env=env) as running, httpx.Client(base_url=running.url, timeout=120) as http:
        print(f"\nPOST /api/learn end to end ({running.url}, one torch thread), {STEPS} steps, every 10:")
        for name, body in REQUESTS.items():
            cold = stream_times(http, body)  # the first request at this size computes the input's channels
            warm = [stream_times(http, body) for _ in range(ROUNDS)]
            first = statistics.median(t[0] for t in warm)
            done = statistics.median(t[1] for t in warm)
            print(
                f"  {name:32s} first event {first * 1e3:5.0f} ms (first request {cold[0] * 1e3:5.0f} ms)   "
                f"done {done:.2f} s (first request {cold[1]:.2f} s)"
            )


def main() -> None:
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}")
    steps_per_second()
    end_to_end()
    print("\nBudgets: first event ≤ 300 ms; 300 steps at 128×128 ≤ 3 s on one core.")


if __name__ == "__main__":
    main()
