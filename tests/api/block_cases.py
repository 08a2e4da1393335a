"""Blocks and requests the /api/block tests share, and the same block built independently."""

import io

import torch
from torch import nn

from app.core.blocks import BLOCKS

TUTORIAL = {"kind": "bottleneck", "in_channels": 256, "bottleneck_channels": 64, "out_channels": 256}
SMALL = {"kind": "bottleneck", "in_channels": 8, "bottleneck_channels": 4, "out_channels": 8}


def random_input(channels: int, side: int, seed: int = 0) -> dict:
    return {"source": "random", "channels": channels, "height": side, "width": side, "seed": seed}


def post(client, block: dict, **body):
    body = {"block": block, "input": random_input(block.get("in_channels", 8), 6), "encoding": "base64", **body}
    return client.post("/api/block", json=body)


def module(block: dict, seed: int) -> nn.Module:
    """The same block built here, independently: torch.manual_seed(seed); Block(...)."""
    widths = {k: v for k, v in block.items() if k != "kind"}
    torch.manual_seed(seed)
    return BLOCKS[block["kind"]](**widths).eval()


def refusal(response, status: int = 422) -> tuple[list, str]:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    if status == 422:
        return detail[0]["loc"], detail[0]["msg"]
    return [], detail


def upload(client, data: bytes, name: str = "weights.safetensors"):
    return client.post("/api/blocks/weights", files={"file": (name, data, "application/octet-stream")})


def trained_state(block: dict, seed: int) -> dict[str, torch.Tensor]:
    net = module(block, seed)
    generator = torch.Generator().manual_seed(seed)
    for sub in net.modules():
        if isinstance(sub, nn.BatchNorm2d):
            sub.running_mean = torch.randn(sub.num_features, generator=generator)
            sub.running_var = torch.rand(sub.num_features, generator=generator) + 0.5
    return net.state_dict()


def torch_bytes(value: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()
