"""/static for a classroom's Wi-Fi: every text asset (CSS, JavaScript, JSON, SVG, HTML) is sent
gzip-compressed to a browser that accepts it, compressed once per file version and kept. Anything
else is sent as StaticFiles sends it.

Their paths carry no version, so a browser keeps them but asks again each time (`no-cache` with an
ETag: a 304 of a few bytes while nothing changed): after an upgrade no page runs half old modules."""

from functools import lru_cache
import gzip
from pathlib import Path

from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Scope

TEXT_TYPES = {".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml"}
TEXT_TYPES[".html"] = "text/html"
CACHE = "no-cache"


@lru_cache(maxsize=256)
def packed(path: str, mtime_ns: int, size: int) -> bytes:
    """The file's bytes, gzip-compressed; keyed by its modification time and size, so an edited
    file is compressed anew."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


class CompressedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        kind = TEXT_TYPES.get(Path(path).suffix)
        if response.status_code != 200 or kind is None:
            return response
        full, stat = self.lookup_path(path)
        headers = {"Cache-Control": CACHE, "Vary": "Accept-Encoding", "ETag": response.headers["etag"]}
        if "gzip" not in Headers(scope=scope).get("accept-encoding", ""):
            return Response(Path(full).read_bytes(), media_type=kind, headers=headers)
        headers["Content-Encoding"] = "gzip"
        return Response(packed(full, stat.st_mtime_ns, stat.st_size), media_type=kind, headers=headers)
