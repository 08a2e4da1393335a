"""Admission control in the real app: with a pool's one slot held by a real request, every heavy
route of that pool answers 503 with Retry-After, light routes still answer, and the slot comes back."""

from collections.abc import AsyncIterator
import contextlib
import json

import anyio
from fastapi.routing import RouteContext, iter_route_contexts
import httpx
import pytest
from safetensors.torch import save
import torch

from tests import corpus

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


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
