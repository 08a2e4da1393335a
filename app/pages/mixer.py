"""The Mixer at / and /embed/mixer (the page gets its parsed state and constants in its data block)
and /export/mixer.html (its views in one offline file)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import Settings
from app.core import inputs, weights
from app.core.errors import TooLarge
from app.lab.mixer import state
from app.lab.mixer.models import MixRequest
from app.lab.mixer.service import mix_answer
from app.pages.export import download, render
from app.pages.templating import language, page_text, pick_language, render_page, with_views
from app.web import SettingsDep

router = APIRouter(include_in_schema=False)

# The query parameter each field of a mix request stands for, as "input.channels": "rc" (a refusal
# names the field; the page names its control).
PARAMETERS = {".".join(field): parameter for field, parameter in state.MIXER_PARAMETER.items()}


def mixer_text(lang: str) -> dict:
    """The words the Mixer's scripts draw with (its page and its export): the page's own and the
    feature bank's channel names."""
    channels = page_text("common", lang)["channels"]
    return {**page_text("mixer", lang)["script"], "channels": channels, "live": page_text("live", lang)["script"]}


def mixer_page(request: Request, settings: SettingsDep, embed: bool) -> HTMLResponse:
    parsed, _ = state.mixer(request.query_params, settings)
    lang = language(request)
    data = {**state.mixer_page_data(parsed, settings), "text": mixer_text(lang), "parameters": PARAMETERS}
    context = {"t": page_text("mixer", lang), "live": page_text("live", lang), "samples": list(inputs.SAMPLES)}
    context["presets"] = weights.PRESETS
    return render_page(request, "mixer", embed, lang, mixer=data, **context)


@router.get("/", response_class=HTMLResponse)
def read_mixer(request: Request, settings: SettingsDep) -> HTMLResponse:
    return mixer_page(request, settings, embed=False)


@router.get("/embed/mixer", response_class=HTMLResponse)
def read_mixer_embed(request: Request, settings: SettingsDep) -> Response:
    """The Mixer with minimal chrome, for iframes: ?view=sum shows one view, ?hide=upload,seed hides
    controls; without ?view=, the input, W and the output."""
    return with_views(request, "input,weights,output") or mixer_page(request, settings, embed=True)


def exact_answer(request: MixRequest, settings: Settings) -> dict:
    """The mix answer with X and Y in float32, from which the file probes any pixel and explains any
    channel by itself (mixer/export.js); in the page's 8 bits when float32 would be over the limit.
    Y before f is left out: the file computes z itself."""
    try:
        answer = mix_answer(request.model_copy(update={"encoding": "base64"}), settings)
    except TooLarge:
        answer = mix_answer(request, settings)
    answer["output"].pop("pre_activation", None)
    return answer


def mixer_html(params: dict[str, str], settings: Settings) -> str:
    """The Mixer's views for the state in `params`, as one HTML file."""
    lang = pick_language(params.get("lang"))
    parsed, request = state.mixer(params, settings)
    data = {"answer": exact_answer(request, settings), "request": request.model_dump(), "views": parsed.view}
    data["shared"] = parsed.scale == "shared"  # one colour range for every tile, as on the page
    data["text"] = mixer_text(lang)
    text = page_text("mixer", lang)
    return render("export_mixer.html", text["export_title"], data, "mixer/export", params, t=text)


@router.get("/export/mixer.html")
async def export_mixer(request: Request, settings: SettingsDep) -> Response:
    return await download(request, settings, mixer_html, "pointwise-mixer.html")
