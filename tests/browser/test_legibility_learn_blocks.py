"""Learn and Blocks legible where they are used, as the Mixer, Cost and Lesson pages are
(test_legibility.py, whose helpers this file reuses): on a phone (390×844), a laptop (1366×768), a
projector with Large type (1920×1080), and their chosen views inside 16:9 iframes on another origin.
Besides the HTML labels test_legibility.py surveys, the text Plotly and the flow diagram draw in SVG
(tick labels, axis titles, legends, the diagram's nodes and edge shapes) is measured here too."""

import re

import httpx
import pytest

from tests.browser import test_legibility as legibility
from tests.browser.test_legibility import (
    FRAMES,
    SIZES,
    TOOLBAR,
    check_fit,
    check_order,
    check_toolbars,
    open_embed,
    serious_findings,
    settle,
    survey,
    with_room,
)

# The same fixtures: a page at a size that records its layout shifts, and a slide on another origin.
INIT_SCRIPT = legibility.CLS
slides = legibility.slides

PAGES = {
    "learn": "/learn",
    "learn-zh": "/learn?lang=zh",
    "blocks": "/blocks",
    "blocks-zh": "/blocks?lang=zh&b=inception",
}
EMBEDS = {
    "learn": "/embed/learn",
    "learn-loss": "/embed/learn?view=loss",
    "learn-pca": "/embed/learn?view=autoencoder,pca",  # not the page's order
    "learn-maps": "/embed/learn?view=maps&hide=controls",
    "blocks": "/embed/blocks",
    "blocks-diagram": "/embed/blocks?view=diagram",
    "blocks-stage": "/embed/blocks?view=stage,diagram&b=mlpconv",
}
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# The text drawn in SVG inside each visible figure: any two pieces overlapping, any piece outside its
# figure's box, any text of a diagram node outside the node's box, and every figure's text alternative.
FIGURE_TEXT = """() => {
  const overlaps = [];
  const clipped = [];
  const shown = (e) => e.getClientRects().length && e.textContent.trim() && getComputedStyle(e).visibility !== "hidden";
  const meets = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
    && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const figures = [...document.querySelectorAll(".js-plotly-plot, #diagram")].filter((f) => f.getClientRects().length);
  for (const figure of figures) {
    const box = (figure.id === "diagram" ? figure.querySelector("svg") : figure).getBoundingClientRect();
    const texts = [...figure.querySelectorAll("svg text")].filter((t) => shown(t) && !t.closest(".modebar"));
    const rects = texts.map((t) => [t.textContent.trim(), t.getBoundingClientRect()]);
    rects.forEach(([text, r], i) => {
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        clipped.push(`${figure.id}: ${text}`);
      }
      for (const [other, o] of rects.slice(i + 1)) if (meets(r, o)) overlaps.push(`${figure.id}: ${text} / ${other}`);
    });
  }
  for (const node of document.querySelectorAll("#diagram .node")) {
    const box = node.querySelector("rect").getBoundingClientRect();
    for (const t of node.querySelectorAll("text")) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left || r.right > box.right || r.top < box.top || r.bottom > box.bottom) {
        clipped.push(`node ${node.dataset.stage}: ${t.textContent}`);
      }
    }
  }
  const described = figures.filter((f) => !f.closest(".left-out")).map((f) => {
    const note = document.getElementById(f.getAttribute("aria-describedby") || "");
    return [f.id, note?.textContent ?? ""];
  });
  return { overlaps, clipped, described };
}"""


def figure_text(frame) -> dict:
    return frame.evaluate(FIGURE_TEXT)


# Figures whose extent is a count (of steps, of components) rather than a shape C×H×W or Cout×Cin.
CURVES = {"loss-plot", "compare-plot", "pca-plot", "autoencoder-plot"}


def check_described(described: list, chinese: bool) -> None:
    assert described, "no figure"
    for figure, text in described:
        assert len(text) > 20 and re.search(r"\d", text), (figure, text)  # what it shows, how large
        assert figure in CURVES or "×" in text, (figure, text)  # its shape
        assert bool(CHINESE.search(text)) == chinese, (figure, text)


def open_page(page_at, base_url, path: str, size: str):
    page = page_at(SIZES[size])
    page.goto(base_url + with_room(path, size))
    settle(page)
    page.mouse.move(0, 0)
    return page


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_pages(page_at, base_url, name, size):
    page = open_page(page_at, base_url, PAGES[name], size)
    seen = survey(page)
    assert seen["scrollWidth"] <= seen["innerWidth"], "the page scrolls sideways"
    if name.endswith("-zh"):  # the toolbar's tips in Chinese: as many, and none for a cloud
        assert len(seen["buttons"]) <= len(TOOLBAR) and seen["cloudText"] == 0 and seen["cloudLinks"] == []
    else:
        check_toolbars(seen)
    assert all(px >= 64 for px in seen["tiles"]), seen["tiles"]
    assert seen["overlaps"] == [] and seen["clipped"] == [], (seen["overlaps"], seen["clipped"])
    drawn = figure_text(page)
    assert drawn["overlaps"] == [] and drawn["clipped"] == [], (drawn["overlaps"], drawn["clipped"])
    check_described(drawn["described"], chinese=name.endswith("-zh"))
    assert page.evaluate("window.__cls") <= 0.05, page.evaluate("window.__shifts")
    if size == "projector":
        assert seen["small"] == [], "text under 16 px with Large type"
    if size != "phone":
        assert serious_findings(page) == []
    assert page.errors == []


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("name", EMBEDS)
def test_embeds(page_at, base_url, slides, name, frame):
    page, embed, _ = open_embed(page_at, slides, base_url + EMBEDS[name], frame)
    drawn = figure_text(embed)
    assert drawn["overlaps"] == [] and drawn["clipped"] == [], (drawn["overlaps"], drawn["clipped"])
    check_described(drawn["described"], chinese=False)
    if frame == "slide-960":
        assert serious_findings(embed) == []
    if "view=" in EMBEDS[name]:  # chosen views fit the frame; a whole page embedded scrolls as the page does
        fit = check_fit(embed)
        if len(EMBEDS[name].split("view=")[1].split("&")[0].split(",")) > 1:
            check_order(fit, EMBEDS[name])  # side by side in the order the link names them
    assert page.errors == []


def test_the_diagram_text_grows_with_large_type(page_at, base_url):
    sizes = {}
    for size in ("laptop", "projector"):
        page = open_page(page_at, base_url, "/blocks?b=inception", size)
        sizes[size] = page.evaluate(
            "Math.min(...[...document.querySelectorAll('#diagram text')].map((t) => t.getBoundingClientRect().height))"
        )
        # A diagram wider than its box scrolls inside it; the page itself does not.
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert sizes["projector"] >= 1.3 * sizes["laptop"], sizes


def test_the_export_is_described_and_fits_a_phone(page_at, base_url):
    html = httpx.get(f"{base_url}/export/learn.html?lang=zh", timeout=120).text
    page = page_at(SIZES["phone"])
    page.set_content(html)
    settle(page)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    drawn = figure_text(page)
    assert drawn["overlaps"] == [] and drawn["clipped"] == [], (drawn["overlaps"], drawn["clipped"])
    check_described(drawn["described"], chinese=True)
    assert page.errors == []
