"""Build the Pointwise app: middleware, error handlers, static files and routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
import swagger_ui_bundle
import torch

from app.api import blocks, cost, health, images, learn, live, mix, samples
from app.config import STATIC_DIR, get_settings
from app.errors import handlers
from app.lab.mixer.service import mix_answer
from app.lab.mixer.state import mixer
from app.lab.runtime import in_thread
from app.middleware import AdmissionMiddleware, BodyLimitMiddleware, InternalErrorMiddleware, SecurityHeadersMiddleware
from app.pages import blocks as blocks_page
from app.pages import collapse, lesson, vendor
from app.pages import cost as cost_page
from app.pages import learn as learn_page
from app.pages import mixer as mixer_page
from app.pages.assets import CompressedStaticFiles
from app.pages.refusal import html_refusal


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Draw the Mixer's default view once at start-up: the first student should not wait for
    torch's first kernels and the first sample's features (over a second on a laptop). Compress
    the plotly bundle too: its level-9 gzip takes a second, and 80 cold GETs queued behind it."""
    settings = get_settings()
    await in_thread(vendor.plotly_bytes)
    _, request = mixer({}, settings)
    await in_thread(mix_answer, request, settings)
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    if settings.torch_threads > 0:
        torch.set_num_threads(settings.torch_threads)
    app = FastAPI(
        title="Pointwise",
        summary="An interactive lab for 1×1 convolutions",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    for error, handler in handlers(html_refusal).items():
        app.add_exception_handler(error, handler)
    # The last added runs first: headers on every answer, then 500s, body limits, admission.
    app.add_middleware(AdmissionMiddleware, settings=settings)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.mount("/static", CompressedStaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/vendor/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    routers = (
        health,
        samples,
        images,
        mix,
        live,
        cost,
        learn,
        blocks,
        vendor,
        mixer_page,
        cost_page,
        lesson,
        learn_page,
        blocks_page,
        collapse,
    )
    for module in routers:
        app.include_router(module.router)
    return app


app = create_app()
