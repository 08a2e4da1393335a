"""The lesson's own figure, two 1×1 layers against their product W2·W1 (view=collapse, the default)
and a 1×1 layer with BatchNorm against the layer they fold into (view=fold): /embed/collapse,
/data/collapse (its tensors) and /export/collapse.html (the figure in one offline file)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import Settings
from app.lab.encoding import dumps
from app.lab.mixer.collapse import CollapseState, collapse_figure, shown
from app.lab.query import parse
from app.lab.runtime import in_thread
from app.pages.export import download, render
from app.pages.templating import language, page_text, pick_language, render_page, with_views
from app.web import SettingsDep

router = APIRouter(include_in_schema=False)


@router.get("/embed/collapse", response_class=HTMLResponse)
def read_collapse_embed(request: Request) -> Response:
    """Two 1×1 layers against their product W2·W1, with and without ReLU between them (view=collapse,
    where a link names no view); a 1×1 layer and BatchNorm against the one layer they fold into (view=fold)."""
    redirect = with_views(request, "collapse")
    if redirect:
        return redirect
    parsed, lang = parse(CollapseState, request.query_params), language(request)
    text, data = page_text("lesson", lang)["collapse"], parsed.model_dump(mode="json")
    views = shown(parsed)
    return render_page(request, "lesson", True, lang, template="collapse.html", c=text, state=data, views=views)


@router.get("/data/collapse")
async def read_collapse_data(request: Request, settings: SettingsDep) -> Response:
    """The figure's tensors for ?seed=&relu= (the page and its export draw the same data)."""
    data = await in_thread(collapse_figure, request.query_params, settings)
    return Response(dumps(data), media_type="application/json")


def collapse_html(params: dict[str, str], settings: Settings) -> str:
    lang = pick_language(params.get("lang"))
    text = page_text("lesson", lang)["collapse"]
    data = {**collapse_figure(params, settings), "text": text}
    views = data["views"]
    title = text["title"] if "collapse" in views else text["fold"]["title"]
    return render("export_collapse.html", title, data, "collapse/export", params, c=text, views=views)


@router.get("/export/collapse.html")
async def export_collapse(request: Request, settings: SettingsDep) -> Response:
    return await download(request, settings, collapse_html, "pointwise-collapse.html")
