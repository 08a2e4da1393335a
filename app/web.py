"""What the API's routes and the pages' routes share about HTTP: the Settings by dependency (tests
override them with `app.dependency_overrides[get_settings]`), and a JSON answer made in a worker
thread and gzip-compressed there when the client takes it."""

from collections.abc import Callable
import gzip
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from app.config import Settings, get_settings
from app.lab.runtime import in_thread

SettingsDep = Annotated[Settings, Depends(get_settings)]


async def json_answer(request: Request, make: Callable[[], bytes], compressible: bool = True) -> Response:
    """`make()`'s JSON bytes, run in a worker thread. Quantised maps compress about fourfold even at
    level 1, fast enough for every weight edit; float32 base64 barely compresses (`compressible`
    False), so it is sent as it is."""
    compress = compressible and "gzip" in request.headers.get("accept-encoding", "")

    def answer() -> bytes:
        body = make()
        return gzip.compress(body, compresslevel=1, mtime=0) if compress else body

    headers = {"Vary": "Accept-Encoding", **({"Content-Encoding": "gzip"} if compress else {})}
    return Response(await in_thread(answer), media_type="application/json", headers=headers)
