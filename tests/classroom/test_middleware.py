"""Every answer the app or its middleware produces carries the security headers: 413, 503 and 500 too."""

import json

import anyio
from fastapi.testclient import TestClient
import pytest

from app.config import Settings, get_settings
from app.middleware import BodyLimitMiddleware, InternalErrorMiddleware

SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy")


def assert_secured(response) -> None:
    assert [name for name in SECURITY if name not in response.headers] == []
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in response.headers["content-security-policy"]


def test_a_413_from_the_body_limit_is_secured(client):
    limit = get_settings().max_body_bytes
    r = client.post("/api/mix", content=b" " * (limit + 1), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": f"request body: over the limit of {limit} bytes"}
    assert_secured(r)


def test_a_503_from_admission_is_secured_and_says_when_to_retry(app_with):
    app = app_with(compute_slots="0", compute_queue="0", retry_after_s="9")
    r = TestClient(app).get("/api/cost/conv", params={"in_channels": 3, "out_channels": 4, "height": 8, "width": 8})
    assert r.status_code == 503
    assert r.headers["retry-after"] == "9"
    assert r.json() == {"detail": "the server is busy (the compute queue is full); retry in 9 s"}
    assert_secured(r)
    assert TestClient(app).get("/api/health").status_code == 200  # light paths are not admission-controlled


def test_an_unexpected_exception_is_a_secured_json_500(app_with):
    app = app_with()

    def explode() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/explode", explode)
    r = TestClient(app, raise_server_exceptions=False).get("/api/explode")
    assert r.status_code == 500
    assert r.json() == {"detail": InternalErrorMiddleware.DETAIL}
    assert r.json()["detail"] == "internal server error: the request could not be completed (the error has been logged)"
    assert_secured(r)


def test_the_exception_is_still_raised_to_be_logged(app_with):
    app = app_with()

    def explode() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/explode", explode)
    with pytest.raises(RuntimeError, match="a bug"):
        TestClient(app).get("/api/explode")


def test_embeds_keep_their_own_frame_ancestors(client):
    r = client.get("/embed/cost")
    assert "frame-ancestors *" in r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in client.get("/cost").headers["content-security-policy"]


@pytest.mark.anyio
async def test_a_body_that_stops_arriving_is_a_408_that_closes():
    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    middleware = BodyLimitMiddleware(app, settings=Settings(body_timeout_s=0.2))
    messages = [{"type": "http.request", "body": b"half", "more_body": True}]

    async def receive():
        if messages:
            return messages.pop(0)
        await anyio.sleep_forever()  # the rest never comes

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/mix", "headers": [], "query_string": b""}
    with anyio.fail_after(5):
        await middleware(scope, receive, send)
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert json.loads(sent[1]["body"]) == {"detail": "request body: no part of it arrived within 0.2 s"}
