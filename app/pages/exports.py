"""GET /export/mixer.html and /export/cost.html: one self-contained file each, from a page's query string."""

from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
import torch

from app.api import cost
from app.api.deps import SettingsDep, run_blocking
from app.api.mix import compute_mix
from app.api.schemas import MixRequest
from app.config import STATIC_DIR, Settings
from app.core.errors import InputError
from app.core.mixing import collapse
from app.pages.export import PANELS, bundle, data_block, inline_script, views_of
from app.pages.lesson import FIGURES, catalogue
from app.pages.routes import templates
from app.pages.state import cost_state, mixer_request, mixer_state
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
    return templates.get_template(template).render({**context, "panels": PANELS, **extra})


def mixer_html(params: dict[str, str], settings: Settings) -> str:
    """The Mixer's views for the state in `params`, as one HTML file."""
    state = mixer_state(params)
    try:
        request = mixer_request(state)
    except ValidationError as error:
        raise InputError(("query",), f"not a Mixer state: {error.errors()[0]['msg']}") from error
    answer = compute_mix(request, settings)
    data = {"answer": answer, "request": request.model_dump(), "views": views_of(state)}
    return render("export_mixer.html", "A 1×1 convolution", data, "export-mixer")


def cost_data(state: dict[str, str]) -> dict:
    """The four panels' API answers for a cost-explorer state, as the page fetches them."""
    try:
        n = {key: int(value) for key, value in state.items() if value.isdigit()}
        kernel = cost.KernelSize
        bias = state["s-bias"] == "1"
        base = {"in_channels": n["s-cin"], "height": n["s-h"], "width": n["s-w"], "bias": bias}
        sweep = {"out_min": 1, "out_max": 1024, "out_step": 4}
        one = cost.read_sweep(**base, **sweep, kernel_size=kernel(1))
        wide = cost.read_sweep(**base, **sweep, kernel_size=kernel(n["s-k"]))
        one_conv = cost.read_conv_cost(**base, out_channels=n["s-cout"], kernel_size=kernel(1))
        wide_conv = cost.read_conv_cost(**base, out_channels=n["s-cout"], kernel_size=kernel(n["s-k"]))
        inception = cost.read_inception_cost(
            n["i-h"], n["i-w"], n["i-cin"], min(n["i-r"], n["i-cin"]), n["i-cout"], kernel(n["i-k"])
        )
        bottleneck = cost.read_bottleneck_cost(
            n["b-cin"], n["b-mid"], n["b-cin"], n["b-h"], n["b-w"], bias=state["b-style"] != "torchvision"
        )
        separable = cost.read_separable_cost(n["d-cin"], n["d-cout"], n["d-h"], n["d-w"], kernel(n["d-k"]))
    except (KeyError, ValueError) as error:
        raise InputError(("query",), f"not a cost-explorer state: {error}") from error

    def dump(model):
        return model.model_dump(mode="json")

    return {
        "sweep": {
            "controls": state,
            "one": dump(one),
            "wide": dump(wide),
            "oneConv": dump(one_conv),
            "wideConv": dump(wide_conv),
        },
        "inception": {"controls": state, "answer": dump(inception)},
        "bottleneck": {"controls": state, "answer": dump(bottleneck)},
        "separable": {"controls": state, "answer": dump(separable)},
    }


def cost_html(params: dict[str, str]) -> str:
    state = cost_state(params)
    data = {"panels": {k: v for k, v in cost_data(state).items() if not views_of(params) or k in views_of(params)}}
    return render("export_cost.html", "What a 1×1 convolution costs", data, "export-cost")


def collapse_data(params: dict[str, str], settings: Settings) -> dict:
    """Two 1×1 layers on a seeded random input, and the one layer W2·W1 (as the live figure asks)."""
    seed = int(params["seed"]) if params.get("seed", "").isdigit() else 0
    relu = params.get("relu") == "1"
    x = {"source": "random", "channels": 3, "height": 24, "width": 24, "seed": seed, "distribution": "normal"}

    def run(**body) -> dict:
        return compute_mix(MixRequest.model_validate({**body, "encoding": "json"}), settings)

    first = run(
        input=x,
        out_channels=4,
        weight={"init": "random", "seed": seed},
        bias={"init": "random", "seed": seed + 1},
        activation="relu" if relu else "none",
    )
    second = run(
        input={"source": "values", "values": first["output"]["maps"]},
        out_channels=3,
        weight={"init": "random", "seed": seed + 2},
        bias={"init": "random", "seed": seed + 3},
    )
    tensors = [torch.tensor(a[key]["values"]) for a in (first, second) for key in ("weight", "bias")]
    weight, bias = collapse(*tensors)
    single = run(input=x, weight={"values": weight.tolist()}, bias={"values": bias.tolist()})
    return {"first": first, "second": second, "single": single, "relu": relu, "text": catalogue("en")["collapse"]}


def collapse_html(params: dict[str, str], settings: Settings) -> str:
    data = collapse_data(params, settings)
    return render("export_collapse.html", data["text"]["title"], data, "export-collapse", c=data["text"])


EXPORTERS = {
    "/embed/mixer": mixer_html,
    "/embed/cost": lambda params, settings: cost_html(params),
    "/embed/collapse": collapse_html,
}


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
    return download(
        await run_blocking(settings, mixer_html, dict(request.query_params), settings), "pointwise-mixer.html"
    )


@router.get("/export/cost.html")
async def export_cost(request: Request, settings: SettingsDep) -> HTMLResponse:
    return download(await run_blocking(settings, cost_html, dict(request.query_params)), "pointwise-cost.html")


@router.get("/export/collapse.html")
async def export_collapse(request: Request, settings: SettingsDep) -> HTMLResponse:
    html = await run_blocking(settings, collapse_html, dict(request.query_params), settings)
    return download(html, "pointwise-collapse.html")
