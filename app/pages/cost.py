"""The cost explorer at /cost and /embed/cost, /data/cost (the panels' data for a query string,
which the page fetches) and /export/cost.html (the same panels in one offline file)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import Settings
from app.core.errors import InputError
from app.lab.cost import state as cost_state
from app.lab.encoding import dumps
from app.lab.query import query_values
from app.lab.runtime import in_thread
from app.pages.export import download, render
from app.pages.templating import language, page_text, pick_language, render_page, with_views
from app.web import SettingsDep

router = APIRouter(include_in_schema=False)

# The panels: (view, plot ids), for the page and its export alike; their titles are in the catalogues.
PANELS = [
    ("sweep", ["sweep-parameters", "sweep-macs"]),
    ("inception", ["inception-plot"]),
    ("bottleneck", ["bottleneck-plot"]),
    ("projection", ["projection-plot"]),
    ("separable", ["separable-plot"]),
    ("networks", ["networks-plot"]),
    ("grouped", ["grouped-plot"]),
]


def cost_page(request: Request, settings: SettingsDep, embed: bool) -> HTMLResponse:
    parsed, lang = cost_state.parse_cost(request.query_params, settings), language(request)
    text = page_text("cost", lang)
    data = {**cost_state.cost_page_data(parsed), "text": text["script"], "titles": text["panels"]}
    return render_page(request, "cost", embed, lang, d=query_values(parsed), t=text, cost=data)


@router.get("/cost", response_class=HTMLResponse)
def read_cost(request: Request, settings: SettingsDep) -> HTMLResponse:
    return cost_page(request, settings, embed=False)


@router.get("/embed/cost", response_class=HTMLResponse)
def read_cost_embed(request: Request, settings: SettingsDep) -> Response:
    """The cost panels with minimal chrome, for iframes: ?view=bottleneck shows one panel; without
    ?view=, the sweep."""
    return with_views(request, "sweep") or cost_page(request, settings, embed=True)


def cost_json(params: dict[str, str], settings: Settings) -> bytes:
    parsed = cost_state.parse_cost(params, settings)
    panels = [p for p in params.get("panel", "").split(",") if p] or list(cost_state.COST_PANELS)
    unknown = [p for p in panels if p not in cost_state.COST_PANELS]
    if unknown:
        known = ", ".join(cost_state.COST_PANELS)
        raise InputError(("query", "panel"), f"unknown panel(s) {', '.join(unknown)}; the panels are {known}")
    return dumps(
        {
            "state": parsed.model_dump(mode="json", by_alias=True),
            "panels": cost_state.cost_data(parsed, panels, settings),
        }
    )


@router.get("/data/cost")
async def read_cost_data(request: Request, settings: SettingsDep) -> Response:
    """?panel=sweep,inception plus the page's query: the panels' counts and the parsed state."""
    return Response(await in_thread(cost_json, dict(request.query_params), settings), media_type="application/json")


def cost_html(params: dict[str, str], settings: Settings) -> str:
    lang = pick_language(params.get("lang"))
    text = page_text("cost", lang)
    parsed = cost_state.parse_cost(params, settings)
    panels = parsed.view or list(cost_state.COST_PANELS)
    data = {"panels": cost_state.cost_data(parsed, panels, settings), "text": text["script"]}
    shown = [panel for panel in PANELS if panel[0] in panels]
    return render("export_cost.html", text["export_title"], data, "cost/export", params, panels=shown, t=text)


@router.get("/export/cost.html")
async def export_cost(request: Request, settings: SettingsDep) -> Response:
    return await download(request, settings, cost_html, "pointwise-cost.html")
