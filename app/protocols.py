"""uvicorn's HTTP protocol with a bound on the request head, and the app's headers on its own refusals.

httptools accumulates a request line or a header that has not ended yet with no limit (a 300 MB
header line costs the worker 450 MB), so the bytes of a head still incomplete are counted as they
arrive, a complete head is measured, and past `max_header_bytes` the answer is a 431. uvicorn's
own 400 for a request it cannot parse is rewritten as JSON with the security headers.
`python -m app serve` runs with this protocol (h11 is not covered: uvicorn[standard] has httptools).

A head must also arrive in time: a connection that opens and then sends half a head (or nothing)
held its place forever, and many of them filled a worker. From the connection's start, and from
the first byte of each later request, a head has `head_timeout_s` to be complete, or the answer
is a 408 and the connection closes. (uvicorn's keep-alive timer covers the idle time between
requests only until the next byte arrives.)

A connection's kernel send buffer is bounded (`send_buffer_bytes`): the kernel lets it grow to
4 MB, so a client that stopped reading a training stream went unnoticed for seconds while its
events filled the buffer. And uvicorn's own 503 past `limit_concurrency` (plain text) is JSON
with the security headers and a Retry-After, like the app's 503s.
"""

import asyncio
import json
import socket

from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.config import get_settings
from app.middleware import security_headers

LINGER_S = 1.0  # how long a refused connection still reads (and drops) what its client sends
SECURITY_LINES = b"".join(f"{name}: {value}\r\n".encode() for name, value in security_headers().items())


async def over_connections(scope, receive, send) -> None:
    """uvicorn's 503 past limit_concurrency, as JSON with the security headers and a Retry-After."""
    settings = get_settings()
    detail = (
        f"the server is busy (over the limit of {settings.max_connections} connections at once in this worker); "
        f"retry in {settings.retry_after_s} s"
    )
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(settings.retry_after_s).encode()),
        (b"connection", b"close"),
        *((name.lower().encode(), value.encode()) for name, value in security_headers().items()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_head_bytes = get_settings().max_header_bytes
        self.head_bytes: int | None = None  # bytes of the current request's head so far; None between heads
        self.head_over_limit = False
        self.head_timeout_s = get_settings().head_timeout_s
        self.head_timer: asyncio.TimerHandle | None = None
        self.refused = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        size = get_settings().send_buffer_bytes
        sock = transport.get_extra_info("socket")
        if size > 0 and sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, size)
        self.arm_head_timer()

    def _start_asgi_task(self, cycle, app) -> None:
        # uvicorn picks its plain-text service_unavailable past limit_concurrency: ours instead.
        super()._start_asgi_task(cycle, over_connections if app is service_unavailable else app)

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm_head_timer()
        super().connection_lost(exc)

    def arm_head_timer(self) -> None:
        self.disarm_head_timer()
        self.head_timer = self.loop.call_later(self.head_timeout_s, self.head_timed_out)

    def disarm_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def head_timed_out(self) -> None:
        self.head_timer = None
        if not self.transport.is_closing():
            self.logger.warning("Request head not complete within %g s: refused.", self.head_timeout_s)
            self.refuse(408, f"request line and headers: not complete within {self.head_timeout_s:g} s")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.head_bytes = 0
        self.arm_head_timer()

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        self.disarm_head_timer()
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.max_head_bytes:
            # A head that arrived whole: raising here makes httptools raise a parser error, which
            # uvicorn answers through send_400_response, below, before any app runs.
            self.head_over_limit = True
            raise ValueError("request head over the limit")
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return  # the answer has been sent; what the client still sends is read and dropped
        super().data_received(data)
        if self.head_bytes is None or self.transport.is_closing():
            return
        # The head is still incomplete after this chunk: the chunk counts against the head's limit.
        self.head_bytes += len(data)
        if self.head_bytes > self.max_head_bytes:
            self.refuse_head()

    def send_400_response(self, msg: str) -> None:
        if self.head_over_limit:
            self.refuse_head()
        else:
            self.refuse(400, "invalid HTTP request: it could not be parsed")

    def refuse_head(self) -> None:
        self.logger.warning("Request head over %d bytes refused.", self.max_head_bytes)
        self.refuse(431, f"request line and headers: over the limit of {self.max_head_bytes} bytes")

    def refuse(self, status: int, detail: str) -> None:
        """Answer `status` with a JSON detail and the security headers, and close the connection.

        The close lingers: a socket closed while the client is still sending (a huge head) is reset,
        and the reset throws away the answer before the client reads it. So our side is shut for
        writing at once, what still arrives is dropped, and the socket closes LINGER_S later."""
        body = json.dumps({"detail": detail}).encode()
        head = b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n" % len(body)
        self.transport.write(STATUS_LINE[status] + head + SECURITY_LINES + b"\r\n" + body)
        self.refused = True
        self.head_bytes = None
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_S, self.transport.close)
        else:
            self.transport.close()
