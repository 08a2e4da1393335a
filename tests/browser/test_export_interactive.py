"""The offline Mixer export stays interactive: opened from disk with every other request refused, a
click (or an arrow key) on a map probes that pixel and a click on an output tile or a row of W
explains that channel, computed in the file from its X, W and b and equal to the server's answer for
the same pixel and channel; the file says so, and says what needs the server, in both languages."""

import httpx
import numpy as np
import pytest

from app.config import Settings
from app.pages.mixer import mixer_html
from tests.browser.test_legibility import LAPTOP, PHONE, serious_findings, survey

QUERY = {"in": "random", "rc": "5", "rh": "9", "rw": "7", "rs": "3", "cout": "4", "seed": "2", "act": "relu"}
BODY = {
    "input": {"source": "random", "channels": 5, "height": 9, "width": 7, "seed": 3},
    "out_channels": 4,
    "weight": {"init": "random", "seed": 2},
    "activation": "relu",
    "encoding": "json",
}
LOCAL = {"en": "computed in this file from the exported X, W and b", "zh": "在本文件中由导出的 X、W 和 b 算出"}

# Where the point (x, y) of a plot's data is on the screen.
SCREEN_AT = """([id, x, y]) => {
  const gd = document.getElementById(id);
  const { xaxis, yaxis } = gd._fullLayout;
  const box = gd.querySelector(".main-svg").getBoundingClientRect();
  return [box.left + xaxis._offset + xaxis.l2p(x), box.top + yaxis._offset + yaxis.l2p(y)];
}"""

# The block of a composed grid's image that is pixel (row, col) of tile `tile`: [x, y] of its
# first and last image pixels.
PIXEL_BLOCK = """([which, tile, row, col]) => {
  const { origins, scale: s } = __mixer$export.shown.drawn.grids[which];
  const [x0, y0] = origins[tile];
  const first = [x0 + Math.ceil(col * s), y0 + Math.ceil(row * s)];
  return [first, [x0 + Math.ceil((col + 1) * s) - 1, y0 + Math.ceil((row + 1) * s) - 1]];
}"""

# Plotly reports a click at the point it last hovered: the click lands once the hover has caught up.
HOVERED = """([id, [[x0, y0], [x1, y1]]]) => {
  const point = document.getElementById(id)._hoverdata?.[0];
  return point !== undefined && x0 <= point.x && point.x <= x1 && y0 <= point.y && point.y <= y1;
}"""


def server_mix(base_url: str, row: int, col: int, channel: int) -> dict:
    body = {**BODY, "probe": {"row": row, "col": col}, "explain_channel": channel}
    return httpx.post(f"{base_url}/api/mix", json=body, timeout=60).json()


@pytest.fixture
def offline(browser, tmp_path):
    """Opens an exported file from disk in a browser whose every other request is aborted (and
    recorded): what `open_file(html, size)` returns is the page; `.blocked` what it asked for."""
    contexts = []

    def open_file(html: str, size: dict = LAPTOP):
        path = tmp_path / f"export-{len(contexts)}.html"
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport=size)
        contexts.append(context)
        blocked: list[str] = []

        def only_the_file(route):
            if route.request.url == path.as_uri():
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_the_file)
        page = context.new_page()
        page.requests = []
        page.errors = []
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready]", state="attached", timeout=30_000)
        page.blocked = blocked
        return page

    yield open_file
    for context in contexts:
        context.close()


def export(base_url: str, lang: str = "en", **extra: str) -> str:
    r = httpx.get(f"{base_url}/export/mixer.html", params={**QUERY, "lang": lang, **extra}, timeout=60)
    r.raise_for_status()
    return r.text


def click_block(page, plot: str, block: list[list[int]]) -> None:
    """A click in the middle of a block of a plot's data points, as a person makes it: the pointer
    moves there first."""
    (x0, y0), (x1, y1) = block
    page.locator(f"#{plot}").scroll_into_view_if_needed()
    page.mouse.move(*page.evaluate(SCREEN_AT, [plot, (x0 + x1) / 2, (y0 + y1) / 2]))
    page.wait_for_function(HOVERED, arg=[plot, block])
    page.mouse.down()
    page.mouse.up()


def click_pixel(page, which: str, tile: int, row: int, col: int) -> None:
    click_block(page, f"{which}-grid", page.evaluate(PIXEL_BLOCK, [which, tile, row, col]))


# What the file shows (mixer/export.js `shown`), less its drawn images.
SHOWN = """(() => {
  const { answer, channel, probe, selected, local } = __mixer$export.shown;
  return { answer: { probe: answer.probe, explain: answer.explain }, channel, probe, selected, local };
})()"""


def shown(page) -> dict:
    return page.evaluate(SHOWN)


def assert_probe_matches(probe: dict, server: dict) -> None:
    assert (probe["row"], probe["col"]) == (server["row"], server["col"])
    np.testing.assert_allclose(probe["x"], server["x"], atol=1e-6)
    np.testing.assert_allclose(probe["z"], server["z"], atol=1e-5)
    np.testing.assert_allclose(probe["y"], server["y"], atol=1e-5)
    assert probe["max_abs_error"] < 1e-5


