"""The Mixer in headless Chromium: how long a weight edit and an input change take to redraw every view.

Default view: the 256×256 "scene" sample, feature bank, 16 output channels. Each edit presses "+"
on the weight matrix (one request, every view redrawn); each input change picks another sample.
The page itself times each change, from the event to the animation frame after the last view was
redrawn (body[data-redraw-ms]): the request, decoding and every Plotly redraw, without the test
driver's own overhead. Bytes are what the server sent for the edit's /api/mix.

Budgets: edit ≤ 150 ms median, input change ≤ 300 ms median, ≤ 1 MB on the wire per edit.
Run: .venv/bin/python -m benchmarks.mixer_page
"""

import statistics
import time

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live import server

EDITS = 25
INPUT_CHANGES = 10
IDLE = "body[data-ready]:not([data-busy])"
QUIET_S = 0.6  # longer than a change takes, so that waiting costs the page nothing


def settle(page) -> None:
    """Wait for the change to be drawn without polling inside the page, which would steal its time."""
    time.sleep(QUIET_S)
    page.wait_for_selector(IDLE, state="attached")


def main() -> None:
    with server("app.main:app") as running, sync_playwright() as playwright:
        url = running.url
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        sizes: list[int] = []
        page.on("requestfinished", lambda r: r.url.endswith("/api/mix") and sizes.append(r.sizes()["responseBodySize"]))
        page.goto(f"{url}/?pr=128&pc=128")
        page.wait_for_selector(IDLE, state="attached")
        page.locator("#weights-plot").focus()

        edits = []
        sizes.clear()
        for i in range(EDITS):
            page.keyboard.press("+" if i % 2 == 0 else "-")
            settle(page)
            edits.append(float(page.get_attribute("body", "data-redraw-ms")) / 1e3)
        edit_bytes = statistics.median(sizes)

        changes = []
        samples = ["sample:shapes", "sample:wheel", "sample:scene"]
        for i in range(INPUT_CHANGES):
            page.select_option("#input", samples[i % 3])
            settle(page)
            changes.append(float(page.get_attribute("body", "data-redraw-ms")) / 1e3)
        browser.close()

    print("Mixer page, headless Chromium, default view (scene 256×256, bank, 16 output channels)")
    print(
        f"  weight edit → every view redrawn: median {statistics.median(edits) * 1e3:.0f} ms, "
        f"p90 {statistics.quantiles(edits, n=10)[-1] * 1e3:.0f} ms  (budget ≤ 150 ms median)"
    )
    print(f"  input change → every view redrawn: median {statistics.median(changes) * 1e3:.0f} ms  (budget ≤ 300 ms)")
    print(f"  bytes on the wire per edit: {edit_bytes / 1e6:.2f} MB  (budget ≤ 1 MB)")


if __name__ == "__main__":
    main()
