"""ASGI middleware: a body limit on every route, and the security headers on every response."""

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings


class BodyTooLarge(HTTPException):
    """Raised from `receive`: an HTTPException, so that FastAPI's body parsing lets it through as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body: over the limit of {limit} bytes")


class BodyLimitMiddleware:
    """Answer 413 as soon as a request body is known to exceed its route's limit.

    Uploads get `max_upload_bytes` plus room for the multipart envelope; every other route
    `max_body_bytes`. A declared Content-Length is refused before a byte is read; a streamed
    body is counted as it arrives and cut off at the limit.
    """

    MULTIPART_ROOM = 64 * 1024

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit(self, path: str) -> int:
        if path == "/api/images":
            return self.settings.max_upload_bytes + self.MULTIPART_ROOM
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
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self.refuse(limit, send)

    @staticmethod
    async def refuse(limit: int, send: Send) -> None:
        body = json.dumps({"detail": BodyTooLarge(limit).detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
)


class SecurityHeadersMiddleware:
    """CSP (no inline scripts, no eval, nothing from other hosts), nosniff and a strict referrer policy.

    Embeds (/embed/...) may be framed by the origins in `embed_origins`; every other page only by itself.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        ancestors = "*" if settings.embed_origins.strip() == "*" else settings.embed_origins
        self.embed_csp = CSP + f"frame-ancestors {ancestors}"
        self.page_csp = CSP + "frame-ancestors 'self'"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = self.embed_csp if scope["path"].startswith("/embed/") else self.page_csp

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)
