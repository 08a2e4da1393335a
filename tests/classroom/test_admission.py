"""Admission control: the pools, the table of heavy paths, and the middleware that applies them."""

from collections.abc import AsyncIterator
import contextlib
import json

import anyio
from fastapi.routing import RouteContext, iter_route_contexts
import httpx
import pytest
from safetensors.torch import save
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
import torch

from app.admission import Busy, Pool, PoolLimits, make_pools
from app.config import Settings
from app.middleware import AdmissionMiddleware
from tests import corpus

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_a_pool_admits_its_slots_queues_in_order_and_refuses_past_the_queue():
    pool = Pool("compute", PoolLimits(slots=1, queue=2), retry_after_s=7)
    order: list[int] = []
    await pool.acquire()

    async def wait_then_record(n: int) -> None:
        await pool.acquire()
        order.append(n)

    async with anyio.create_task_group() as group:
        group.start_soon(wait_then_record, 1)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(wait_then_record, 2)
        await anyio.wait_all_tasks_blocked()
        with pytest.raises(Busy) as refused:
            await pool.acquire()
        assert str(refused.value) == "the server is busy (the compute queue is full); retry in 7 s"
        assert refused.value.retry_after_s == 7
        assert (pool.running, len(pool.waiters)) == (1, 2)
        pool.release()
        await anyio.wait_all_tasks_blocked()
        assert order == [1]
        pool.release()
    assert order == [1, 2]
    assert (pool.running, len(pool.waiters)) == (1, 0)
    pool.release()
    assert pool.running == 0


async def test_a_waiter_cancelled_in_the_queue_leaves_no_trace():
    pool = Pool("train", PoolLimits(slots=1, queue=1), retry_after_s=5)
    await pool.acquire()
    with anyio.move_on_after(0.01):
        await pool.acquire()
    assert (pool.running, len(pool.waiters)) == (1, 0)
    pool.release()
    assert pool.running == 0


def test_pools_are_sized_from_the_settings():
    pools = make_pools(Settings(compute_slots=3, compute_queue=9, train_slots=1, train_queue=2, retry_after_s=4))
    assert pools["compute"].limits == PoolLimits(3, 9)
    assert pools["train"].limits == PoolLimits(1, 2)
    assert pools["compute"].retry_after_s == 4


ONE_SLOT_NO_QUEUE = {"compute_slots": "1", "compute_queue": "0", "train_slots": "1", "train_queue": "0"}
VALUES = {"source": "values", "values": [[[0.1, 0.2]], [[0.3, 0.4]], [[0.5, 0.6]]]}
LEARN = {"input": VALUES, "target": {"weight": [[0.3, 0.6, 0.1]]}, "steps": 5}
BLOCK = {"block": {"kind": "bottleneck", "in_channels": 4, "bottleneck_channels": 2, "out_channels": 4}}
HOLDERS = {  # a real request of each pool: (method, path, query, body)
    "compute": ("GET", "/api/cost/conv", b"in_channels=3&out_channels=4&height=8&width=8", b""),
    "train": ("POST", "/api/learn", b"", json.dumps(LEARN).encode()),
}


