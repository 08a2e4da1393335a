"""GET /api/samples and the sample images themselves."""

from fastapi import APIRouter
from fastapi.responses import Response

from app.errors import responses
from app.lab.images import Sample, list_samples, sample_png

router = APIRouter(prefix="/api", tags=["samples"])


@router.get("/samples", summary="List the bundled samples")
def read_samples() -> list[Sample]:
    """List the bundled sample images, which the project draws itself."""
    return list_samples()


@router.get(
    "/samples/{name}.png",
    summary="One sample as PNG",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The sample as PNG"}, **responses(404)},
)
def read_sample_png(name: str) -> Response:
    """One sample image as PNG."""
    return Response(sample_png(name), media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})
