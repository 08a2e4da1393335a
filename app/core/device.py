"""Where the tensors live: CUDA, else Apple's MPS, else the CPU."""

import torch


def pick_device(preference: str = "auto") -> torch.device:
    """`preference` is "auto" or any torch device string ("cpu", "cuda:0", "mps")."""
    if preference != "auto":
        return torch.device(preference)
    if torch.cuda.is_available():
        return torch.device("cuda:0")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def device_name(device: torch.device) -> str:
    """ "cpu", "cuda:0" or "mps", as the API reports it."""
    if device.type == "cuda":
        return f"cuda:{device.index or 0}"
    return device.type
