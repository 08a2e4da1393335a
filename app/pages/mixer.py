"""HTML pages: the Mixer at /, the cost explorer at /cost, the API docs at /docs."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.config import TEMPLATES_DIR, get_settings
from app.core import inputs, weights
from app.pages.lesson import FIGURES, LANGUAGES, catalogue
from app.pages.state import COST_DEFAULTS, MIXER_DEFAULTS, MIXER_MAX_SIDE

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)


def limits() -> dict[str, int]:
    """The limits a page needs to bound its controls: read from the one Settings class."""
    settings = get_settings()
    return {
        "max_side": settings.max_side,
        "max_in_channels": settings.max_in_channels,
        "max_out_channels": settings.max_out_channels,
        "max_upload_bytes": settings.max_upload_bytes,
    }


def mixer_page(request: Request, embed: bool) -> HTMLResponse:
    context = {"page": "mixer", "samples": inputs.SAMPLES, "presets": weights.PRESETS, "limits": limits()}
    context["mixer"] = {"defaults": MIXER_DEFAULTS, "max_side": MIXER_MAX_SIDE}
    return templates.TemplateResponse(request, "mixer.html", {**context, "embed": embed})


@router.get("/", response_class=HTMLResponse)
def read_mixer(request: Request) -> HTMLResponse:
    return mixer_page(request, embed=False)


@router.get("/embed/mixer", response_class=HTMLResponse)
def read_mixer_embed(request: Request) -> HTMLResponse:
    """The Mixer with minimal chrome, for iframes: ?view=sum shows one view, ?hide=upload,seed hides controls."""
    return mixer_page(request, embed=True)


@router.get("/cost", response_class=HTMLResponse)
def read_cost(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "cost.html", {"page": "cost", "embed": False, "d": COST_DEFAULTS})


@router.get("/embed/cost", response_class=HTMLResponse)
def read_cost_embed(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "cost.html", {"page": "cost", "embed": True, "d": COST_DEFAULTS})


@router.get("/docs", response_class=HTMLResponse)
def read_docs(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "docs.html", {"page": "docs"})


@router.get("/embed/collapse", response_class=HTMLResponse)
def read_collapse_embed(request: Request, lang: Literal["en", "zh"] = "en") -> HTMLResponse:
    """Two 1×1 layers against their product W2·W1, with and without ReLU between them."""
    context = {"page": "lesson", "embed": True, "lang": lang, "c": catalogue(lang)["collapse"]}
    return templates.TemplateResponse(request, "collapse.html", context)


@router.get("/lesson", response_class=HTMLResponse)
def read_lesson(request: Request, lang: Literal["en", "zh"] = "en") -> HTMLResponse:
    """The guided lesson, one step per screen, in English or Chinese."""
    text = catalogue(lang)
    other = next(language for language in LANGUAGES if language != lang)
    context = {"page": "lesson", "embed": False, "t": text, "steps": list(zip(text["steps"], FIGURES, strict=True))}
    return templates.TemplateResponse(request, "lesson.html", {**context, "other": other, "lang": lang})
