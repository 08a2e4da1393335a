"""The guided lesson at /lesson (one figure per step, the text of every step in one catalogue per
language), and `python -m app export`: every step's figure as an offline file."""

from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import STATIC_DIR, Settings
from app.pages.blocks import blocks_html
from app.pages.collapse import collapse_html
from app.pages.cost import cost_html
from app.pages.export import made
from app.pages.mixer import mixer_html
from app.pages.templating import language, page_text, render_page, templates

router = APIRouter(include_in_schema=False)

# Each step's live figure, as the embed it is (path and query); the text is in the catalogues.
FIGURES = [
    "/embed/mixer?in=sample:shapes&feat=rgb&w=identity&cout=3&view=input,output,weights&hide=controls",
    "/embed/mixer?in=sample:scene&feat=bank&cout=4&view=sum,weights&hide=controls",
    "/embed/mixer?in=random&rc=4&rh=8&rw=8&cout=3&view=probe,graph&hide=controls",
    "/embed/mixer?in=sample:shapes&feat=rgb&w=invert&view=input,weights,output&hide=controls",
    "/embed/cost?view=sweep",
    "/embed/mixer?in=sample:scene&feat=bank&w=pca&cout=3&view=weights,output,rgb&hide=controls",
    "/embed/collapse?view=collapse&relu=0",
    "/embed/collapse?view=fold",
    "/embed/mixer?in=sample:scene&feat=bank&cout=8&act=relu&view=probe,output&hide=controls",
    "/embed/cost?view=inception",
    "/embed/cost?view=bottleneck",
    "/embed/cost?view=projection",
    "/embed/cost?view=separable",
    "/embed/cost?view=networks",
    "/embed/blocks?b=vit_ffn&in=sample:scene&side=64&view=summary&hide=controls",
    "/embed/mixer?in=sample:scene&feat=bank&cout=16&view=graph,output&hide=controls",
]

# The first step's "start small": the whole Mixer, controls and all, at its smallest useful size (an
# image's red, green and blue in, the identity's 3 channels out), for a student to grow.
START_SMALL = "/?in=sample:shapes&feat=rgb&w=identity&cout=3"


def catalogue(lang: str) -> dict:
    """Every string of the lesson in one language."""
    text = page_text("lesson", lang)
    if len(text["steps"]) != len(FIGURES):
        raise ValueError(f"the {lang} catalogue has {len(text['steps'])} steps, the lesson {len(FIGURES)}")
    return text


@router.get("/lesson", response_class=HTMLResponse)
def read_lesson(request: Request) -> HTMLResponse:
    """The guided lesson, one step per screen, in English or Chinese."""
    lang = language(request)
    text = catalogue(lang)
    steps = list(zip(text["steps"], FIGURES, strict=True))
    return render_page(request, "lesson", False, lang, t=text, steps=steps, start_small=START_SMALL)


def export_lesson(out: Path, settings: Settings, lang: str = "en") -> list[Path]:
    """Every lesson figure as a standalone HTML file in `out`, in `lang`, and an index.html that lists them."""
    exporters = {
        "/embed/mixer": mixer_html,
        "/embed/cost": cost_html,
        "/embed/collapse": collapse_html,
        "/embed/blocks": blocks_html,
    }
    out.mkdir(parents=True, exist_ok=True)
    text = catalogue(lang)
    written, rows = [], []
    for number, figure in enumerate(FIGURES, start=1):
        path, _, query = figure.partition("?")
        name = f"step-{number:02d}.html"
        params = {**dict(parse_qsl(query)), "lang": lang}
        (out / name).write_text(exporters[path](params, settings), encoding="utf-8")
        written.append(out / name)
        rows.append((name, text["steps"][number - 1]["title"]))
    css = (STATIC_DIR / "css" / "app.css").read_text(encoding="utf-8")
    words = page_text("common", lang)["export"]
    index = templates.get_template("export_index.html").render(
        css=css, steps=rows, lang=lang, title=words["index_title"], made=made(lang, "index_made")
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    return [*written, out / "index.html"]
