"""Build the Pointwise app: middleware, error handlers, static files and routers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
import swagger_ui_bundle
import torch

from app.api import cost, health, images, mix, samples
from app.api.mix import compute_mix
from app.config import STATIC_DIR, get_settings
from app.core.errors import InputError, NotFound, TooLarge, UnsupportedImage
from app.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from app.pages import exports, routes, vendor
from app.pages.state import mixer_request, mixer_state

STATUS = {NotFound: 404, TooLarge: 413, UnsupportedImage: 415}


async def input_error(request: Request, error: InputError) -> JSONResponse:
    """A core error → its 4xx; 422 bodies have FastAPI's own shape, the others a sentence."""
    status = STATUS.get(type(error), 422)
    field = ".".join(str(part) for part in error.field)
    if status == 422:
        where = [] if error.field[0] in ("query", "path") else ["body"]
        detail = [{"loc": [*where, *error.field], "msg": error.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=422)
    return JSONResponse({"detail": f"{field}: {error.message}"}, status_code=status)


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, without echoing the input back (it may be large, or hold NaN that JSON cannot carry)."""
    detail = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return JSONResponse({"detail": detail}, status_code=422)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Draw the Mixer's default view once at start-up: the first student should not wait for
    torch's first kernels and the first sample's features (over a second on a laptop)."""
    settings = get_settings()
    await anyio.to_thread.run_sync(compute_mix, mixer_request(mixer_state({})), settings)
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
    app.add_exception_handler(InputError, input_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/vendor/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    for module in (health, samples, images, mix, cost, vendor, routes, exports):
        app.include_router(module.router)
    return app


app = create_app()
