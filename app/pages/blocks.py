"""The Blocks page at /blocks and /embed/blocks; /data/blocks (the block run a query string asks for,
which the page fetches), /data/blocks/input.pt (the input it ran, for the copied code) and
/export/blocks.html (the same run in one offline file)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.config import STATIC_DIR, Settings
from app.core import inputs
from app.lab.blocks.state import KINDS, block_input_file, blocks, blocks_data, blocks_json, blocks_page_data
from app.lab.runtime import in_thread
from app.pages.export import download, render
from app.pages.templating import language, page_text, pick_language, render_page
from app.web import SettingsDep, json_answer

router = APIRouter(include_in_schema=False)


def script_text(lang: str) -> dict:
    """What the page's scripts say, the head's formula of each kind, and the Mixer's names for the
    machine a run used ("cpu" → CPU)."""
    text = page_text("blocks", lang)
    return {**text["script"], "formulas": text["formulas"], "devices": page_text("mixer", lang)["script"]["devices"]}


def blocks_page(request: Request, settings: Settings, embed: bool) -> HTMLResponse:
    parsed, _ = blocks(request.query_params, settings)
    lang = language(request)
    data = {**blocks_page_data(parsed, settings), "text": script_text(lang)}
    context = {"t": page_text("blocks", lang), "kinds": KINDS, "samples": list(inputs.SAMPLES)}
    return render_page(request, "blocks", embed, lang, blocks=data, **context)


@router.get("/blocks", response_class=HTMLResponse)
def read_blocks(request: Request, settings: SettingsDep) -> HTMLResponse:
    return blocks_page(request, settings, embed=False)


@router.get("/embed/blocks", response_class=HTMLResponse)
def read_blocks_embed(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The Blocks page with minimal chrome, for iframes: ?view=diagram shows the diagram alone."""
    return blocks_page(request, settings, embed=True)


@router.get("/data/blocks")
async def read_blocks_data(request: Request, settings: SettingsDep) -> Response:
    """The block run a page's query string asks for: the answer of POST /api/block."""
    params = dict(request.query_params)
    return await json_answer(request, lambda: blocks_json(params, settings))


@router.get("/data/blocks/input.pt")
async def read_blocks_input(request: Request, settings: SettingsDep) -> Response:
    """The block's input X (Cin, H, W) as torch.save writes it: the copied code loads it."""
    body = await in_thread(block_input_file, dict(request.query_params), settings)
    headers = {"Content-Disposition": 'attachment; filename="block-input.pt"'}
    return Response(body, media_type="application/octet-stream", headers=headers)


def blocks_html(params: dict[str, str], settings: Settings) -> str:
    """The block run for the state in `params`, every stage's maps inside, as one HTML file."""
    lang = pick_language(params.get("lang"))
    text = page_text("blocks", lang)
    parsed, _ = blocks(params, settings)
    data = {**blocks_page_data(parsed, settings), "text": script_text(lang)}
    data["answer"] = blocks_data(params, settings, explain_all=True)
    css = (STATIC_DIR / "css" / "blocks.css").read_text(encoding="utf-8")
    return render("export_blocks.html", text["title"], data, "blocks/export", params, t=text, blocks_css=css)


@router.get("/export/blocks.html")
async def export_blocks(request: Request, settings: SettingsDep) -> Response:
    return await download(request, settings, blocks_html, "pointwise-blocks.html")
