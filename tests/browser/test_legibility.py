"""Legible where it is used: every page and embed on a phone (390×844), a laptop (1366×768), a
projector (1920×1080, presenter mode and Large type) and inside 16:9 iframes on another origin
(960×540 and 1280×720, a slide). One server and one browser serve every case; each case loads its
page once and surveys it with one script (SURVEY), and the assertions read that survey."""

import io

from axe_playwright_python.sync_playwright import Axe
import httpx
import numpy as np
from PIL import Image
import pytest

from app.pages.lesson import FIGURES
from tests.browser.conftest import another_origin

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
SIZES = {"phone": PHONE, "laptop": LAPTOP, "projector": PROJECTOR}
FRAMES = {"slide-960": (960, 540), "slide-1280": (1280, 720)}

PAGES = {
    "mixer": "/",
    "mixer-64": "/?cout=64",
    "cost": "/cost",
    "learn": "/learn",
    "blocks": "/blocks",
    "lesson": "/lesson?step=2",
}
EMBEDS = {
    "mixer": "/embed/mixer",
    "mixer-sum-probe": "/embed/mixer?view=sum,probe",
    "mixer-weights-output": "/embed/mixer?view=weights,output&hide=controls",
    "cost": "/embed/cost",
    "cost-inception": "/embed/cost?view=inception",
    "cost-networks": "/embed/cost?view=networks",
    "cost-grouped": "/embed/cost?view=grouped",
    "collapse": "/embed/collapse",
    "collapse-fold": "/embed/collapse?view=fold",
}
# The only toolbar entries a figure may have: Plotly's camera (PNG), our SVG button, and reset.
TOOLBAR = {"Download plot as a PNG", "Download as SVG", "Reset axes"}

# The pages whose text size and layout shift are checked here; Learn and Blocks have the same checks,
# and their own SVG text and diagram, in test_legibility_learn_blocks.py.
ROOM_SIZED = {"mixer", "mixer-64", "cost", "lesson"}

# One pass over a page: what it scrolls, what its toolbars offer, how big its tiles are drawn.
SURVEY = """() => {
  const root = document.documentElement;
  const plots = [...document.querySelectorAll(".js-plotly-plot")].filter((gd) => gd.offsetParent !== null);
  const buttons = [...document.querySelectorAll(".modebar-btn")];
  const cloud = /cloud|chart studio|plotly\\.com|plot\\.ly|edit in/i;
  const grids = plots.filter((gd) => gd.layout?.meta?.tilePx).map((gd) => gd.layout.meta);
  // Every piece of text a person can see, at the size it is drawn (SVG text scaled by its matrix),
  // and the labels drawn into the grids' images.
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.getClientRects().length) continue;
    if (element.closest("script, style, [hidden], .left-out, dialog:not([open]), .modebar")) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.opacity === "0") continue;
    const matrix = element instanceof SVGElement ? element.getScreenCTM() : null;
    const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1; // rotated text too
    const zoom = Number(element.closest("[style*=zoom]")?.style.zoom || 1);
    const size = parseFloat(style.fontSize) * scale * zoom;
    if (size < 15.5) small.push(`${element.tagName} ${size.toFixed(1)} ${node.textContent.trim().slice(0, 24)}`);
  }
  small.push(...grids.filter((m) => m.labelPx < 15.5).map((m) => `grid label ${m.labelPx}`));
  // Axis and node labels laid over the plots: none outside its figure, no two level ones overlapping.
  const clipped = [];
  const overlaps = [];
  for (const layer of document.querySelectorAll(".plot > .labels")) {
    if (layer.offsetParent === null) continue;
    const box = (layer.closest("figure") ?? layer.parentElement.parentElement).getBoundingClientRect();
    const level = [];
    for (const span of layer.children) {
      const r = span.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
        clipped.push(`${layer.parentElement.id}: ${span.textContent}`);
      }
      if (!span.style.transform.includes("rotate(0deg)")) continue;
      for (const o of level) {
        const overlap = Math.min(r.right, o.r.right) - Math.max(r.left, o.r.left) > 1
          && Math.min(r.bottom, o.r.bottom) - Math.max(r.top, o.r.top) > 1;
        if (overlap) overlaps.push(`${layer.parentElement.id}: ${o.text} / ${span.textContent}`);
      }
      level.push({ r, text: span.textContent });
    }
  }
  return {
    scrollWidth: root.scrollWidth,
    innerWidth: window.innerWidth,
    buttons: [...new Set(buttons.map((b) => b.getAttribute("data-title")))],
    cloudLinks: [...document.querySelectorAll("a[href]")].filter((a) => cloud.test(a.href)).map((a) => a.href),
    cloudText: buttons.filter((b) => cloud.test(b.getAttribute("aria-label") || "")).length,
    configs: plots.map((gd) => [gd._context.displaylogo, gd._context.showSendToCloud]),
    tabbableToolbars: buttons.filter((b) => getComputedStyle(b).visibility !== "hidden").length,
    tiles: grids.map((m) => m.tilePx),
    small: [...new Set(small)],
    clipped,
    overlaps,
    plots: plots.length,
  };
}"""


