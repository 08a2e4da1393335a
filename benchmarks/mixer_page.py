"""The Mixer in headless Chromium: a weight edit, a weight dragged, an input change, and the bytes.

Default view: the 256×256 "scene" sample, feature bank, 16 output channels. Each edit presses "+"
on the weight matrix (one request, every view redrawn); the drag moves the weight slider on every
animation frame for DRAG_S seconds; each input change picks another sample.
The page itself times each change, from the event to the animation frame after the last view was
redrawn (body[data-redraw-ms]): the request, decoding and every redraw, without the test driver's
own overhead. During the drag, a redraw is a new picture of the output maps; a frame is the time
between two animation frames (what the eye sees while dragging).

Side by side in one run, each measurement repeated in turns (the machine is shared, its timings
noisy): ours; `--base DIR`, the same measurements on another checkout of the app (the code before
a change: `git worktree add /tmp/base main`); and the floor, the same page's /api/mix request alone,
sent from the page (the server and the network: no decoding, no drawing).

Goals: an edit ≤ 50 ms median; a drag ≥ 30 redraws/s with frames ≤ 33 ms (p90); an input change
≤ 150 ms median; the page's first answer ≤ 150 KB (gzip).
Run: .venv/bin/python -m benchmarks.mixer_page [--base DIR]
"""

import argparse
import contextlib
import statistics
import time

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.live import server

EDITS = 16
INPUT_CHANGES = 6
ROUNDS = 2
DRAG_S = 3.0
IDLE = "body[data-ready]:not([data-busy])"
QUIET_S = 0.6  # longer than a change takes, so that waiting costs the page nothing

# Moves the slider on every animation frame for `seconds`, as a pointer dragging it does; counts the
# output grid's new pictures (a canvas laid over it, or its Plotly image given another href) and the
# frames.
DRAG = """async (seconds) => {
  const slider = document.getElementById("w-slider");
  const grid = document.getElementById("output-grid");
  let redraws = 0;
  const picture = (node) => node.nodeName === "CANVAS" || node.nodeName === "image";
  const seen = new MutationObserver((records) => {
    const added = (r) => [...r.addedNodes].some(picture);
    const source = (r) => r.type === "attributes" && r.attributeName.endsWith("href") && picture(r.target);
    redraws += records.some((r) => added(r) || source(r)) ? 1 : 0;
  });
  seen.observe(grid, { childList: true, subtree: true, attributes: true });
  const frames = [];
  const start = performance.now();
  let last = start;
  let step = 0;
  await new Promise((done) => {
    const frame = (now) => {
      frames.push(now - last);
      last = now;
      if (now - start >= seconds * 1000) return done();
      slider.value = String(0.5 * Math.sin(step++ / 10));
      slider.dispatchEvent(new Event("input"));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  seen.disconnect();
  return { redraws: redraws / seconds, frames: frames.slice(1) };
}"""

# The page's last /api/mix request sent again from the page, its answer read whole: the floor.
FLOOR = """async (body) => {
  const start = performance.now();
  const response = await fetch("/api/mix", { method: "POST", headers: { "Content-Type": "application/json" }, body });
  await response.arrayBuffer();
  return performance.now() - start;
}"""


def settle(page) -> None:
    """Wait for the change to be drawn without polling inside the page, which would steal its time."""
    time.sleep(QUIET_S)
    page.wait_for_selector(IDLE, state="attached")


def redraw_s(page) -> float:
    return float(page.get_attribute("body", "data-redraw-ms")) / 1e3


class Subject:
    """One checkout of the app, served and open in one page; the samples of each measurement."""

    def __init__(self, browser, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests: list[tuple[str, str]] = []
        self.sizes: list[int] = []
        self.page.on("request", lambda r: r.url.endswith("/api/mix") and self.requests.append((r.url, r.post_data)))
        self.page.on(
            "requestfinished", lambda r: r.url.endswith("/api/mix") and self.sizes.append(r.sizes()["responseBodySize"])
        )
        self.page.goto(f"{url}/?pr=128&pc=128")
        self.page.wait_for_selector(IDLE, state="attached")
        self.first_bytes = self.sizes[0]
        self.edits: list[float] = []
        self.edit_floor: list[float] = []
        self.changes: list[float] = []
        self.change_floor: list[float] = []
        self.redraws: list[float] = []
        self.frames: list[float] = []

    def edit(self, count: int) -> None:
        self.page.locator("#weights-plot").focus()
        for i in range(count):
            self.page.keyboard.press("+" if i % 2 == 0 else "-")
            settle(self.page)
            self.edits.append(redraw_s(self.page))
            self.edit_floor.append(self.page.evaluate(FLOOR, self.requests[-1][1]) / 1e3)

    def drag(self) -> None:
        result = self.page.evaluate(DRAG, DRAG_S)
        settle(self.page)
        self.redraws.append(result["redraws"])
        self.frames.extend(f / 1e3 for f in result["frames"])

    def change(self, count: int) -> None:
        samples = ["sample:shapes", "sample:wheel", "sample:scene"]
        for i in range(count):
            self.page.select_option("#input", samples[i % 3])
            settle(self.page)
            self.changes.append(redraw_s(self.page))
            self.change_floor.append(self.page.evaluate(FLOOR, self.requests[-1][1]) / 1e3)


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1e3:6.0f} ms"


def p90(samples: list[float]) -> str:
    return f"{statistics.quantiles(samples, n=10)[-1] * 1e3:6.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="another checkout of the app to measure side by side (its root folder)")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        urls = {"ours": stack.enter_context(server("app.main:app")).url}
        if args.base:
            urls["base"] = stack.enter_context(server("app.main:app", env={"UVICORN_APP_DIR": args.base})).url
        subjects = {name: Subject(browser, url) for name, url in urls.items()}
        for _ in range(ROUNDS):
            for subject in subjects.values():
                subject.edit(EDITS // ROUNDS)
            for subject in subjects.values():
                subject.drag()
            for subject in subjects.values():
                subject.change(INPUT_CHANGES // ROUNDS)
        browser.close()

    ours = subjects["ours"]
    print("Mixer page, headless Chromium, default view (scene 256×256, bank, 16 output channels)")
    print(f"{'':44s}{'ours':>10s}{'base' if args.base else '':>10s}{'floor':>10s}   goal")
    rows = [
        ("weight edit → every view redrawn, median", lambda s: ms(s.edits), ms(ours.edit_floor), "≤ 50 ms"),
        ("weight edit, p90", lambda s: p90(s.edits), p90(ours.edit_floor), ""),
        ("drag: output maps redrawn per second", lambda s: f"{statistics.mean(s.redraws):9.1f}", "", "≥ 30"),
        ("drag: frame, p90", lambda s: p90(s.frames), "", "≤ 33 ms"),
        ("input change → every view redrawn, median", lambda s: ms(s.changes), ms(ours.change_floor), "≤ 150 ms"),
        ("first answer of the page (gzip)", lambda s: f"{s.first_bytes / 1e3:6.0f} KB", "", "≤ 150 KB"),
    ]
    for label, measure, floor, goal in rows:
        base = measure(subjects["base"]) if args.base else ""
        print(f"  {label:42s}{measure(ours):>10s}{base:>10s}{floor:>10s}   {goal}")


if __name__ == "__main__":
    main()