async def hold(app, pool: str, answered: anyio.Event, release: anyio.Event, statuses: list[int]) -> None:
    """A real request of `pool` whose client reads its answer only once `release` is set: the slot
    stays taken until then, as behind a slow reader in a classroom."""
    method, path, query, body = HOLDERS[pool]
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await release.wait()
        return {"type": "http.disconnect"}

    async def send(message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
            answered.set()
            await release.wait()

    headers = [(b"content-type", b"application/json"), (b"accept", b"application/json")]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    await app(scope, receive, send)


@contextlib.asynccontextmanager
async def saturated(app, *pools: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `app` while one real request of each of `pools` holds its only slot (no queue);
    on leaving, the held requests are read and must have been answered 200."""
    release, statuses = anyio.Event(), []
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        anyio.create_task_group() as group,
    ):
        for pool in pools:
            answered = anyio.Event()
            group.start_soon(hold, app, pool, answered, release, statuses)
            await answered.wait()
        yield client
        release.set()
    assert statuses == [200] * len(pools)


# Each family of heavy routes: its pool, and a request it answers with a 200 when a slot is free.
FAMILIES = {
    "mix": ("compute", "POST", "/api/mix", {"json": {"input": VALUES}}),
    "cost": ("compute", "GET", "/api/cost/sweep", {"params": {"in_channels": 8, "height": 4, "width": 4}}),
    "images": ("compute", "POST", "/api/images", {"files": {"file": ("a.png", corpus.png_rgb(4, 4), "image/png")}}),
    "reduce": ("compute", "POST", "/api/reduce", {"json": {"input": VALUES}}),
    "block": (
        "compute",
        "POST",
        "/api/block",
        {"json": BLOCK | {"input": {"source": "random", "channels": 4}}},
    ),
    "block weights": (
        "compute",
        "POST",
        "/api/blocks/weights",
        {"files": {"file": ("w.safetensors", save({"w": torch.zeros(2)}), "application/octet-stream")}},
    ),
    "learn": ("train", "POST", "/api/learn", {"json": LEARN}),
    "export": ("compute", "GET", "/export/collapse.html", {}),
    "data": ("compute", "GET", "/data/learn", {}),
}


@pytest.mark.parametrize("family", list(FAMILIES))
async def test_a_saturated_pool_refuses_its_routes_with_503_and_retry_after(app_with, family):
    pool, method, path, request = FAMILIES[family]
    app = app_with(retry_after_s="2", **ONE_SLOT_NO_QUEUE)
    async with saturated(app, pool) as client:
        busy = await client.request(method, path, **request)
        health = await client.get("/api/health")
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "2"
    assert busy.json() == {"detail": f"the server is busy (the {pool} queue is full); retry in 2 s"}
    assert health.status_code == 200  # light routes never wait
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        free = await client.request(method, path, **request)
    assert free.status_code == 200, free.text[:300]


def heavy(route: RouteContext) -> bool:
    path, methods = route.path, route.methods or set()
    return ("POST" in methods and path.startswith("/api/")) or path.startswith(("/api/cost/", "/export/", "/data/"))


async def test_while_both_pools_are_saturated_every_heavy_route_is_refused_and_no_light_one(app_with):
    app = app_with(retry_after_s="2", **ONE_SLOT_NO_QUEUE)
    routes = [route for route in iter_route_contexts(app.routes) if route.methods]
    assert {"/api/mix", "/api/images", "/api/cost/sweep", "/export/mixer.html", "/data/blocks/input.pt"} <= {
        route.path for route in routes if heavy(route)
    }
    refused: dict[str, bool] = {}
    async with saturated(app, "compute", "train") as client:
        for route in routes:
            method = "POST" if "POST" in route.methods else "GET"
            answer = await client.request(method, route.path.replace("{name}", "shapes"))
            refused[route.path] = answer.status_code == 503 and answer.headers.get("retry-after") == "2"
    assert refused == {route.path: heavy(route) for route in routes}


def slow_app(release: anyio.Event, started: list[str]) -> Starlette:
    """A tiny app whose /api/mix waits for `release`, behind the admission middleware (1 slot, queue 1)."""

    async def mix(request: Request) -> JSONResponse:
        body = await request.body()
        started.append(body.decode())
        await release.wait()
        return JSONResponse({"body": body.decode()})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    settings = Settings(compute_slots=1, compute_queue=1, retry_after_s=3)
    inner = Starlette(routes=[Route("/api/mix", mix, methods=["POST"]), Route("/api/health", health)])
    return AdmissionMiddleware(inner, settings=settings)


async def test_past_the_queue_the_answer_is_an_immediate_503_with_retry_after():
    release, started = anyio.Event(), []
    transport = httpx.ASGITransport(app=slow_app(release, started))
    answers: dict[str, httpx.Response] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

        async def post(name: str) -> None:
            answers[name] = await client.post("/api/mix", content=name)

        async with anyio.create_task_group() as group:
            group.start_soon(post, "first")
            await anyio.wait_all_tasks_blocked()
            group.start_soon(post, "second")
            await anyio.wait_all_tasks_blocked()
            third = await client.post("/api/mix", content="third")
            health = await client.get("/api/health")  # light paths never wait
            assert started == ["first"]
            release.set()
    assert third.status_code == 503
    assert third.headers["retry-after"] == "3"
    assert third.json() == {"detail": "the server is busy (the compute queue is full); retry in 3 s"}
    assert health.status_code == 200
    assert [answers[n].json() for n in ("first", "second")] == [{"body": "first"}, {"body": "second"}]
    assert started == ["first", "second"]


async def test_the_slot_is_held_until_the_body_has_been_sent():
    release, started = anyio.Event(), []
    release.set()
    middleware = slow_app(release, started)
    pool = middleware.pools["compute"]
    body_sent, reader_done = anyio.Event(), anyio.Event()
    running_while_sending: list[int] = []

    async def slow_reader_send(message) -> None:
        if message["type"] == "http.response.body":
            running_while_sending.append(pool.running)
            body_sent.set()
            await reader_done.wait()  # the transport's flow control waiting for a slow reader

    messages = [{"type": "http.request", "body": b"x", "more_body": False}]
    hung_up = anyio.Event()

    async def receive():
        if messages:
            return messages.pop(0)
        await hung_up.wait()  # as a server does: after the body, the next message is the disconnect
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "POST", "path": "/api/mix", "headers": [], "query_string": b""}
    async with anyio.create_task_group() as group:
        group.start_soon(middleware, scope, receive, slow_reader_send)
        await body_sent.wait()
        await anyio.wait_all_tasks_blocked()
        assert pool.running == 1
        reader_done.set()
    assert running_while_sending == [1]
    assert pool.running == 0


async def test_a_body_is_received_before_a_slot_is_taken():
    release, started = anyio.Event(), []
    release.set()
    middleware = slow_app(release, started)
    pool = middleware.pools["compute"]
    more = anyio.Event()
    running_while_receiving: list[int] = []
    messages = [
        {"type": "http.request", "body": b"a", "more_body": True},
        {"type": "http.request", "body": b"b", "more_body": False},
    ]

    async def slow_receive():
        running_while_receiving.append(pool.running)
        if len(messages) == 1:
            await more.wait()  # a slow upload
        if messages:
            return messages.pop(0)
        await anyio.sleep_forever()  # the client stays

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/mix", "headers": [], "query_string": b""}
    async with anyio.create_task_group() as group:
        group.start_soon(middleware, scope, slow_receive, send)
        await anyio.wait_all_tasks_blocked()
        assert pool.running == 0
        more.set()
    assert running_while_receiving[:2] == [0, 0]
    assert started == ["ab"]
    assert sent[0]["status"] == 200
    assert pool.running == 0


async def test_a_client_that_leaves_while_queued_gives_its_place_up_and_gets_no_work_done():
    release, started = anyio.Event(), []
    middleware = slow_app(release, started)
    pool = middleware.pools["compute"]
    hung_up = anyio.Event()

    def client(body: bytes, leaves: anyio.Event | None):
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive():
            if messages:
                return messages.pop(0)
            await (leaves.wait() if leaves else anyio.sleep_forever())
            return {"type": "http.disconnect"}

        return receive

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/mix", "headers": [], "query_string": b""}
    async with anyio.create_task_group() as group:
        group.start_soon(middleware, scope, client(b"first", None), send)
        await anyio.wait_all_tasks_blocked()
        group.start_soon(middleware, scope, client(b"second", hung_up), send)
        await anyio.wait_all_tasks_blocked()
        assert (pool.running, len(pool.waiters)) == (1, 1)
        hung_up.set()
        await anyio.wait_all_tasks_blocked()
        assert (pool.running, len(pool.waiters)) == (1, 0)
        release.set()
    assert started == ["first"]
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [200]
    assert pool.running == 0


def sending_app(body: bytes, settings: Settings) -> AdmissionMiddleware:
    async def mix(request: Request) -> Response:
        await request.body()
        return Response(body)

    return AdmissionMiddleware(Starlette(routes=[Route("/api/mix", mix, methods=["POST"])]), settings=settings)


def one_request() -> tuple:
    messages = [{"type": "http.request", "body": b"x", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await anyio.sleep_forever()  # the client stays connected, and reads nothing

    return {"type": "http", "method": "POST", "path": "/api/mix", "headers": [], "query_string": b""}, receive


async def test_an_answer_is_handed_over_in_parts_so_a_slow_reader_holds_one_part():
    middleware = sending_app(b"a" * 1000, Settings(send_chunk_bytes=256))
    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    await middleware(*one_request(), send)
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    assert [len(m["body"]) for m in bodies] == [256, 256, 256, 232]
    assert [m["more_body"] for m in bodies] == [True, True, True, False]


async def test_a_reader_that_takes_nothing_is_dropped_and_its_slot_freed():
    middleware = sending_app(b"a" * 1000, Settings(send_chunk_bytes=256, send_stall_s=0.2))
    pool = middleware.pools["compute"]
    parts: list[int] = []

    async def stalled_send(message) -> None:
        if message["type"] == "http.response.body":
            parts.append(len(message["body"]))
            await anyio.sleep_forever()  # the transport waiting for a reader that never reads

    with anyio.fail_after(5):
        await middleware(*one_request(), stalled_send)  # returns: uvicorn then closes the connection
    assert parts == [256]
    assert pool.running == 0
