"""One colour mapping per quantity, read where it is drawn: maps on one diverging scale centred on
zero with a colour bar and its range, W's colour bar that one outlier does not move, signs that read
without colour (values, dashes, stripes), a text alternative for every figure, and the probe of a
small frame cut to one row rather than shrunk."""

import base64
import io

import httpx
import numpy as np
from PIL import Image
import pytest

# The diverging scale's ends and middle (static/js/shared/config.js DIVERGING).
DARK_RED = (0x67, 0x00, 0x0D)
DARK_BLUE = (0x08, 0x30, 0x6B)
ZERO = (0xF7, 0xF7, 0xF7)

# composeTiles on tiles of constant values, in the page: the image it draws, and what it returns.
COMPOSE = """async ([tiles, marks]) => {
  const { composeTiles } = await import("/static/js/shared/grid.js");
  document.documentElement.classList.toggle("marks", marks);
  const made = tiles.map(([value, range, label]) =>
    ({ values: new Float32Array(64 * 64).fill(value), range, label: [label] }));
  const grid = composeTiles(made, { height: 64, width: 64, cols: made.length, figureWidth: 120 * made.length });
  return { url: grid.url, origins: grid.origins, side: grid.tileWidth, limits: grid.limits, scaleText: grid.scaleText };
}"""


def composed(page, tiles, marks=False):
    grid = page.evaluate(COMPOSE, [tiles, marks])
    image = np.asarray(Image.open(io.BytesIO(base64.b64decode(grid["url"].split(",")[1]))).convert("RGB"))
    pieces = [image[y : y + grid["side"], x : x + grid["side"]] for x, y in grid["origins"]]
    return grid, image, pieces


def colours(piece) -> set[tuple[int, ...]]:
    return {tuple(int(v) for v in p) for p in piece.reshape(-1, 3)}


@pytest.fixture
def page(watched):
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2")
    return watched.page


def test_every_map_is_on_one_scale_centred_on_zero(page):
    # A map that is never negative and one that is signed: the same value, the same colour; zero white.
    tiles = [[1.0, [0, 1], "a"], [1.0, [-1, 1], "b"], [-1.0, [-1, 0.5], "c"], [0.0, [0, 1], "d"]]
    grid, _, pieces = composed(page, tiles)
    assert [colours(p) for p in pieces] == [{DARK_RED}, {DARK_RED}, {DARK_BLUE}, {ZERO}]
    assert grid["limits"] == [1, 1, 1, 1] and grid["scaleText"] == "−1.00 … +1.00"


