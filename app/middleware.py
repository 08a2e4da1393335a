"""ASGI middleware: security headers on every answer, a 500 in JSON for what nobody caught, a body
limit on every route, and admission control on the heavy ones.

Starlette runs the middleware added last first; app/main.py adds them so that a request meets
SecurityHeaders → InternalError → BodyLimit → Admission → the routes, and every answer produced
on the way back (413, 503, 500) passes through the security headers.
"""

import ctypes
import ctypes.util
import json
import logging
import sys

import anyio
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.admission import Busy, Pool, make_pools, pool_name
from app.config import Settings


async def send_json(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """A complete `{"detail": ...}` answer, written straight to the ASGI `send`."""
    body = json.dumps({"detail": detail}).encode()
    start = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


class TrackedSend:
    """An ASGI `send` that remembers whether the answer has begun: a refusal (413, 408, 500) can
    only be sent in its place before that."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class BodyTooLarge(HTTPException):
    """Raised from `receive`: an HTTPException, so that FastAPI's body parsing lets it through as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body: over the limit of {limit} bytes")


class BodyTimedOut(HTTPException):
    """Raised from `receive` when a request body stops arriving: a 408, as BodyTooLarge is a 413."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"request body: no part of it arrived within {seconds:g} s")


class BodyLimitMiddleware:
    """Answer 413 as soon as a request body is known to exceed its route's limit.

    Image uploads get `max_upload_bytes` and state dicts `max_weights_bytes`, each plus room for the
    multipart envelope; every other route `max_body_bytes`. A declared Content-Length is refused
    before a byte is read; a streamed body is counted as it arrives and cut off at the limit.
    A body whose next part does not arrive within `body_timeout_s` is a 408: a client that sends
    half a body would otherwise hold its connection, and its place in the worker, forever.
    """

    MULTIPART_ROOM = 64 * 1024

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit(self, path: str) -> int:
        if path == "/api/images":
            return self.settings.max_upload_bytes + self.MULTIPART_ROOM
        if path == "/api/blocks/weights":
            return self.settings.max_weights_bytes + self.MULTIPART_ROOM
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self.refuse(limit, send)
            return
        received = 0
        complete = False
        timeout = self.settings.body_timeout_s

        async def counting_receive() -> Message:
            nonlocal received, complete
            if complete:  # the body is whole: what comes next is a disconnect, awaited as long as it takes
                return await receive()
            with anyio.move_on_after(timeout) as waiting:
                message = await receive()
            if waiting.cancelled_caught:
                raise BodyTimedOut(timeout)
            if message["type"] == "http.request":
                complete = not message.get("more_body", False)
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        tracked = TrackedSend(send)
        try:
            await self.app(scope, counting_receive, tracked)
        except (BodyTooLarge, BodyTimedOut) as refused:
            if tracked.started:
                raise
            await send_json(send, refused.status_code, refused.detail, [(b"connection", b"close")])

    @staticmethod
    async def refuse(limit: int, send: Send) -> None:
        await send_json(send, 413, BodyTooLarge(limit).detail)


class ReaderStalled(Exception):
    """The client took no part of an answer for `send_stall_s`: it is dropped, its slot freed."""


logger = logging.getLogger("pointwise")


def _malloc_trim() -> ctypes._CFuncPtr | None:
    """glibc's malloc_trim, or None (another libc, another system)."""
    name = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None


MALLOC_TRIM = _malloc_trim()


def give_memory_back() -> None:
    """Return freed heap pages to the system: glibc keeps the arenas a large request grew (a decode,
    a mix's maps), so a worker stayed at its peak after an attack ended."""
    if MALLOC_TRIM is not None:
        MALLOC_TRIM(0)


class AdmissionMiddleware:
    """Heavy paths (app/admission.py's HEAVY) wait for a slot of their pool, or get a 503 at once.

    The request body is received before the slot is taken (a slow upload must not hold a slot),
    and the slot is kept until the last byte of the answer has been handed to the transport.
    uvicorn writes a body message whole into the transport before it waits for the reader, so an
    answer is handed over in parts of `send_chunk_bytes`: the transport then holds one part for a
    slow reader, not a 22 MB answer each. A reader that takes no part for `send_stall_s` (or a
    training stream nobody reads) is dropped: the connection closes and the slot is freed.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.pools = make_pools(settings)
        self.stall_s = settings.send_stall_s
        self.chunk = settings.send_chunk_bytes
        # An admitted job may be pure Python (a cost sweep) holding the GIL: the event loop, which
        # answers /api/health and refuses with 503s, takes the GIL back within 1 ms instead of 5.
        sys.setswitchinterval(0.001)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = pool_name(scope["path"]) if scope["type"] == "http" else None
        if name is None:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        while not received or received[-1].get("more_body", False):
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before its request was complete: nothing to answer
            received.append(message)

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        pool = self.pools[name]
        try:
            admitted = await self.wait_for_slot(pool, receive)
        except Busy as busy:
            await send_json(send, 503, str(busy), [(b"retry-after", str(busy.retry_after_s).encode())])
            return
        if not admitted:
            return  # the client left while its request waited in the queue: nobody to answer
        try:
            await self.app(scope, replay, self.paced(send))
        except ReaderStalled:
            # Returning without the answer's end makes uvicorn close the connection, and with it
            # the bytes its transport still held.
            logger.warning("A reader of %s took nothing for %g s: dropped.", scope["path"], self.stall_s)
        finally:
            pool.release()
            if all(p.running == 0 for p in self.pools.values()):
                give_memory_back()  # a few ms, when no heavy work of this worker runs

    def paced(self, send: Send) -> Send:
        """`send` in parts of at most `chunk` bytes, each to be taken within `stall_s`."""

        async def one(message: Message) -> None:
            with anyio.move_on_after(self.stall_s) as waiting:
                await send(message)
            if waiting.cancelled_caught:
                raise ReaderStalled

        async def paced_send(message: Message) -> None:
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= self.chunk:
                await one(message)
                return
            more = message.get("more_body", False)
            view = memoryview(body)
            for start in range(0, len(body), self.chunk):
                last = start + self.chunk >= len(body)
                await one(
                    {
                        "type": "http.response.body",
                        "body": bytes(view[start : start + self.chunk]),
                        "more_body": more or not last,
                    }
                )

        return paced_send

    @staticmethod
    async def wait_for_slot(pool: Pool, receive: Receive) -> bool:
        """Wait for a slot of `pool` (Busy past its queue), or until the client disconnects: then
        False, and no slot is held. Abandoned requests so cost nothing but their place in the queue."""
        left = acquired = False
        busy: Busy | None = None
        async with anyio.create_task_group() as group:

            async def watch_disconnect() -> None:
                nonlocal left
                # The body has been received whole: the next message can only be the disconnect.
                if (await receive())["type"] == "http.disconnect":
                    left = True
                    group.cancel_scope.cancel()

            group.start_soon(watch_disconnect)
            try:
                await pool.acquire()
                acquired = True
            except Busy as error:
                busy = error
            group.cancel_scope.cancel()
        if busy is not None:
            raise busy
        if left and acquired:
            pool.release()  # the slot came at the same moment as the disconnect
        return acquired and not left


class InternalErrorMiddleware:
    """An exception nobody caught becomes a JSON 500 here, inside the security headers (Starlette's
    own ServerErrorMiddleware sits outside every user middleware); it is then re-raised to be logged."""

    DETAIL = "internal server error: the request could not be completed (the error has been logged)"

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = TrackedSend(send)
        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if not tracked.started:
                await send_json(send, 500, self.DETAIL)
            raise


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
)
PAGE_CSP = CSP + "frame-ancestors 'self'"


def security_headers(csp: str = PAGE_CSP) -> dict[str, str]:
    """The headers every answer carries (also the HTTP protocol's own refusals, see app/protocols.py)."""
    return {"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


class SecurityHeadersMiddleware:
    """CSP (no inline scripts, no eval, nothing from other hosts), nosniff and a strict referrer policy.

    Embeds (/embed/...) may be framed by the origins in `embed_origins`; every other page only by itself.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        ancestors = "*" if settings.embed_origins.strip() == "*" else settings.embed_origins
        self.embed_headers = security_headers(CSP + f"frame-ancestors {ancestors}")
        self.page_headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.embed_headers if scope["path"].startswith("/embed/") else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
