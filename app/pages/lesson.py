"""The guided lesson (one figure per step, the text of every step in one catalogue per language)
and its own figure: two 1×1 layers against their product W2·W1."""

from functools import lru_cache
import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import SettingsDep
from app.lab import state
from app.lab.encoding import dumps
from app.lab.runtime import in_thread
from app.pages.templating import CATALOGUES, LANGUAGES, language, templates

router = APIRouter(include_in_schema=False)

# Each step's live figure, as the embed it is (path and query); the text is in the catalogues.
FIGURES = [
    "/embed/mixer?in=sample:shapes&feat=rgb&w=identity&cout=3&view=input,output,weights&hide=controls",
    "/embed/mixer?in=sample:scene&feat=bank&cout=4&view=sum,weights&hide=controls",
    "/embed/mixer?in=random&rc=4&rh=8&rw=8&cout=3&view=probe,graph&hide=controls",
    "/embed/mixer?in=sample:shapes&feat=rgb&w=invert&view=input,weights,output&hide=controls",
    "/embed/cost?view=sweep",
    "/embed/mixer?in=sample:scene&feat=bank&w=pca&cout=3&view=weights,output,rgb&hide=controls",
    "/embed/collapse?relu=0",
    "/embed/mixer?in=sample:scene&feat=bank&cout=8&act=relu&view=probe,output&hide=controls",
    "/embed/cost?view=inception",
    "/embed/cost?view=bottleneck",
    "/embed/cost?view=projection",
    "/embed/cost?view=separable",
    "/embed/mixer?in=sample:scene&feat=bank&cout=16&view=graph,output&hide=controls",
]


@lru_cache
def catalogue(language: str) -> dict:
    """Every string of the lesson in one language."""
    text = json.loads((CATALOGUES / f"{language}.json").read_text(encoding="utf-8"))
    if len(text["steps"]) != len(FIGURES):
        raise ValueError(f"the {language} catalogue has {len(text['steps'])} steps, the lesson {len(FIGURES)}")
    return text


@router.get("/lesson", response_class=HTMLResponse)
def read_lesson(request: Request) -> HTMLResponse:
    """The guided lesson, one step per screen, in English or Chinese."""
    lang = language(request)
    text = catalogue(lang)
    other = next(language for language in LANGUAGES if language != lang)
    context = {"page": "lesson", "embed": False, "t": text, "steps": list(zip(text["steps"], FIGURES, strict=True))}
    return templates.TemplateResponse(request, "lesson.html", {**context, "other": other, "lang": lang})


@router.get("/embed/collapse", response_class=HTMLResponse)
def read_collapse_embed(request: Request) -> HTMLResponse:
    """Two 1×1 layers against their product W2·W1, with and without ReLU between them."""
    parsed, lang = state.parse(state.CollapseState, request.query_params), language(request)
    context = {"page": "lesson", "embed": True, "lang": lang, "c": catalogue(lang)["collapse"]}
    context["state"] = parsed.model_dump(mode="json")
    return templates.TemplateResponse(request, "collapse.html", context)


@router.get("/data/collapse")
async def read_collapse_data(request: Request, settings: SettingsDep) -> Response:
    """The collapse figure's tensors for ?seed=&relu= (the page and its export draw the same data)."""
    data = await in_thread(state.collapse, request.query_params, settings)
    return Response(dumps(data), media_type="application/json")
