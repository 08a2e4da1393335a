"""The Mixer's live camera in headless Chromium with its fake camera: frames drawn a second, end to end.

Default view (feature bank, 16 output channels), frames of 128 px on the longer side (Chromium's fake
camera gives 640×480, so 128×96). The page counts the frames it has drawn (body[data-live-frames]):
each is a camera image read, sent over WebSocket /api/live, mixed on the server, sent back and every
view redrawn, with at most one frame in flight. The server's own time per frame (server_ms in each
answer: u8 RGB → features → mix → u8 maps) is read off the socket, beside the page's rate.

Budget: ≥ 15 frames/s drawn.
Run: .venv/bin/python -m benchmarks.live
"""

import json
import statistics
import struct
import time

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live import server

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
WARM_UP_S = 3
MEASURE_S = 10


def server_ms(payload: bytes) -> float | None:
    """server_ms of one binary answer (None for a text message)."""
    if isinstance(payload, str):
        return None
    (size,) = struct.unpack_from("<I", payload)
    return json.loads(payload[4 : 4 + size])["server_ms"]


def frames(page) -> int:
    return int(page.get_attribute("body", "data-live-frames") or 0)


def main() -> None:
    with server("app.main:app") as running, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *FAKE_CAMERA])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        times: list[float] = []
        page.on("websocket", lambda ws: ws.on("framereceived", lambda p: times.append(server_ms(p))))
        page.goto(f"{running.url}/?lang=en")
        page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached")
        page.click("#camera-start")
        time.sleep(WARM_UP_S)
        first, started, times_before = frames(page), time.monotonic(), len(times)
        time.sleep(MEASURE_S)
        drawn, elapsed = frames(page) - first, time.monotonic() - started
        measured = [t for t in times[times_before:] if t is not None]
        size = page.evaluate("document.querySelector('#input-grid').dataset.tiles.split('|').length")
        browser.close()

    fps = drawn / elapsed
    print("Mixer live camera, headless Chromium (fake camera), feature bank → 16 output channels, 128×96 frames")
    print(f"  frames drawn end to end: {fps:.1f} frames/s over {elapsed:.0f} s  (budget ≥ 15)")
    print(
        f"  server per frame: median {statistics.median(measured):.1f} ms, "
        f"p90 {statistics.quantiles(measured, n=10)[-1]:.1f} ms  ({len(measured)} frames, {size} input maps)"
    )
    print(f"  the rest of a frame (browser: capture, send, decode, redraw every view): {1000 / fps:.0f} ms a frame")


if __name__ == "__main__":
    main()
