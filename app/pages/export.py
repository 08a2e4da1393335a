"""What every page's export shares: one self-contained HTML file (plotly.js, the page's drawing code
and its data inlined, in the language of `?lang=`), sent as a download. Each page's export route
lives with its page."""

from collections.abc import Callable, Mapping
from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from app.config import STATIC_DIR, Settings
from app.lab.runtime import in_thread
from app.pages.bundle import bundle, data_block, inline_script
from app.pages.templating import page_text, pick_language, templates
from app.pages.vendor import plotly_bytes


def made(lang: str, key: str = "made") -> str:
    """When and by what the file was made, in its language."""
    return page_text("common", lang)["export"][key].replace("{date}", date.today().isoformat())


def render(template: str, title: str, data: dict, entry: str, query: Mapping[str, str], **extra: object) -> str:
    """One self-contained file in the language of `query`'s `lang`, with Large type (`large=1`) and
    striped negatives (`marks=1`) as the query it was made from asks; the file's own box switches
    Large type, offline (shared/export-chrome.js)."""
    lang = pick_language(query.get("lang"))
    context = {
        "title": title,
        "lang": lang,
        "large": query.get("large") == "1",
        "marks": query.get("marks") == "1",
        "common": page_text("common", lang),  # the site's words the drawing code reads (shared/text.js)
        "made": made(lang),
        "css": (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8"),
        "plotly": inline_script(plotly_bytes()[0].decode("utf-8")),
        "code": inline_script(bundle(entry)),
        "data": data_block(data),
    }
    return templates.get_template(template).render({**context, **extra})


async def download(request: Request, settings: Settings, make: Callable[[dict, Settings], str], name: str) -> Response:
    """The file `make` writes for the request's query string, made in a worker thread, as a download."""
    html = await in_thread(make, dict(request.query_params), settings)
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}"'})
