"""The core on CUDA against the core on the CPU, for the same inputs: largest difference and timings.

Run where a GPU is present: .venv/bin/python -m benchmarks.gpu_check
Exits 1 if no CUDA device is found, or if the devices disagree by more than float32 allows.
"""

import sys
import time

import torch

from app.core import inputs, weights
from app.core.mixing import explain_channel, mix, probe_pixel

SHAPES = [(10, 16, 256, 256), (10, 64, 256, 256), (64, 64, 512, 512)]
TOLERANCE = 1e-4  # relative to the largest |Y|: float32 sums in another order


def timed(fn, device: torch.device, repeats: int = 20) -> float:
    fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / repeats


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to compare")
        return 1
    gpu = torch.device("cuda:0")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(gpu)}")
    worst = 0.0
    with torch.inference_mode():
        bank = inputs.feature_bank(inputs.resize(inputs.scene_sample(), 256))
        bank_gpu = inputs.feature_bank(inputs.resize(inputs.scene_sample().to(gpu), 256))
        feature_error = (bank_gpu.cpu() - bank).abs().max().item()
        print(f"feature bank on the GPU vs the CPU: largest difference {feature_error:.2e}")
        for c_in, c_out, height, width in SHAPES:
            x = inputs.random_tensor(c_in, height, width, 0, "normal")
            w, b = weights.default_init(c_out, c_in, 0)
            y_cpu, _ = mix(x, w, b, "relu")
            on_gpu = x.to(gpu), w.to(gpu), b.to(gpu)
            y_gpu, _ = mix(*on_gpu, "relu")
            error = (y_gpu.cpu() - y_cpu).abs().max().item() / y_cpu.abs().max().item()
            e = explain_channel(*on_gpu, c_out - 1, "relu")
            p = probe_pixel(*on_gpu, height // 2, width // 2, "relu")
            t_cpu = timed(lambda args=(x, w, b): mix(*args, "relu"), torch.device("cpu"))
            t_gpu = timed(lambda args=on_gpu: mix(*args, "relu"), gpu)
            worst = max(worst, error)
            print(
                f"Cin={c_in} Cout={c_out} {height}×{width}: largest relative difference {error:.2e}; "
                f"explain {e.max_abs_error:.1e}, probe {p.max_abs_error:.1e} on the GPU; "
                f"CPU {t_cpu * 1e3:.3f} ms, GPU {t_gpu * 1e3:.3f} ms ({t_cpu / t_gpu:.1f}×)"
            )
    print(f"worst relative difference {worst:.2e} (tolerance {TOLERANCE:.0e})")
    return 0 if worst <= TOLERANCE and feature_error <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
