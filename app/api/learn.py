"""POST /api/learn (train a 1×1 convolution live, streamed as server-sent events) and POST /api/reduce."""

import asyncio
from collections.abc import AsyncIterator
import threading

import anyio
from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.core.errors import InputError
from app.errors import responses
from app.lab.encoding import dumps
from app.lab.learn.models import LearnRequest, ReduceRequest
from app.lab.learn.reduce import reduce_answer
from app.lab.learn.service import Lesson, prepare, run_lesson
from app.lab.runtime import in_thread
from app.web import SettingsDep

DISCONNECT_POLL_S = 0.1  # how often a JSON answer's wait checks that its client is still there
QUEUED_PROGRESS = 16  # progress events waiting for a slow reader; past them, progress is skipped

router = APIRouter(prefix="/api", tags=["learn"], responses=responses(400, 404, 413, 503))

SCENE = {"source": "sample", "name": "scene"}
LEARN_EXAMPLES = {
    "grayscale": {
        "summary": "Learn the grayscale mixing with Adam",
        "value": {"input": {"source": "sample", "name": "shapes"}, "target": {"preset": "grayscale"}, "steps": 300},
    },
    "recover": {
        "summary": "Recover a hidden 10 → 3 mixing matrix from the feature bank",
        "value": {"input": SCENE, "features": "bank", "target": {"random": {"out_channels": 3, "seed": 1}}},
    },
    "relu": {
        "summary": "A ReLU target: two 1×1 layers with ReLU between",
        "value": {
            "input": SCENE,
            "features": "bank",
            "target": {"random": {"out_channels": 3, "seed": 1}},
            "target_activation": "relu",
            "hidden": 16,
            "lr": 0.02,
        },
    },
    "autoencoder": {
        "summary": "A 1×1 autoencoder 10 → 3 → 10: learned PCA",
        "value": {"input": SCENE, "features": "bank", "target": {"autoencoder": {"rank": 3}}, "lr": 0.02, "steps": 600},
    },
}
REDUCE_EXAMPLES = {
    "curve": {"summary": "The PCA curve of the feature bank", "value": {"input": SCENE, "features": "bank"}},
    "rank": {
        "summary": "Reduce to 3 channels and reconstruct",
        "value": {"input": SCENE, "features": "bank", "rank": 3, "standardise": True},
    },
}
EVENT = {
    "type": "object",
    "properties": {"event": {"enum": ["progress", "done", "error"]}, "data": {"type": "string"}},
    "required": ["event", "data"],
    "description": "one server-sent event: its name, and its JSON as text",
}
STREAM = {
    "text/event-stream": {"schema": EVENT},
    "application/json": {"schema": {"type": "object"}},
}


def sse(event: str, data: bytes) -> bytes:
    """One server-sent event; the JSON has no newline, so it fits one `data:` line."""
    return b"event: " + event.encode() + b"\ndata: " + data + b"\n\n"


def refusal(error: InputError) -> bytes:
    """An error met during training, as the body of a 422 would say it."""
    return dumps({"detail": [{"loc": ["body", *error.field], "msg": error.message, "type": "value_error"}]})


async def training(lesson: Lesson) -> AsyncIterator[tuple[str, bytes]]:
    """Train in a worker thread and pass its events on as they come: (name, JSON bytes). When the
    consumer is cancelled (the client went away, or stopped reading and was dropped by the
    admission middleware), `stop` is set, the run ends within a step, and only then does the
    answer, and with it the training slot, finish. The queue is bounded: a reader QUEUED_PROGRESS
    events behind misses progress events, never the `done` or the refusal."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, bytes] | None] = asyncio.Queue()
    stop = threading.Event()

    def offer(item: tuple[str, bytes] | None) -> None:  # on the event loop
        if item is not None and item[0] == "progress" and queue.qsize() >= QUEUED_PROGRESS:
            return
        queue.put_nowait(item)

    def put(item: tuple[str, bytes] | None) -> None:
        loop.call_soon_threadsafe(offer, item)

    def work() -> None:
        try:
            for name, payload in run_lesson(lesson, stop.is_set):
                put((name, dumps(payload)))
        except InputError as error:
            put(("error", refusal(error)))
        finally:
            put(None)

    worker = loop.run_in_executor(None, work)
    try:
        while (item := await queue.get()) is not None:
            yield item
    finally:
        stop.set()
        with anyio.CancelScope(shield=True):
            await worker


async def events(lesson: Lesson) -> AsyncIterator[bytes]:
    """The stream: Starlette cancels it when the client disconnects."""
    async for name, data in training(lesson):
        yield sse(name, data)


async def done_alone(http: Request, lesson: Lesson) -> Response:
    """The `done` object (or the refusal) alone; training stops if the client goes away first."""
    answer = JSONResponse({"detail": "the client went away before training ended"}, status_code=499)
    async with anyio.create_task_group() as group:

        async def watch() -> None:
            while not await http.is_disconnected():
                await anyio.sleep(DISCONNECT_POLL_S)
            group.cancel_scope.cancel()

        group.start_soon(watch)
        async for name, data in training(lesson):
            if name != "progress":
                answer = Response(data, status_code=200 if name == "done" else 422, media_type="application/json")
        group.cancel_scope.cancel()
    return answer


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/event-stream" not in accept


@router.post(
    "/learn",
    summary="Train a 1×1 convolution, streamed as server-sent events",
    responses={200: {"content": STREAM, "description": "progress and done events; the done object alone as JSON"}},
)
async def create_learning(
    http: Request, settings: SettingsDep, request: LearnRequest = Body(openapi_examples=LEARN_EXAMPLES)
) -> Response:
    """Train a 1×1 convolution (or two, ReLU between) on the pixels of an input to reproduce a target."""
    lesson = await in_thread(prepare, request, settings)  # refusals are 422s before any training
    if wants_json(http):
        return await done_alone(http, lesson)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(lesson), media_type="text/event-stream", headers=headers)


@router.post("/reduce", summary="Reduce the channels by PCA")
async def create_reduction(
    settings: SettingsDep, request: ReduceRequest = Body(openapi_examples=REDUCE_EXAMPLES)
) -> Response:
    """The best linear reduction of the input's channels (PCA over pixels) for every rank; maps for one."""
    return Response(dumps(await in_thread(reduce_answer, request, settings)), media_type="application/json")
