"""POST /api/block (run one block stage by stage) and POST /api/blocks/weights (upload its state dict)."""

from fastapi import APIRouter, Body, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.api.schemas import Tensor
from app.errors import responses
from app.lab.blocks.models import BlockRequest
from app.lab.blocks.service import block_json
from app.lab.blocks.weights import store_weights
from app.lab.runtime import in_thread
from app.web import SettingsDep, json_answer

router = APIRouter(prefix="/api", tags=["blocks"], responses=responses(400, 413, 429, 503))

SCENE = {"source": "sample", "name": "scene"}
EXAMPLES = {
    "tutorial": {
        "summary": "The tutorial's bottleneck 256-64-256 at 56×56, a 1×1 stage explained",
        "value": {
            "block": {"kind": "bottleneck", "in_channels": 256, "bottleneck_channels": 64, "out_channels": 256},
            "input": SCENE,
            "max_side": 56,
            "explain": {"stage": "conv1", "channel": 0},
        },
    },
    "inception": {
        "summary": "Inception (3a) on the feature bank",
        "value": {"block": {"kind": "inception"}, "input": SCENE, "features": "bank", "max_side": 28},
    },
    "mobilenet": {
        "summary": "A MobileNetV2 inverted residual on a random tensor of its 24 channels",
        "value": {
            "block": {"kind": "inverted_residual", "in_channels": 24, "out_channels": 24, "expansion": 6},
            "input": {"source": "random", "channels": 24, "height": 32, "width": 32, "seed": 0},
        },
    },
}


class StageStats(BaseModel):
    mean: float
    std: float
    zeros: float
    min: float
    max: float


class StageOut(BaseModel):
    name: str
    op: str
    inputs: list[str]
    module: str | None
    shape: list[int]
    parameters: int
    multiply_adds: int
    one_by_one: bool
    stats: StageStats
    maps: Tensor


class BlockInputOut(BaseModel):
    shape: list[int]
    channel_names: list[str]
    stem: dict[str, int] | None


class CountOut(BaseModel):
    parameters: int
    multiply_adds: int


class MatrixOut(BaseModel):
    shape: list[int]
    values: Tensor
    bias: list[float]


class BlockExplainOut(BaseModel):
    stage: str
    channel: int
    matrix: MatrixOut
    weights: list[float]
    bias: float
    terms: list[int]
    contributions: Tensor
    rest: Tensor | None
    sum: Tensor
    max_abs_error: float


class BlockResponse(BaseModel):
    block: dict[str, int | str | list[int]]
    input: BlockInputOut
    stages: list[StageOut]
    parameters: int
    multiply_adds: int
    one_by_one: CountOut
    weights: dict[str, int | str]
    device: str
    code: str
    explain: BlockExplainOut | None = None


class StoredWeights(BaseModel):
    weights_id: str
    keys: list[str]
    shapes: dict[str, list[int]]
    evicted: list[str] = Field(
        default_factory=list,
        description="ids of this address's earlier uploads evicted to keep it within store_items_per_address "
        "(its least recently used first); empty when none went",
    )


@router.post("/block", response_model=BlockResponse, summary="Run one block stage by stage", responses=responses(404))
async def create_block_run(
    http: Request, settings: SettingsDep, request: BlockRequest = Body(openapi_examples=EXAMPLES)
) -> Response:
    """Run one block in eval mode, stage by stage: every stage's shape, parameters, multiply–adds and maps."""
    return await json_answer(http, lambda: block_json(request, settings), request.encoding != "base64")


@router.post("/blocks/weights", summary="Upload a block's state dict")
async def create_block_weights(file: UploadFile, http: Request, settings: SettingsDep) -> StoredWeights:
    """Upload a block's state dict (.safetensors, or .pt read with torch.load(weights_only=True))."""
    data = await file.read(settings.max_weights_bytes + 1)
    client = http.client.host if http.client else None  # the peer, as for images
    weights_id, shapes, evicted = await in_thread(store_weights, data, settings, client)
    return StoredWeights(weights_id=weights_id, keys=list(shapes), shapes=shapes, evicted=evicted)