def test_tiles_on_ranges_of_their_own_say_so(page):
    grid, image, pieces = composed(page, [[0.5, [0, 0.5], "a"], [0.5, [-2, 1], "b"]])
    assert colours(pieces[0]) == {DARK_RED}  # 0.5 is the top of its own range
    assert len(colours(pieces[1])) == 1 and colours(pieces[1]) != {DARK_RED}  # a quarter of ±2
    assert grid["limits"] == [0.5, 2]
    assert grid["scaleText"] == "A = each map's max |value|"
    # The colour bar under the tiles runs from the darkest blue, through white, to the darkest red.
    below = image[max(y for _, y in grid["origins"]) + grid["side"] :]
    assert DARK_BLUE in colours(below[:, :12]) and DARK_RED in colours(below[:, -12:])
    assert ZERO in colours(below[:, image.shape[1] // 2 - 2 : image.shape[1] // 2 + 2])


def test_stripe_negatives_marks_only_the_negative_maps(page):
    tiles = [[-0.2, [-1, 1], "negative"], [0.2, [-1, 1], "positive"]]
    _, _, plain = composed(page, tiles)
    _, _, marked = composed(page, tiles, marks=True)
    assert len(colours(plain[0])) == 1 and colours(plain[1]) == colours(marked[1])
    striped = colours(marked[0])
    assert len(striped) == 2 and (26, 26, 26) in striped  # dark stripes on a light blue
    share = (marked[0] == (26, 26, 26)).all(axis=2).mean()
    assert 0.2 < share < 0.5


def test_the_marks_setting_is_remembered_and_redraws(watched):
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2")
    page = watched.page
    before = page.evaluate("document.getElementById('input-grid').data[0].source")
    page.locator("#marks").check()
    page.wait_for_function("(before) => document.getElementById('input-grid').data[0].source !== before", arg=before)
    assert "marks" in page.locator("html").get_attribute("class")
    watched.open("/cost")
    assert "marks" in page.locator("html").get_attribute("class")
    watched.open("/cost?marks=0")
    assert "marks" not in (page.locator("html").get_attribute("class") or "")


def weight_bar(page) -> list[str]:
    return page.evaluate("document.getElementById('weights-plot').data[0].colorbar.ticktext")


def test_one_outlying_weight_does_not_move_the_colour_scale(watched):
    watched.open("/?in=random&rc=4&rh=8&rw=8&cout=4&w=random")
    page = watched.page
    low, zero, high = weight_bar(page)
    assert zero == "0" and low.startswith("−") and not high.startswith("≥")
    page.locator("#w-value").fill("10")
    watched.settle()
    low2, _, high2 = weight_bar(page)
    assert high2.startswith("≥ ") and low2.startswith("≤ −")
    assert float(high2[2:]) < 2  # the others keep their colours; the outlier's cell is the darkest
    assert page.evaluate("document.getElementById('weights-plot').data[0].z[0][0]") == 10


def test_signs_read_without_colour_in_large_matrices(watched):
    watched.open("/?in=random&rc=4&rh=8&rw=8&cout=3")
    page = watched.page
    cells = page.evaluate("document.getElementById('weights-plot').data[0].text.flat()")
    weights = page.evaluate("document.getElementById('weights-plot').data[0].z.flat()")
    assert [c.startswith("−") for c in cells] == [w < 0 for w in weights]  # a real minus, not a hyphen
    watched.open("/?cout=64")
    dashes = page.evaluate("document.getElementById('weights-plot').data[1]")
    z = page.evaluate("document.getElementById('weights-plot').data[0].z")
    negative = sorted((c, n) for n, row in enumerate(z) for c, w in enumerate(row) if w < 0)
    assert dashes["marker"]["symbol"] == "line-ew"
    assert sorted(zip(dashes["x"], dashes["y"], strict=True)) == negative


DESCRIPTIONS = """() => [...document.querySelectorAll(".js-plotly-plot")].filter((gd) => gd.offsetParent !== null)
  .map((gd) => [gd.id, document.getElementById(gd.getAttribute("aria-describedby") || "-")?.textContent ?? ""])"""


@pytest.mark.parametrize(
    ("lang", "input_words", "output_words"),
    [("en", "10 maps of 256×256 pixels", "16 maps of 256×256 pixels"), ("zh", "10 张 256×256", "16 张 256×256")],
)
def test_every_figure_has_a_text_alternative(watched, lang, input_words, output_words):
    watched.open(f"/?lang={lang}")
    described = dict(watched.page.evaluate(DESCRIPTIONS))
    assert set(described) == {"input-grid", "weights-plot", "output-grid", "sum-plot", "graph-plot"}
    assert all(len(text) > 40 for text in described.values()), described
    assert input_words in described["input-grid"] and output_words in described["output-grid"]
    assert "16×10" in described["weights-plot"]
    assert "y0" in described["sum-plot"]
    watched.open(f"/?lang={lang}&cout=3")
    assert "256×256" in dict(watched.page.evaluate(DESCRIPTIONS))["rgb-plot"]


def test_a_small_frames_probe_shows_one_row_at_a_readable_size(browser, base_url):
    # An embed fits the window it is given: a 960×540 one is a slide's frame.
    context = browser.new_context(viewport={"width": 960, "height": 540})
    page = context.new_page()
    page.goto(f"{base_url}/embed/mixer?view=sum,probe&hide=controls")
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=30_000)
    shown = page.evaluate(
        """() => {
      const probe = document.getElementById("probe");
      const zoom = Number(probe.querySelector("[style*=zoom]")?.style.zoom || 1);
      return { rows: probe.querySelectorAll(".neuron").length, px: parseFloat(getComputedStyle(probe).fontSize) * zoom,
               z: probe.querySelector(".neuron td.total[data-op='=']")?.textContent,
               over: probe.scrollHeight > probe.clientHeight + 1 || probe.scrollWidth > probe.clientWidth + 1 };
    }"""
    )
    assert shown["rows"] == 1 and shown["px"] >= 13 and shown["z"] and not shown["over"], shown
    context.close()


@pytest.mark.parametrize("path", ["/cost", "/embed/collapse", "/export/cost.html", "/export/collapse.html"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cost_and_collapse_figures_are_described(watched, tmp_path, path, lang):
    if path.startswith("/export/"):  # a download: opened from disk, as a lecturer would
        file = tmp_path / "export.html"
        file.write_bytes(httpx.get(f"{watched.base_url}{path}?lang={lang}", timeout=60).content)
        watched.page.goto(file.as_uri())
        watched.page.wait_for_selector("body[data-ready]", state="attached", timeout=20_000)
    else:
        watched.open(f"{path}?lang={lang}")
    described = watched.page.evaluate(DESCRIPTIONS)
    assert described and all(len(text) > 30 for _, text in described), described
    if lang == "zh":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for _, text in described), described


def test_arrow_keys_move_the_probe_on_a_focused_map(watched, base_url):
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2&pr=3&pc=4")
    page = watched.page
    page.locator("#input-grid").focus()
    assert "arrow keys" in page.locator("#input-grid").get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    watched.settle()
    page.keyboard.press("ArrowDown")
    watched.settle()
    assert "pr=4" in page.url and "pc=5" in page.url
    assert page.locator("#probe-caption").inner_text().startswith("Pixel probe at row 4, col 5")
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # stops at the map's edge
    watched.settle()
    assert "pc=7" in page.url


def test_embeds_and_exports_are_drawn_with_the_pages_marks(watched, tmp_path):
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2&marks=1")
    page = watched.page
    page.locator("[data-view=output] .share button").nth(1).click()  # "Copy embed code"
    assert "marks=1" in page.locator("#copied-text").input_value()
    page.locator("#copied button").click()  # "Close"
    with page.expect_download() as download:
        page.locator("#export-html").click()
    file = tmp_path / "export.html"
    download.value.save_as(file)
    page.goto(file.as_uri())
    page.wait_for_selector("body[data-ready]", state="attached", timeout=20_000)
    assert page.locator("html").get_attribute("class") == "marks"
