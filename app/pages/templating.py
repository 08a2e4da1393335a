"""The pages' Jinja2 templates, their language, and the text catalogues they read.

The language comes from `?lang=` (the pages remember it in the browser and keep it in every link
they make), else from the browser's Accept-Language; no cookies. Every page's template gets the
site's own words (`common`: the header, the copy dialog, the share buttons, the refusals) in its
language; a page's own words are in `catalogues/<page>.<lang>.json`.
"""

from functools import lru_cache
import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from app.config import TEMPLATES_DIR
from app.core.errors import InputError

CATALOGUES = Path(__file__).parent / "catalogues"
LANGUAGES = ("en", "zh")


def pick_language(asked: str | None, accept_language: str = "") -> str:
    """`asked` (from ?lang=), else the first of ours that Accept-Language names, else English."""
    if asked is not None:
        if asked not in LANGUAGES:
            raise InputError(("query", "lang"), f"'{asked}' is not a language of Pointwise: {', '.join(LANGUAGES)}")
        return asked
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.headers.get("accept-language", ""))


@lru_cache
def page_text(page: str, lang: str) -> dict:
    """The catalogue of one page (`catalogues/<page>.<lang>.json`) in one language."""
    return json.loads((CATALOGUES / f"{page}.{lang}.json").read_text(encoding="utf-8"))


def other_language(lang: str) -> str:
    """The language the switch on a page offers."""
    return next(other for other in LANGUAGES if other != lang)


def site_text(request: Request) -> dict:
    """What base.html needs on every page: the site's words in the page's language."""
    lang = language(request)
    return {"common": page_text("common", lang), "switch_to": other_language(lang)}


templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[site_text])


def render_page(
    request: Request, page: str, embed: bool, lang: str, template: str = "", **context: object
) -> HTMLResponse:
    """A page or its embed in `lang`, from templates/<page>.html unless `template` says otherwise:
    every page is built here."""
    context = {"page": page, "embed": embed, "lang": lang, **context}
    return templates.TemplateResponse(request, template or f"{page}.html", context)


def with_views(request: Request, views: str) -> RedirectResponse | None:
    """An embed is a figure, sized to its frame: one linked without ?view= is sent to its page's
    usual figure (`views`), with the rest of its query kept; None where the link names its views."""
    if "view" in request.query_params:
        return None
    query = request.url.include_query_params(view=views).query
    return RedirectResponse(f"{request.url.path}?{query}", status_code=307)  # relative: right behind a proxy
