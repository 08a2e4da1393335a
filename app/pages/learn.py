"""The Learn page at /learn and /embed/learn, /data/learn (the requests a query string asks for)
and /export/learn.html (the trainings run here, their curves and maps in one offline file)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import Settings
from app.core import inputs
from app.lab.encoding import dumps
from app.lab.learn.reduce import reduce_answer
from app.lab.learn.service import record
from app.lab.learn.state import check_export, dumped, learn_page_data, learn_state
from app.lab.query import query_values
from app.pages.export import download, render
from app.pages.templating import language, page_text, pick_language, render_page
from app.web import SettingsDep

router = APIRouter(include_in_schema=False)


def learn_text(lang: str) -> dict:
    """The page's words, and the feature bank's channel names, in one language."""
    return page_text("learn", lang) | {"channels": page_text("common", lang)["channels"]}


def learn_page(request: Request, settings: Settings, embed: bool) -> HTMLResponse:
    parsed, requests = learn_state(request.query_params, settings)
    lang = language(request)
    text = learn_text(lang)
    data = learn_page_data(parsed, requests, settings, text)
    context = {"samples": list(inputs.SAMPLES), "colour_presets": data["colour_presets"], "limits": data["limits"]}
    return render_page(request, "learn", embed, lang, t=text, learn=data, **context)


@router.get("/learn", response_class=HTMLResponse)
def read_learn(request: Request, settings: SettingsDep) -> HTMLResponse:
    return learn_page(request, settings, embed=False)


@router.get("/embed/learn", response_class=HTMLResponse)
def read_learn_embed(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The Learn page with minimal chrome, for iframes: ?view=loss,pca shows those views only."""
    return learn_page(request, settings, embed=True)


@router.get("/data/learn")
def read_learn_data(request: Request, settings: SettingsDep) -> Response:
    """The state a query string means, and the bodies of /api/learn and /api/reduce it asks for."""
    parsed, requests = learn_state(request.query_params, settings)
    body = {"state": query_values(parsed), "requests": dumped(requests)}
    return Response(dumps(body), media_type="application/json")


def learn_html(params: dict[str, str], settings: Settings) -> str:
    """The Learn page's figures for the state in `params`, trained here, as one HTML file."""
    lang = pick_language(params.get("lang"))
    text = learn_text(lang)
    parsed, requests = learn_state(params, settings)
    check_export(parsed, requests, settings)
    data = {
        "text": text,
        "learn": record(requests["learn"], settings),
        "compare": [record(r, settings) for r in requests["compare"]] if parsed.cmp == "1" else None,
        "reduce": reduce_answer(requests["reduce"], settings),
        "autoencoder": record(requests["autoencoder"], settings),
    }
    return render("export_learn.html", text["title"], data, "learn/export", params, t=text, compare=parsed.cmp == "1")


@router.get("/export/learn.html")
async def export_learn(request: Request, settings: SettingsDep) -> Response:
    return await download(request, settings, learn_html, "pointwise-learn.html")
