"""The 1×1 kernel: Pointwise's `mix` against torch's exact paths for the same shapes, side by side.

Every path must deliver what the app uses: Y as a (Cout, H, W) tensor in C order (the maps that
are encoded and drawn channel by channel). A channels_last conv is fast but leaves Y as
(H, W, Cout) in memory; it is timed both with the conversion it needs and, for reference, without.
Paths are timed in interleaved rounds so that clock drift hits them all alike.

Budget: ours ≤ 1.2 × the fastest path.   Run: .venv/bin/python -m benchmarks.kernel
"""

import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F

from app.core.mixing import mix

SHAPES = [(3, 16, 256, 256), (10, 16, 256, 256), (10, 64, 256, 256), (3, 3, 512, 512), (64, 64, 128, 128)]
ROUNDS, REPEATS = 7, 5


def paths(c_in: int, c_out: int, height: int, width: int) -> dict[str, object]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(c_in, height, width, generator=g)
    w = torch.randn(c_out, c_in, generator=g)
    b = torch.randn(c_out, generator=g)
    conv = nn.Conv2d(c_in, c_out, 1)
    with torch.no_grad():
        conv.weight.copy_(w[:, :, None, None])
        conv.bias.copy_(b)
    nchw = x[None].contiguous()
    channels_last = nchw.contiguous(memory_format=torch.channels_last)
    flat = x.reshape(c_in, height * width)
    return {
        "ours (mix)": lambda: mix(x, w, b),
        "nn.Conv2d NCHW": lambda: conv(nchw),
        "F.conv2d NCHW": lambda: F.conv2d(nchw, w[:, :, None, None], b),
        "conv channels_last → NCHW": lambda: conv(channels_last).contiguous(),
        "addmm": lambda: torch.addmm(b[:, None], w, flat),
        "einsum": lambda: torch.einsum("nc,chw->nhw", w, x) + b[:, None, None],
        "(conv channels_last, Y left HWC)": lambda: conv(channels_last),
    }


def measure(functions: dict[str, object]) -> dict[str, float]:
    """Median seconds per call of each function, over interleaved rounds."""
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for fn in functions.values():
        fn()
    for _ in range(ROUNDS):
        for name, fn in functions.items():
            start = time.perf_counter()
            for _ in range(REPEATS):
                fn()
            samples[name].append((time.perf_counter() - start) / REPEATS)
    return {name: statistics.median(times) for name, times in samples.items()}


def main() -> None:
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    worst = 0.0
    for shape in SHAPES:
        c_in, c_out, height, width = shape
        with torch.inference_mode():
            times = measure(paths(*shape))
        ours = times.pop("ours (mix)")
        exact = {name: t for name, t in times.items() if not name.startswith("(")}
        fastest = min(exact, key=exact.get)
        print(f"\nCin={c_in} Cout={c_out} {height}×{width}: ours {ours * 1e3:.3f} ms")
        for name, t in times.items():
            print(f"  {name:34s} {t * 1e3:8.3f} ms   ours/this = {ours / t:5.2f}")
        ratio = ours / exact[fastest]
        worst = max(worst, ratio)
        print(f"  → ours / fastest ({fastest}) = {ratio:.2f}")
    print(f"\nworst ours/fastest over all shapes: {worst:.2f} (budget ≤ 1.2)")


if __name__ == "__main__":
    main()
