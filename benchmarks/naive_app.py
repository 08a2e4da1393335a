"""The naive path, for benchmarks/mix_endpoint.py to measure against: NCHW nn.Conv2d + JSON float lists.

Same input (the cached sample features) and the same fields as POST /api/mix; only the
convolution and the serialisation are done the obvious way.
"""

from fastapi import FastAPI
from fastapi.responses import JSONResponse
import torch
from torch import nn

from app.config import get_settings
from app.core.weights import default_init
from app.lab.inputs import load_input
from app.lab.models import SampleInput

app = FastAPI()


@app.get("/api/health")
def read_health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/mix")
def create_mix(body: dict) -> JSONResponse:
    name, c_out = body["input"]["name"], body["out_channels"]
    spec = SampleInput(source="sample", name=name)
    x, _ = load_input(spec, body["features"], body["max_side"], get_settings())  # (Cin, H, W)
    c_in = x.shape[0]
    weight, bias = default_init(c_out, c_in, 0)
    conv = nn.Conv2d(c_in, c_out, 1)
    with torch.no_grad():
        conv.weight.copy_(weight[:, :, None, None])
        conv.bias.copy_(bias)
        y = conv(x[None])[0]
    return JSONResponse(
        {
            "input": {"shape": list(x.shape), "maps": x.tolist()},
            "weight": {"shape": [c_out, c_in], "values": weight.tolist()},
            "bias": {"values": bias.tolist()},
            "output": {"shape": list(y.shape), "maps": y.tolist()},
        }
    )