SERIOUS = ("serious", "critical")

# Cumulative layout shift, as Chromium reports it, from the first paint on.
INIT_SCRIPT = CLS = """window.__cls = 0;
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__cls += entry.value;
    window.__shifts.push([entry.value, entry.sources.map((s) => `${s.node?.nodeName}.${s.node?.className}`)]);
  }
}).observe({ type: "layout-shift", buffered: true });"""

# Inside a frame: does anything scroll or spill? The page itself, a figure whose drawing is taller
# than its box, a probe whose tables are wider or taller than its box.
FIT = """() => {
  const root = document.documentElement;
  const spills = [];
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    if (gd.offsetParent === null) continue;
    const drawn = gd.querySelector(".svg-container")?.getBoundingClientRect().bottom ?? 0;
    if (drawn > gd.getBoundingClientRect().bottom + 1) spills.push(gd.id);
  }
  for (const box of document.querySelectorAll(".probe")) {
    if (box.offsetParent === null) continue;
    if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) spills.push(box.id);
  }
  const views = [...document.querySelectorAll("[data-view]")].filter((v) => v.offsetParent !== null);
  return {
    scrollHeight: root.scrollHeight,
    innerHeight: window.innerHeight,
    spills,
    order: views.filter((v) => !v.parentElement.closest("[data-view]")).map((v) => {
      const box = v.getBoundingClientRect();
      return [v.dataset.view, Math.round(box.top), Math.round(box.left)];
    }),
    shares: [...document.querySelectorAll(".share")].filter((s) => s.offsetParent !== null).length,
  };
}"""


def check_fit(frame) -> dict:
    fit = frame.evaluate(FIT)
    assert fit["scrollHeight"] <= fit["innerHeight"], f"scrolls inside its frame: {fit}"
    assert fit["spills"] == [], fit
    return fit


def serious_findings(frame) -> list[str]:
    """axe-core's serious and critical violations on a page or in a frame."""
    violations = Axe().run(frame).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations if v["impact"] in SERIOUS]


