"""What a person who followed a bad link sees: a short page in the link's language, with its own
words for the refusal and the server's sentence (English, as the API says it)."""

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse

from app.pages.templating import LANGUAGES, page_text, pick_language


def refusal_language(request: Request) -> str:
    """The link's language; English where the refusal is of the language itself."""
    asked = request.query_params.get("lang")
    return pick_language(asked if asked in LANGUAGES else None, request.headers.get("accept-language", ""))


def html_refusal(request: Request, status: int, field: str, message: str) -> HTMLResponse:
    lang = refusal_language(request)
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
