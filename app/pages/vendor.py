"""plotly.js and the API docs' Swagger UI, served from their Python packages: no CDN, every page works offline."""

from functools import lru_cache
import gzip
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
import plotly

from app.pages.templating import templates

router = APIRouter(include_in_schema=False)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CACHE = "public, max-age=604800, immutable"


@lru_cache
def plotly_bytes() -> tuple[bytes, bytes]:
    """plotly.min.js raw and gzip-compressed, read and compressed once per process."""
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0)


@router.get("/vendor/plotly.min.js")
def read_plotly(request: Request) -> Response:
    raw, packed = plotly_bytes()
    headers = {"Cache-Control": CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)


@router.get("/docs", response_class=HTMLResponse)
def read_docs(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "docs.html", {"page": "docs"})
