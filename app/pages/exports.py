"""GET /export/mixer.html, /export/cost.html and /export/collapse.html: one self-contained file each,
from the same parsed state and the same lab functions as the page, in the language of `?lang=`; and
`python -m app export`."""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import STATIC_DIR, Settings, SettingsDep
from app.core.errors import TooLarge
from app.lab import cost_state, state
from app.lab.mixing import mix_answer
from app.lab.models import MixRequest
from app.lab.runtime import in_thread
from app.pages.bundle import bundle, data_block, inline_script
from app.pages.cost import PANELS
from app.pages.lesson import FIGURES, catalogue
from app.pages.mixer import mixer_text
from app.pages.templating import page_text, pick_language, templates
from app.pages.vendor import plotly_bytes

router = APIRouter(include_in_schema=False)


def made(lang: str, key: str = "made") -> str:
    """When and by what the file was made, in its language."""
    return page_text("common", lang)["export"][key].replace("{date}", date.today().isoformat())


def render(template: str, title: str, data: dict, entry: str, lang: str = "en", **extra: object) -> str:
    """One self-contained file; `marks=True` in `extra` stripes its negative values (?marks=1)."""
    context = {
        "title": title,
        "lang": lang,
        "common": page_text("common", lang),  # the site's words the drawing code reads (shared/text.js)
        "made": made(lang),
        "css": (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8"),
        "plotly": inline_script(plotly_bytes()[0].decode("utf-8")),
        "code": inline_script(bundle(entry)),
        "data": data_block(data),
    }
    return templates.get_template(template).render({**context, **extra})


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
    marks = params.get("marks") == "1"
    return render("export_mixer.html", text["export_title"], data, "mixer/export", lang, t=text, marks=marks)


def cost_html(params: dict[str, str], settings: Settings) -> str:
    lang = pick_language(params.get("lang"))
    text = page_text("cost", lang)
    parsed = cost_state.parse_cost(params, settings)
    panels = parsed.view or list(cost_state.COST_PANELS)
    data = {"panels": cost_state.cost_data(parsed, panels, settings), "text": text["script"]}
    shown = [panel for panel in PANELS if panel[0] in panels]
    return render("export_cost.html", text["export_title"], data, "cost/export", lang, panels=shown, t=text)


def collapse_html(params: dict[str, str], settings: Settings) -> str:
    lang = pick_language(params.get("lang"))
    text = catalogue(lang)["collapse"]
    data = {**state.collapse(params, settings), "text": text}
    marks = params.get("marks") == "1"
    return render("export_collapse.html", text["title"], data, "collapse/export", lang, c=text, marks=marks)


EXPORTERS = {"/embed/mixer": mixer_html, "/embed/cost": cost_html, "/embed/collapse": collapse_html}


def export_lesson(out: Path, settings: Settings, lang: str = "en") -> list[Path]:
    """Every lesson figure as a standalone HTML file in `out`, in `lang`, and an index.html that lists them."""
    out.mkdir(parents=True, exist_ok=True)
    text = catalogue(lang)
    written, rows = [], []
    for number, figure in enumerate(FIGURES, start=1):
        path, _, query = figure.partition("?")
        name = f"step-{number:02d}.html"
        params = {**dict(parse_qsl(query)), "lang": lang}
        (out / name).write_text(EXPORTERS[path](params, settings), encoding="utf-8")
        written.append(out / name)
        rows.append((name, text["steps"][number - 1]["title"]))
    css = (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8")
    words = page_text("common", lang)["export"]
    index = templates.get_template("export_index.html").render(
        css=css, steps=rows, lang=lang, title=words["index_title"], made=made(lang, "index_made")
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    return [*written, out / "index.html"]


def download(html: str, name: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/export/mixer.html")
async def export_mixer(request: Request, settings: SettingsDep) -> HTMLResponse:
    html = await in_thread(mixer_html, dict(request.query_params), settings)
    return download(html, "pointwise-mixer.html")


@router.get("/export/cost.html")
async def export_cost(request: Request, settings: SettingsDep) -> HTMLResponse:
    return download(await in_thread(cost_html, dict(request.query_params), settings), "pointwise-cost.html")


@router.get("/export/collapse.html")
async def export_collapse(request: Request, settings: SettingsDep) -> HTMLResponse:
    html = await in_thread(collapse_html, dict(request.query_params), settings)
    return download(html, "pointwise-collapse.html")