def contrast(colour: str, background: tuple[int, int, int] = (255, 255, 255)) -> float:
    """WCAG contrast of an "rgb(r, g, b)" colour against a background."""

    def luminance(rgb) -> float:
        c = [v / 255 for v in rgb]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    rgb = [int(v) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
    lighter, darker = sorted([luminance(rgb), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def settle(frame) -> None:
    frame.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=30_000)


def survey(frame) -> dict:
    return frame.evaluate(SURVEY)


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    """Another loopback origin whose page frames `?src=` at `?w=`×`?h=` (a slide with an embed)."""
    html = (
        "<!doctype html><body style='margin:0'><script>"
        "const q = new URLSearchParams(location.search); const f = document.createElement('iframe');"
        "f.src = q.get('src'); f.width = q.get('w'); f.height = q.get('h'); f.style.border = '0';"
        "f.title = 'embed'; document.body.append(f);</script></body>"
    )
    with another_origin(tmp_path_factory.mktemp("slides"), "slide.html", html) as url:
        yield url


def check_toolbars(seen: dict) -> None:
    assert set(seen["buttons"]) <= TOOLBAR, seen["buttons"]
    assert seen["cloudLinks"] == [] and seen["cloudText"] == 0
    assert all(config == [False, False] for config in seen["configs"]), seen["configs"]
    assert seen["tabbableToolbars"] == 0  # hidden until hovered or focused: out of the tab order


def with_room(path: str, size: str) -> str:
    if size != "projector":
        return path
    extra = "presenter=1" if path.startswith("/lesson") else "large=1"
    return f"{path}{'&' if '?' in path else '?'}{extra}"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_pages(page_at, base_url, name, size):
    page = page_at(SIZES[size])
    page.goto(base_url + with_room(PAGES[name], size))
    settle(page)
    page.mouse.move(0, 0)
    seen = survey(page)
    assert seen["scrollWidth"] <= seen["innerWidth"], "the page scrolls sideways"
    check_toolbars(seen)
    assert all(px >= 64 for px in seen["tiles"]), seen["tiles"]
    assert seen["overlaps"] == [] and seen["clipped"] == [], (seen["overlaps"], seen["clipped"])
    if name in ROOM_SIZED:
        assert page.evaluate("window.__cls") <= 0.05, page.evaluate("window.__shifts")
    if size == "projector" and name in ROOM_SIZED:
        assert seen["small"] == [], "text under 16 px with Large type / in presenter mode"
    if size == "laptop":
        assert serious_findings(page) == []
    assert page.errors == []


def open_embed(page_at, slides, url: str, frame: str):
    """`url` in a slide's frame of size `frame` on another origin, surveyed: the checks every embed
    passes (no sideways scroll, a lecturer's toolbar, no overlapping or clipped labels, CLS ≤ 0.05).
    Returns the slide's page, the embed's frame and its survey."""
    width, height = FRAMES[frame]
    page = page_at({"width": width + 40, "height": height + 40})
    page.goto(f"{slides}?w={width}&h={height}&src={url.replace('&', '%26')}")
    embed = page.frames[1]
    settle(embed)
    page.mouse.move(0, 0)
    seen = survey(embed)
    assert seen["scrollWidth"] <= seen["innerWidth"], "the embed scrolls sideways"
    check_toolbars(seen)
    assert seen["overlaps"] == [] and seen["clipped"] == [], (seen["overlaps"], seen["clipped"])
    assert embed.evaluate("window.__cls") <= 0.05, embed.evaluate("window.__shifts")
    return page, embed, seen


def check_order(fit: dict, path: str) -> None:
    """The views in the order the link names them: by row, then column."""
    asked = path.split("view=")[1].split("&")[0].split(",")
    shown = [view for view, _, _ in sorted(fit["order"], key=lambda v: (v[1], v[2]))]
    assert shown == asked, fit["order"]


@pytest.mark.parametrize("frame", FRAMES)
@pytest.mark.parametrize("name", EMBEDS)
def test_embeds(page_at, base_url, slides, name, frame):
    page, embed, _ = open_embed(page_at, slides, base_url + EMBEDS[name], frame)
    # An embed linked without ?view= is sent to its page's usual figure: every embed fits its frame.
    assert "view=" in embed.url or name == "collapse", embed.url
    fit = check_fit(embed)
    if "view=" in EMBEDS[name]:
        check_order(fit, EMBEDS[name])
    if "hide=controls" in EMBEDS[name]:
        assert fit["shares"] == 0  # the copy buttons are controls too
    if frame == "slide-960":
        assert serious_findings(embed) == []
    assert page.errors == []


def test_the_focus_ring_stands_out(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/")
    settle(page)
    page.locator("#weights-plot").focus()
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert contrast(ring) >= 3 and contrast(ring, (0xF6, 0xF7, 0xF9)) >= 3, ring
    # Focus on a figure shows its toolbar, but its buttons are out of the tab order: Tab leaves the
    # figure for what follows it, never for a toolbar button.
    assert page.locator("#weights-plot .modebar").evaluate("(bar) => getComputedStyle(bar).visibility") == "visible"
    for _ in range(6):
        page.keyboard.press("Tab")
        assert not page.evaluate("document.activeElement.classList.contains('modebar-btn')")


LESSON_STEPS = [1, 2, 3, 5, 6, 7, 8, 9, 14, 15]
# Known defects, each to be fixed (the test fails if one stops failing): in presenter mode two
# figures of the Mixer keep text under 16 px since the W view shows its numbers and the probe fits
# its table to its frame.
UNDER_16_PX = {
    2: "the weighted-sum tiles label at 14.5 px",
    9: "the probe's table and W's caption at 15 px",
}
LESSON_CASES = [
    pytest.param(size, step, marks=pytest.mark.xfail(strict=True, reason=UNDER_16_PX[step]))
    if size == "projector" and step in UNDER_16_PX
    else (size, step)
    for size in ("laptop", "projector")
    for step in LESSON_STEPS
]


@pytest.mark.parametrize(("size", "step"), LESSON_CASES)
def test_lesson_figures_fit_their_frames(page_at, base_url, size, step):
    page = page_at(SIZES[size])
    page.goto(base_url + with_room(f"/lesson?step={step}", size))
    frame = page.locator(f"#step-{step} iframe").element_handle().content_frame()
    settle(frame)
    check_fit(frame)
    if size == "projector":  # presenter mode: the figure's text is large too
        assert survey(frame)["small"] == []
    assert page.errors == []


def test_lesson_keys_after_a_click_in_a_figure(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/lesson?step=2")
    frame = page.locator("#step-2 iframe").element_handle().content_frame()
    settle(frame)
    frame.locator("#sum-plot").click()
    page.keyboard.press("ArrowRight")
    assert page.locator("#counter").inner_text() == f"3 / {len(FIGURES)}"
    page.goto(base_url + "/lesson?step=7")
    frame = page.locator("#step-7 iframe").element_handle().content_frame()
    settle(frame)
    frame.locator("#seed").focus()
    page.keyboard.press("ArrowRight")  # a number field keeps its arrows
    assert page.locator("#counter").inner_text() == f"7 / {len(FIGURES)}"
    frame.locator("#collapse-verdict").click()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#counter").inner_text() == f"6 / {len(FIGURES)}"


def test_one_large_type_setting_for_the_lesson_and_its_figures(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/")
    settle(page)
    page.locator("#large-type").check()  # remembered across pages
    page.goto(base_url + "/lesson?step=1")
    assert page.locator("html.large").count() == 1 and page.locator("#large-type").is_checked()
    assert "large=1" in page.locator("#step-1 iframe").get_attribute("src")
    page.locator("#large-type").uncheck()
    assert page.locator("html.large").count() == 0
    assert "large=0" in page.locator("#step-1 iframe").get_attribute("src")


def test_embed_code_is_a_16_by_9_slide(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/cost")
    settle(page)
    page.locator('.share[data-view="sweep"] button[data-copy="embed"]').click()
    code = page.locator("#copied-text").input_value()
    assert 'width="960" height="540"' in code


def test_the_mixing_graph_at_64_outputs_shows_its_strongest_edges(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/?cout=64")
    settle(page)
    assert page.locator("#graph-edges-value").inner_text() == "160 / 640"
    before = page.evaluate("document.getElementById('graph-plot').layout.images[0].source")
    page.locator("#graph-edges").fill("640")
    assert page.locator("#graph-edges-value").inner_text() == "640 / 640"
    assert page.evaluate("document.getElementById('graph-plot').layout.images[0].source") != before


def test_an_out_of_range_weight_is_refused_and_said(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/")
    settle(page)
    applied = page.evaluate("document.getElementById('weights-plot').data[0].z[0][0]")
    page.locator("#w-value").fill("100")
    assert page.locator("#w-error").is_visible() and "10" in page.locator("#w-error").inner_text()
    assert page.evaluate("document.getElementById('weights-plot').data[0].z[0][0]") == applied
    assert "W=" not in page.url  # nothing was applied
    page.locator("#w-value").press("Tab")
    assert float(page.locator("#w-value").input_value()) == pytest.approx(applied, abs=1e-4)
    page.locator("#w-value").fill("0.5")
    assert page.locator("#w-error").is_hidden()
    settle(page)
    assert page.evaluate("document.getElementById('weights-plot').data[0].z[0][0]") == 0.5


def test_a_phone_photo_is_scaled_down_in_the_browser(page_at, base_url):
    noise = np.random.default_rng(0).integers(0, 256, (2000, 3000, 3), dtype=np.uint8)  # 18 MB as PNG
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG", compress_level=1)
    assert buffer.tell() > 10 * 2**20  # past the server's upload limit as it is
    page = page_at(LAPTOP)
    page.goto(base_url + "/")
    settle(page)
    sent = []
    page.on("request", lambda r: r.url.endswith("/api/images") and sent.append(len(r.post_data_buffer or b"")))
    page.set_input_files("#upload", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": buffer.getvalue()}])
    page.wait_for_url(lambda url: "in=upload" in url, timeout=30_000)
    settle(page)
    assert page.locator("#status.error").count() == 0
    assert len(sent) == 1 and sent[0] < 2 * 2**20  # 512×341 pixels, not 3000×2000


@pytest.mark.parametrize("path", ["/", "/learn", "/blocks"])
def test_a_format_only_the_browser_reads_is_converted_before_sending(page_at, base_url, path):
    # BMP stands in for HEIC (which Chromium cannot decode): a type the server refuses as it is.
    buffer = io.BytesIO()
    Image.fromarray(np.full((30, 40, 3), (200, 30, 30), dtype=np.uint8)).save(buffer, format="BMP")
    page = page_at(LAPTOP)
    page.goto(base_url + path)
    settle(page)
    assert "image/heic" in page.locator("#upload").get_attribute("accept")
    sent = []
    page.on("request", lambda r: r.url.endswith("/api/images") and sent.append(r.url))
    bmp = {"name": "photo.bmp", "mimeType": "image/bmp", "buffer": buffer.getvalue()}
    page.set_input_files("#upload", files=[bmp])
    page.wait_for_url(lambda url: "in=upload" in url, timeout=30_000)
    settle(page)
    # Accepted, once, though the server refuses the file as it is: the page sent it converted.
    assert page.locator(".error:visible").count() == 0 and len(sent) == 1
    files = {"file": ("photo.bmp", buffer.getvalue(), "image/bmp")}
    assert httpx.post(f"{base_url}/api/images", files=files).status_code == 415
