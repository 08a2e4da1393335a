"""GET /export/mixer.html, /export/cost.html and /export/collapse.html: one self-contained file each,
from the same parsed state and the same lab functions as the page; and `python -m app export`."""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import STATIC_DIR, Settings, SettingsDep
from app.lab import state
from app.lab.mixing import mix_answer
from app.lab.runtime import in_thread
from app.pages.bundle import bundle, data_block, inline_script
from app.pages.cost import PANELS
from app.pages.lesson import FIGURES, catalogue
from app.pages.templating import pick_language, templates
from app.pages.vendor import plotly_bytes

router = APIRouter(include_in_schema=False)


def render(template: str, title: str, data: dict, entry: str, **extra: object) -> str:
    context = {
        "title": title,
        "made": f"on {date.today().isoformat()}",
        "css": (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8"),
        "plotly": inline_script(plotly_bytes()[0].decode("utf-8")),
        "code": inline_script(bundle(entry)),
        "data": data_block(data),
    }
    return templates.get_template(template).render({**context, **extra})


def mixer_html(params: dict[str, str], settings: Settings) -> str:
    """The Mixer's views for the state in `params`, as one HTML file."""
    pick_language(params.get("lang"))  # the exports' text is English for now; a bad lang is still refused
    parsed, request = state.mixer(params, settings)
    data = {"answer": mix_answer(request, settings), "request": request.model_dump(), "views": parsed.view}
    return render("export_mixer.html", "A 1×1 convolution", data, "export-mixer")


def cost_html(params: dict[str, str], settings: Settings) -> str:
    pick_language(params.get("lang"))
    parsed = state.cost_state(params, settings)
    panels = parsed.view or list(state.COST_PANELS)
    data = {"panels": state.cost_data(parsed, panels, settings)}
    shown = [panel for panel in PANELS if panel[0] in panels]
    return render("export_cost.html", "What a 1×1 convolution costs", data, "export-cost", panels=shown)


def collapse_html(params: dict[str, str], settings: Settings) -> str:
    text = catalogue(pick_language(params.get("lang")))["collapse"]
    data = {**state.collapse(params, settings), "text": text}
    return render("export_collapse.html", text["title"], data, "export-collapse", c=text)


EXPORTERS = {"/embed/mixer": mixer_html, "/embed/cost": cost_html, "/embed/collapse": collapse_html}


def export_lesson(out: Path, settings: Settings) -> list[Path]:
    """Every lesson figure as a standalone HTML file in `out`, and an index.html that lists them."""
    out.mkdir(parents=True, exist_ok=True)
    english, chinese = catalogue("en"), catalogue("zh")
    written, rows = [], []
    for number, figure in enumerate(FIGURES, start=1):
        path, _, query = figure.partition("?")
        name = f"step-{number:02d}.html"
        (out / name).write_text(EXPORTERS[path](dict(parse_qsl(query)), settings), encoding="utf-8")
        written.append(out / name)
        rows.append((name, english["steps"][number - 1]["title"], chinese["steps"][number - 1]["title"]))
    css = (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8")
    index = templates.get_template("export_index.html").render(css=css, steps=rows, made=f"on {date.today()}")
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
