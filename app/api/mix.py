"""POST /api/mix: run one 1×1 convolution and return everything the pages draw."""

from typing import Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from app.api.schemas import MixResponse
from app.errors import responses
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import mix_json, mix_npz
from app.lab.runtime import in_thread
from app.web import SettingsDep, json_answer

router = APIRouter(prefix="/api", tags=["mix"], responses=responses(400, 404, 413, 503))

EXAMPLES = {
    "sample": {
        "summary": "Bundled sample, feature bank → 16 channels",
        "value": {
            "input": {"source": "sample", "name": "scene"},
            "features": "bank",
            "out_channels": 16,
            "weight": {"init": "random", "seed": 0},
            "explain_channel": 0,
            "probe": {"row": 10, "col": 12},
            "encoding": "u8",
        },
    },
    "grayscale": {
        "summary": "The grayscale preset on RGB",
        "value": {"input": {"source": "sample", "name": "shapes"}, "weight": {"preset": "grayscale"}},
    },
    "values": {
        "summary": "A hand-written 2×1×2 input and weights, as JSON",
        "value": {
            "input": {"source": "values", "values": [[[1, 2]], [[3, 4]]]},
            "weight": {"values": [[1, -1], [0.5, 0.5]]},
            "bias": {"values": [0, 1]},
            "activation": "relu",
            "encoding": "json",
        },
    },
}

NPZ = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


@router.post(
    "/mix",
    summary="Run one 1×1 convolution",
    response_model=MixResponse,
    responses={200: {"content": NPZ, "description": "The answer; with format=npz, a NumPy .npz file"}},
)
async def create_mix(
    http: Request,
    settings: SettingsDep,
    request: MixRequest = Body(openapi_examples=EXAMPLES),
    format: Literal["json", "npz"] = Query("json", description="npz: input, weight, bias, output as arrays"),
) -> Response:
    """Run Y = f(W·X + b) with a 1×1 convolution; explain one channel and probe one pixel on request."""
    if format == "npz":
        body = await in_thread(mix_npz, request, settings)
        headers = {"Content-Disposition": 'attachment; filename="pointwise-mix.npz"'}
        return Response(body, media_type="application/octet-stream", headers=headers)
    return await json_answer(http, lambda: mix_json(request, settings), request.encoding != "base64")
