"""WebSocket /api/live: the Mixer on a camera's frames (app/lab/mixer/live.py holds the protocol).

Admission: at most `live_streams` streams per worker and one per client address; past either, the
socket is accepted and closed at once with code 1013 and the reason, which a browser can read (a
refusal before the handshake reaches a page as a bare 1006). A stream holds no compute slot: each
has at most one frame in flight, so a worker mixes at most `live_streams` frames at once.
"""

from collections import deque
from contextlib import suppress
import time

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from app.config import Settings
from app.core.errors import InputError
from app.lab.mixer.live import FrameError, LiveMix, mix_frame, read_frame, read_settings, refusal
from app.lab.runtime import in_thread
from app.web import SettingsDep

router = APIRouter(prefix="/api")

BUSY = 1013  # "try again later": a refusal at admission
VIOLATION = 1008  # a frame the protocol does not allow
REASON_BYTES = 123  # the most a close frame's reason may hold


class Streams:
    """The live streams open in this worker, by client address."""

    def __init__(self) -> None:
        self.addresses: set[str] = set()

    def admit(self, address: str, limit: int) -> str | None:
        """None when a stream from `address` may open (it is then counted), else why not."""
        if address in self.addresses:
            return "this address already has a live stream open: close it first"
        if len(self.addresses) >= limit:
            return f"busy: {limit} live streams are open in this worker; try again later"
        self.addresses.add(address)
        return None

    def leave(self, address: str) -> None:
        self.addresses.discard(address)


STREAMS = Streams()


@router.websocket("/live")
async def live(websocket: WebSocket, settings: SettingsDep) -> None:
    """The mix settings as JSON text messages, camera frames as binary ones; each frame is answered
    with its maps before the next may be sent."""
    await websocket.accept()
    address = websocket.client.host if websocket.client else ""
    refused = STREAMS.admit(address, settings.live_streams)
    if refused is not None:
        await websocket.close(BUSY, refused)
        return
    try:
        await Stream(websocket, settings).run()
    except WebSocketDisconnect:
        pass  # the tab closed or the network dropped: nothing is owed
    finally:
        STREAMS.leave(address)


class Stream:
    """One open stream: its settings, its frame in flight, the times of its last second's frames."""

    def __init__(self, websocket: WebSocket, settings: Settings) -> None:
        self.websocket = websocket
        self.settings = settings
        self.mix: LiveMix | None = None
        self.in_flight = False
        self.recent: deque[float] = deque()
        self.sending = anyio.Lock()

    async def run(self) -> None:
        async with anyio.create_task_group() as group:
            error = await self.receive(group)
            group.cancel_scope.cancel()
        if error is not None:
            await self.send_text({"type": "error", "detail": str(error)})
            await self.websocket.close(VIOLATION, str(error).encode()[:REASON_BYTES].decode(errors="ignore"))

    async def receive(self, group: anyio.abc.TaskGroup) -> FrameError | None:
        """Read messages until the client leaves (None) or breaks the protocol (the FrameError)."""
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return None
            try:
                if message.get("text") is not None:
                    await self.configure(message["text"])
                else:
                    data = message.get("bytes") or b""
                    group.start_soon(self.answer, data, *self.admit(data))
            except FrameError as error:
                return error

    async def configure(self, text: str) -> None:
        """New settings for the next frame; refused ones leave the last good ones in place."""
        if len(text) > self.settings.max_body_bytes:
            raise FrameError(f"settings of {len(text)} characters: over the limit of {self.settings.max_body_bytes}")
        try:
            self.mix = read_settings(text, self.settings)
        except (ValidationError, InputError) as error:
            await self.send_text(refusal(error))

    def admit(self, data: bytes) -> tuple[int, int, LiveMix]:
        """A frame's (height, width) and the settings it gets, or a FrameError."""
        now = time.monotonic()
        while self.recent and now - self.recent[0] >= 1:
            self.recent.popleft()
        if self.in_flight:
            raise FrameError("too fast: a frame arrived before the last one was answered; send one at a time")
        if len(self.recent) >= self.settings.live_max_fps:
            raise FrameError(f"too fast: over {self.settings.live_max_fps} frames a second")
        if self.mix is None:
            raise FrameError("send the mix settings (a JSON text message) before the first frame")
        height, width = read_frame(data, self.settings)
        self.recent.append(now)
        self.in_flight = True
        return height, width, self.mix

    async def answer(self, data: bytes, height: int, width: int, mix: LiveMix) -> None:
        try:
            message = await in_thread(mix_frame, data, height, width, mix, self.settings)
        except InputError as error:  # the settings do not fit this frame (a probe outside it)
            self.in_flight = False
            await self.send_text(refusal(error))
            return
        self.in_flight = False  # answered: the next frame may come while this one is being sent
        async with self.sending:
            with suppress(WebSocketDisconnect):  # gone: the receiving loop hears of it and ends the stream
                await self.websocket.send_bytes(message)

    async def send_text(self, message: dict) -> None:
        async with self.sending:
            with suppress(WebSocketDisconnect):  # gone: the receiving loop hears of it and ends the stream
                await self.websocket.send_json(message)
