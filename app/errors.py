"""How a refusal reads: the 4xx answers of every route, and their descriptions in the OpenAPI schema.

The core, the lab and the store raise `InputError`s naming the field at fault; here each becomes
its status with FastAPI's `{"detail": ...}`: 422 bodies have FastAPI's own shape, the others one
sentence. A person who followed a bad link to a page gets a small HTML page in the link's language
instead, written by the pages (`app/pages/refusal.py`) and handed in by app/main.py, so that the
API's modules never reach the pages' through this one.
"""

from collections.abc import Callable
import json

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from app.config import get_settings
from app.core.errors import InputError, NotFound, TooLarge, UnsupportedImage
from app.store import TooManyUploads

MAX_PART_CHARS = 64  # a part of an error's `loc`: an unknown key is the client's own text
MAX_MESSAGE_CHARS = 300

STATUS = {NotFound: 404, TooLarge: 413, UnsupportedImage: 415, TooManyUploads: 429}

# (request, status, field, the server's sentence) → the page a person sees.
HtmlRefusal = Callable[[Request, int, str, str], Response]

MEANING = {
    400: "A body that cannot be parsed: broken multipart, or JSON that is not UTF-8 (text that is not JSON: 422)",
    404: "Unknown sample or image (an evicted image must be uploaded again)",
    413: "Request body, image or answer over its limit",
    415: "Not a supported image (PNG, JPEG, GIF, WebP)",
    429: "Too many new uploads from one address this minute: try again after Retry-After seconds",
    503: "The server is busy: try again after Retry-After seconds",
}


class Detail(BaseModel):
    detail: str


def responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI `responses` for the given statuses (422 FastAPI documents by itself)."""
    return {status: {"model": Detail, "description": MEANING[status]} for status in statuses}


def wants_html(request: Request) -> bool:
    """A page or an export opened by a person, rather than a call to the API or a data route."""
    path = request.url.path
    return not path.startswith(("/api/", "/data/")) and "text/html" in request.headers.get("accept", "")


def handlers(html_refusal: HtmlRefusal) -> dict[type[Exception], Callable]:
    """The exception handlers of the app; `html_refusal` draws a refusal for a person."""

    async def input_error(request: Request, error: InputError) -> Response:
        """A core, lab or store error → its 4xx."""
        status = STATUS.get(type(error), 422)
        if wants_html(request):
            return html_refusal(
                request, status, ".".join(str(part) for part in error.field if part != "query"), error.message
            )
        headers = {"Retry-After": str(error.retry_after_s)} if isinstance(error, TooManyUploads) else None
        field = ".".join(str(part) for part in error.field)
        if status == 422:
            where = [] if error.field[0] in ("query", "path") else ["body"]
            detail = [{"loc": [*where, *error.field], "msg": error.message, "type": "value_error"}]
            return JSONResponse({"detail": capped(detail)}, status_code=422)
        sentence = f"{field}: {error.message}"[: get_settings().max_error_bytes // 2]
        return JSONResponse({"detail": sentence}, status_code=status, headers=headers)

    return {InputError: input_error, RequestValidationError: validation_error}


def capped(errors: list[dict]) -> list[dict]:
    """FastAPI's error list within max_error_bytes: each `loc` part and message cut short, and past
    the budget one last entry that says how many more there were. A refusal names the field and
    the limit; it never grows with the input (a 2 MB body once drew a 108 MB 422)."""
    budget = get_settings().max_error_bytes - 200  # room for the entry that counts the rest
    detail: list[dict] = []
    for i, e in enumerate(errors):
        loc = [part if isinstance(part, int) else str(part)[:MAX_PART_CHARS] for part in e["loc"]]
        item = {"loc": loc, "msg": str(e["msg"])[:MAX_MESSAGE_CHARS], "type": str(e["type"])[:MAX_PART_CHARS]}
        budget -= len(json.dumps(item, ensure_ascii=False).encode())
        if budget < 0:
            more = f"and {len(errors) - i} more errors, not listed: correct these first"
            detail.append({"loc": [], "msg": more, "type": "too_many_errors"})
            break
        detail.append(item)
    return detail


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, without echoing the input back (it may be large, or hold NaN that JSON cannot carry)."""
    return JSONResponse({"detail": capped(list(error.errors()))}, status_code=422)
