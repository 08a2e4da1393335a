"""How a refusal reads: the 4xx answers of every route, and their descriptions in the OpenAPI schema.

The core and the lab raise `InputError`s naming the field at fault; here each becomes its status
with FastAPI's `{"detail": ...}`: 422 bodies have FastAPI's own shape, the others one sentence.
A person who followed a bad link to a page gets a small HTML page in the link's language: its own
words for the refusal, and the server's sentence (English, as the API says it).
"""

from html import escape

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from app.core.errors import InputError, NotFound, TooLarge, UnsupportedImage
from app.pages.templating import LANGUAGES, page_text, pick_language

STATUS = {NotFound: 404, TooLarge: 413, UnsupportedImage: 415}

MEANING = {
    400: "A body that cannot be parsed (not UTF-8 JSON, broken multipart)",
    404: "Unknown sample or image (an evicted image must be uploaded again)",
    413: "Request body, image or answer over its limit",
    415: "Not a supported image (PNG, JPEG, GIF, WebP)",
    429: "Too many new images from one address this minute: try again after Retry-After seconds",
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


def refusal_language(request: Request) -> str:
    """The link's language; English where the refusal is of the language itself."""
    asked = request.query_params.get("lang")
    return pick_language(asked if asked in LANGUAGES else None, request.headers.get("accept-language", ""))


def html_refusal(status: int, field: str, message: str, lang: str = "en") -> HTMLResponse:
    words = page_text("common", lang)["refusal_page"]
    why = escape(words["statuses"].get(str(status), ""))
    said = escape(words["parameter"]).replace("{field}", f"<code>{escape(field)}</code>").replace("{why}", why)
    server = escape(words["server"]).replace("{message}", f'<span lang="en">{escape(message)}</span>')
    body = (
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>Pointwise: {escape(words["title"])}</title>'
        f'<link rel="stylesheet" href="/static/css/app.css"><main class="refusal"><h1>{escape(words["title"])}</h1>'
        f'<p>{said}</p><p class="hint">{server}</p>'
        f'<p><a href="/?lang={lang}">{escape(words["mixer"])}</a>'
        f' · <a href="/cost?lang={lang}">{escape(words["cost"])}</a>'
        f' · <a href="/lesson?lang={lang}">{escape(words["lesson"])}</a></p>'
        "</main></html>"
    )
    return HTMLResponse(body, status_code=status)


async def input_error(request: Request, error: InputError) -> Response:
    """A core or lab error → its 4xx."""
    status = STATUS.get(type(error), 422)
    if wants_html(request):
        where = ".".join(str(part) for part in error.field if part != "query")
        return html_refusal(status, where, error.message, refusal_language(request))
    field = ".".join(str(part) for part in error.field)
    if status == 422:
        where = [] if error.field[0] in ("query", "path") else ["body"]
        detail = [{"loc": [*where, *error.field], "msg": error.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": f"{field}: {error.message}"}, status_code=status)


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, without echoing the input back (it may be large, or hold NaN that JSON cannot carry)."""
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


HANDLERS = {InputError: input_error, RequestValidationError: validation_error}
