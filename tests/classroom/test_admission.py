"""Admission control: the pools, the table of heavy paths, and the middleware that applies them."""

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.admission import Busy, Pool, PoolLimits, make_pools
from app.config import Settings
from app.middleware import AdmissionMiddleware

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
