"""The Mixer at / and /embed/mixer: the page gets its parsed state and constants in its data block."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import SettingsDep
from app.core import inputs, weights
from app.lab import state
from app.pages.templating import language, page_text, templates, with_views

router = APIRouter(include_in_schema=False)

# The query parameter each field of a mix request stands for, as "input.channels": "rc" (a refusal
# names the field; the page names its control).
PARAMETERS = {".".join(field): parameter for field, parameter in state.MIXER_PARAMETER.items()}


def mixer_text(lang: str) -> dict:
    """The words the Mixer's scripts draw with (its page and its export): the page's own and the
    feature bank's channel names."""
    return {**page_text("mixer", lang)["script"], "channels": page_text("common", lang)["channels"]}


def mixer_page(request: Request, settings: SettingsDep, embed: bool) -> HTMLResponse:
    parsed, _ = state.mixer(request.query_params, settings)
    lang = language(request)
    context = {
        "page": "mixer",
        "embed": embed,
        "lang": lang,
        "t": page_text("mixer", lang),
        "samples": list(inputs.SAMPLES),
        "presets": weights.PRESETS,
        "mixer": {**state.mixer_page_data(parsed, settings), "text": mixer_text(lang), "parameters": PARAMETERS},
    }
    return templates.TemplateResponse(request, "mixer.html", context)


@router.get("/", response_class=HTMLResponse)
def read_mixer(request: Request, settings: SettingsDep) -> HTMLResponse:
    return mixer_page(request, settings, embed=False)


@router.get("/embed/mixer", response_class=HTMLResponse)
def read_mixer_embed(request: Request, settings: SettingsDep) -> Response:
    """The Mixer with minimal chrome, for iframes: ?view=sum shows one view, ?hide=upload,seed hides
    controls; without ?view=, the input, W and the output."""
    return with_views(request, "input,weights,output") or mixer_page(request, settings, embed=True)