def test_a_click_probes_a_pixel_and_explains_a_channel_as_the_server_does(offline, base_url):
    page = offline(export(base_url))
    click_pixel(page, "input", 2, 6, 1)
    now = shown(page)
    assert now["local"] == {"probe": True, "explain": False}
    assert_probe_matches(now["answer"]["probe"], server_mix(base_url, 6, 1, 0)["probe"])
    check = page.locator("#probe .check").inner_text()
    assert LOCAL["en"] in check and "Y is the server's conv2d saved in this file" in check

    # An output tile: that pixel, and that tile's channel explained.
    click_pixel(page, "output", 3, 8, 5)
    now = shown(page)
    server = server_mix(base_url, 8, 5, 3)
    assert_probe_matches(now["answer"]["probe"], server["probe"])
    explain = now["answer"]["explain"]
    assert explain["channel"] == 3 and now["selected"]["row"] == 3
    np.testing.assert_allclose(explain["sum"], server["explain"]["sum"], atol=1e-5)
    np.testing.assert_allclose(explain["weights"], server["explain"]["weights"], atol=0)
    assert explain["bias"] == pytest.approx(server["explain"]["bias"], abs=0) and explain["max_abs_error"] < 1e-5
    caption = page.locator("#sum-caption").inner_text()
    assert caption.startswith("Weighted sum for output channel y3, computed in this file")
    assert "conv2d =" not in caption and "the exported Y (the server's conv2d)" in caption
    assert page.errors == []


# mixer/local-mix.js at every pixel and for every channel of the file: the largest difference from the
# exported Y (the server's conv2d).
EVERYWHERE = """() => {
  const { answer, request } = JSON.parse(document.getElementById("pointwise-data").textContent);
  const { input, output } = __mixer$render.decodeAnswer(answer, null, request.activation, {});
  const mix = { input, output, weight: answer.weight.values, bias: answer.bias.values, activation: request.activation };
  const [cout, height, width] = output.shape;
  const { explainChannel, probePixel } = __mixer$local_mix;
  let worst = 0;
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) worst = Math.max(worst, probePixel(mix, row, col).max_abs_error);
  }
  for (let n = 0; n < cout; n++) worst = Math.max(worst, explainChannel(mix, n).max_abs_error);
  return worst;
}"""


def test_every_pixel_and_channel_computed_in_the_file_equals_the_servers_conv2d(offline, base_url):
    page = offline(export(base_url, act="none", bias="random"))
    assert page.evaluate(EVERYWHERE) < 1e-5
    page = offline(export(base_url))
    assert page.evaluate(EVERYWHERE) < 1e-5


def test_the_arrow_keys_move_the_probe_and_a_row_of_w_picks_the_channel(offline, base_url):
    page = offline(export(base_url, pr="4", pc="3"))
    page.locator("#input-grid").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    assert_probe_matches(shown(page)["answer"]["probe"], server_mix(base_url, 3, 4, 0)["probe"])
    for _ in range(12):  # held against the edge, it stays on the map
        page.keyboard.press("ArrowLeft")
    assert shown(page)["probe"] == {"row": 3, "col": 0}

    click_block(page, "weights-plot", [[4, 2], [4, 2]])  # W[y2, x4]
    now = shown(page)
    assert now["channel"] == 2 and now["selected"] == {"row": 2, "col": 4}
    page.keyboard.press("ArrowDown")  # the heatmap took the focus with the click
    for _ in range(2):  # to b's column, and no further
        page.keyboard.press("ArrowRight")
    now = shown(page)
    assert now["channel"] == 3 and now["selected"] == {"row": 3, "col": 5}
    server = server_mix(base_url, 3, 0, 3)["explain"]
    np.testing.assert_allclose(now["answer"]["explain"]["sum"], server["sum"], atol=1e-5)
    assert page.locator("#sum-caption").inner_text().startswith("Weighted sum for output channel y3")
    assert page.errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_file_says_what_it_computes_and_what_needs_the_server(offline, base_url, lang):
    page = offline(export(base_url, lang))
    note = page.locator("#offline-note").inner_text()
    if lang == "en":
        assert "These numbers are computed in this file from the exported X, W and b." in note
        assert "Editing weights, changing the input or changing Cout needs the server" in note
    else:
        assert "这些数值都是在本文件中由导出的 X、W 和 b 算出来的。" in note
        assert "修改权重、更换输入、改变 Cout 都需要服务器" in note
    assert page.locator("#eight-bit").is_hidden()  # the maps are in float32
    click_pixel(page, "output", 1, 0, 0)
    assert LOCAL[lang] in page.locator("#sum-caption").inner_text()
    assert LOCAL[lang] in page.locator("#probe .check").inner_text()
    assert page.errors == []


def test_offline_nothing_but_the_file_is_requested(offline, base_url):
    page = offline(export(base_url), PHONE)
    click_pixel(page, "output", 0, 4, 4)
    assert page.blocked == []
    assert [u for u in page.requests if not u.startswith(("file:", "data:", "blob:"))] == []
    seen = survey(page)
    assert seen["scrollWidth"] <= seen["innerWidth"], "the export scrolls sideways on a phone"
    assert serious_findings(page) == []


def test_an_export_too_large_for_float32_keeps_8_bits_and_says_so(offline, base_url):
    """Over the answer limit in float32, the file keeps the page's 8-bit maps: still interactive,
    within their rounding, and it says its numbers are approximate."""
    html = mixer_html({**QUERY, "lang": "en"}, Settings(max_answer_bytes=2_000))
    page = offline(html)
    assert page.locator("#eight-bit").is_visible()
    click_pixel(page, "input", 0, 2, 2)
    probe = shown(page)["answer"]["probe"]
    server = server_mix(base_url, 2, 2, 0)["probe"]
    np.testing.assert_allclose(probe["z"], server["z"], atol=0.05)
    assert 1e-5 < probe["max_abs_error"] < 0.05


def test_with_nothing_to_click_the_file_does_not_offer_clicks(offline, base_url):
    page = offline(export(base_url, view="probe,graph"))
    assert page.locator("#offline-local").is_hidden()
    assert "needs the server" in page.locator("#offline-note").inner_text()
