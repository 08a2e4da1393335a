"""The Mixer at / and /embed/mixer: the page gets its parsed state and constants in its data block."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import SettingsDep
from app.core import inputs, weights
from app.lab import state
from app.pages.templating import language, templates

router = APIRouter(include_in_schema=False)


def mixer_page(request: Request, settings: SettingsDep, embed: bool) -> HTMLResponse:
    parsed, _ = state.mixer(request.query_params, settings)
    context = {
        "page": "mixer",
        "embed": embed,
        "lang": language(request),
        "samples": inputs.SAMPLES,
        "presets": weights.PRESETS,
        "mixer": state.mixer_page_data(parsed, settings),
    }
    return templates.TemplateResponse(request, "mixer.html", context)


@router.get("/", response_class=HTMLResponse)
def read_mixer(request: Request, settings: SettingsDep) -> HTMLResponse:
    return mixer_page(request, settings, embed=False)


@router.get("/embed/mixer", response_class=HTMLResponse)
def read_mixer_embed(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The Mixer with minimal chrome, for iframes: ?view=sum shows one view, ?hide=upload,seed hides controls."""
    return mixer_page(request, settings, embed=True)
