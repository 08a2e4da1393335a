"""GET /api/samples and the sample images themselves."""

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from app.api.deps import sample_image
from app.api.errors import responses
from app.core import inputs
from app.core.errors import NotFound

router = APIRouter(prefix="/api", tags=["samples"], responses=responses(404))


class Sample(BaseModel):
    name: str
    title: str
    width: int
    height: int


@router.get("/samples")
def read_samples() -> list[Sample]:
    """List the bundled sample images, which the project draws itself."""
    side = inputs.SAMPLE_SIDE
    return [Sample(name=name, title=title, width=side, height=side) for name, (title, _) in inputs.SAMPLES.items()]


@lru_cache(maxsize=8)
def sample_png(name: str) -> bytes:
    return inputs.to_png(sample_image(name))


@router.get(
    "/samples/{name}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The sample as PNG"}},
)
def read_sample_png(name: str) -> Response:
    """One sample image as PNG."""
    if name not in inputs.SAMPLES:
        raise NotFound(("path", "name"), f"no sample named '{name}'; the samples are {', '.join(inputs.SAMPLES)}")
    return Response(sample_png(name), media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})
