"""The cost explorer at /cost and /embed/cost, and /data/cost: the panels' data for a query string,
which the page fetches and its export embeds."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import Settings, SettingsDep
from app.core.errors import InputError
from app.lab import state
from app.lab.encoding import dumps
from app.lab.runtime import in_thread
from app.pages.templating import language, templates

router = APIRouter(include_in_schema=False)

# The panels: (view, title, plot ids), for the page and its export alike.
PANELS = [
    ("sweep", "Parameters and multiply–adds against Cout", ["sweep-parameters", "sweep-macs"]),
    ("inception", "Inception: a 1×1 reduction before the big kernel", ["inception-plot"]),
    ("bottleneck", "ResNet bottleneck: 1×1 reduce → 3×3 → 1×1 expand", ["bottleneck-plot"]),
    (
        "projection",
        "ResNet's projection shortcut: a 1×1 conv with stride 2 where the shape changes",
        ["projection-plot"],
    ),
    ("separable", "MobileNet: depthwise k×k, then a pointwise 1×1", ["separable-plot"]),
]


def cost_page(request: Request, settings: SettingsDep, embed: bool) -> HTMLResponse:
    parsed = state.cost_state(request.query_params, settings)
    context = {"page": "cost", "embed": embed, "lang": language(request), "d": state.query_values(parsed)}
    context["cost"] = state.cost_page_data(parsed)
    context["titles"] = {name: title for name, title, _ in PANELS}
    return templates.TemplateResponse(request, "cost.html", context)


@router.get("/cost", response_class=HTMLResponse)
def read_cost(request: Request, settings: SettingsDep) -> HTMLResponse:
    return cost_page(request, settings, embed=False)


@router.get("/embed/cost", response_class=HTMLResponse)
def read_cost_embed(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The cost panels with minimal chrome, for iframes: ?view=bottleneck shows one panel."""
    return cost_page(request, settings, embed=True)


def cost_json(params: dict[str, str], settings: Settings) -> bytes:
    parsed = state.cost_state(params, settings)
    panels = [p for p in params.get("panel", "").split(",") if p] or list(state.COST_PANELS)
    unknown = [p for p in panels if p not in state.COST_PANELS]
    if unknown:
        known = ", ".join(state.COST_PANELS)
        raise InputError(("query", "panel"), f"unknown panel(s) {', '.join(unknown)}; the panels are {known}")
    return dumps(
        {"state": parsed.model_dump(mode="json", by_alias=True), "panels": state.cost_data(parsed, panels, settings)}
    )


@router.get("/data/cost")
async def read_cost_data(request: Request, settings: SettingsDep) -> Response:
    """?panel=sweep,inception plus the page's query: the panels' counts and the parsed state."""
    return Response(await in_thread(cost_json, dict(request.query_params), settings), media_type="application/json")
