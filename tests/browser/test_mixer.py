"""The Mixer page in a real Chromium: its numbers are the API's numbers."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from app.core import inputs
from tests import corpus


def vector(page, caption: str) -> list[float]:
    """The numbers of one vector of the probe's equation, e.g. caption "y"."""
    table = page.locator("#probe table.vector", has=page.locator(f"caption:text-is('{caption}')"))
    return [float(t.replace("−", "-")) for t in table.locator("td").all_inner_texts()]


def tiles(page, plot: str) -> list[str]:
    """The labels of the tiles of a grid of maps, as the page lists them."""
    return page.get_attribute(f"#{plot}", "data-tiles").split("|")


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def api_probe(base_url: str, body: dict) -> dict:
    r = httpx.post(f"{base_url}/api/mix", json={"max_side": 64, **body, "encoding": "json"}, timeout=30)
    r.raise_for_status()
    return r.json()["probe"]


def test_loads_offline_without_errors(watched):
    watched.open()
    page = watched.page
    assert tiles(page, "output-grid") == [f"y{n}" for n in range(16)]
    assert tiles(page, "input-grid") == inputs.BANK_NAMES
    sum_tiles = tiles(page, "sum-plot")  # 10 contributions, + b, = y0
    assert len(sum_tiles) == 12 and sum_tiles[0].endswith("× red") and sum_tiles[-1] == "= y0"
    assert "10·16 + 16 = 176" in page.locator("#cost").inner_text()
    assert "largest |y − Y" in page.locator("#probe").inner_text()
    for label in ("Input", "Upload image", "Features", "Output channels", "Weights", "Seed", "Bias", "Activation"):
        assert page.get_by_label(label, exact=False).count() >= 1, label
    assert watched.foreign_requests() == []
    assert watched.errors == []


def test_changing_output_channels_changes_the_output_grid(watched):
    watched.open()
    watched.page.locator("#cout").fill("5")
    watched.settle()
    assert tiles(watched.page, "output-grid") == ["y0", "y1", "y2", "y3", "y4"]
    assert query(watched.page)["cout"] == "5"
    assert "10·5 + 5 = 55" in watched.page.locator("#cost").inner_text()


def test_editing_one_weight_gives_the_apis_numbers(watched, base_url):
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2&pr=3&pc=4")
    page = watched.page
    before = vector(page, "y")
    page.locator("#w-value").fill("0.75")
    watched.settle()
    q = query(page)
    weights = [[float(v) for v in row.split(",")] for row in q["W"].split(";")]
    bias = [float(v) for v in q["B"].split(",")]
    assert weights[0][0] == 0.75 and len(weights) == 2 and len(weights[0]) == 3
    expected = api_probe(
        base_url,
        {
            "input": {"source": "random", "channels": 3, "height": 8, "width": 8, "seed": 0},
            "weight": {"values": weights},
            "bias": {"values": bias},
            "probe": {"row": 3, "col": 4},
        },
    )
    shown = vector(page, "y")
    assert shown != before
    assert shown == pytest.approx(expected["y"], abs=1e-3)
    assert vector(page, "x = X[:, i, j]") == pytest.approx(expected["x"], abs=1e-3)


def test_clicking_a_pixel_probes_it(watched, base_url):
    watched.open("/?in=sample:shapes&feat=rgb&cout=4")
    page = watched.page
    box = page.locator("#input-grid .nsewdrag").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.15)
    watched.settle()
    q = query(page)
    row, col = int(q["pr"]), int(q["pc"])
    assert f"row {row}, col {col}" in page.locator("#probe-caption").inner_text()
    expected = api_probe(
        base_url,
        {
            "input": {"source": "sample", "name": "shapes"},
            "max_side": 256,
            "out_channels": 4,
            "probe": {"row": row, "col": col},
        },
    )
    assert vector(page, "x = X[:, i, j]") == pytest.approx(expected["x"], abs=1e-3)
    assert vector(page, "y") == pytest.approx(expected["y"], abs=1e-3)


def test_a_copied_url_restores_the_view_and_back_works(watched, browser):
    watched.open("/?in=sample:wheel")
    page = watched.page
    page.select_option("#activation", "relu")
    watched.settle()
    page.select_option("#weights", "identity")
    watched.settle()
    page.locator("#w-value").fill("-0.5")
    watched.settle()
    url, probe, cost = page.url, page.locator("#probe").inner_text(), page.locator("#cost").inner_text()

    other = browser.new_page(viewport={"width": 1024, "height": 768})
    other.goto(url)
    other.wait_for_selector("body[data-ready]:not([data-busy])", state="attached")
    assert other.locator("#probe").inner_text() == probe
    assert other.locator("#cost").inner_text() == cost
    assert other.locator("#activation").input_value() == "relu"
    assert other.locator("#weights").input_value() == "edited"
    other.close()

    page.go_back()
    watched.settle()
    assert page.locator("#weights").input_value() == "identity"
    page.go_back()
    watched.settle()
    assert page.locator("#weights").input_value() == "random"
    assert page.locator("#activation").input_value() == "relu"


def test_upload_a_png_and_refuse_a_text_file(watched, store_dir):
    watched.open()
    page = watched.page
    png = {"name": "red.png", "mimeType": "image/png", "buffer": corpus.png_rgb(40, 30)}
    page.set_input_files("#upload", files=[png])
    watched.settle()
    assert page.locator("#input").input_value() == "upload"
    assert "30·40" in page.locator("#cost").inner_text()

    # The server forgets the image (evicted); the page uploads it again without a word.
    for path in store_dir.glob("*.npy"):
        path.unlink()
    page.select_option("#features", "rgb")
    watched.settle()
    assert page.locator("#status").get_attribute("class") == "status"
    assert tiles(page, "input-grid") == ["red", "green", "blue"]

    page.set_input_files("#upload", files=[{"name": "notes.png", "mimeType": "image/png", "buffer": corpus.TEXT}])
    page.wait_for_selector("#status.error")
    assert page.locator("#status").inner_text() == (
        "Upload refused: Not an image the server can read: send a PNG, JPEG, GIF or WebP."
    )
    # The browser logs the two refusals themselves (the 404 of the evicted image, the 415); nothing else.
    assert [e.split("status of ")[1] for e in watched.errors] == ["404 (Not Found)", "415 (Unsupported Media Type)"]


MIX_ROW = """async () => {
  const { mixRow } = await import("/static/js/mixer/local-mix.js");
  const input = { shape: [2, 1, 3], values: new Float32Array([1, 2, 3, -1, 0.5, 4]) };
  const mix = { input, weight: [[1, 0], [2, -1]], bias: [0, 0.5], activation: "none" };
  const none = Array.from(mixRow(mix, 1, new Float32Array(3)));
  const relu = Array.from(mixRow({ ...mix, activation: "relu" }, 1, new Float32Array(3)));
  return { none, relu };
}"""


def test_a_dragged_weights_output_row_is_computed_in_the_page(watched):
    # Y[1] = 2·X[0] − X[1] + 0.5 over the three pixels, before and after ReLU.
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2")
    rows = watched.page.evaluate(MIX_ROW)
    assert rows == {"none": [3.5, 4.0, 2.5], "relu": [3.5, 4.0, 2.5]}
    rows = watched.page.evaluate(MIX_ROW.replace("0.5, 4", "0.5, 9"))
    assert rows == {"none": [3.5, 4.0, -2.5], "relu": [3.5, 4.0, 0.0]}


def test_a_drag_ends_with_the_figures_themselves_and_the_servers_numbers(watched, base_url):
    # While edits come, the drag path lays canvases over the figures; once idle, none is left and
    # every figure holds the last answer: W's cell, the sum's weight, the probe's y.
    watched.open("/?in=random&rc=3&rh=8&rw=8&cout=2&pr=3&pc=4")
    page = watched.page
    slider = page.locator("#w-slider")
    for value in ["0.1", "0.3", "0.6", "0.9"]:
        slider.evaluate("(s, v) => { s.value = v; s.dispatchEvent(new Event('input')); }", value)
    watched.settle()
    assert page.evaluate("document.querySelectorAll('canvas.live').length") == 0
    assert page.evaluate("document.getElementById('weights-plot').data[0].z[0][0]") == pytest.approx(0.9)
    assert tiles(page, "sum-plot")[0].startswith("+0.90 ×")
    q = query(page)
    weights = [[float(v) for v in row.split(",")] for row in q["W"].split(";")]
    bias = [float(v) for v in q["B"].split(",")]
    expected = api_probe(
        base_url,
        {
            "input": {"source": "random", "channels": 3, "height": 8, "width": 8, "seed": 0},
            "weight": {"values": weights},
            "bias": {"values": bias},
            "probe": {"row": 3, "col": 4},
        },
    )
    assert vector(page, "y") == pytest.approx(expected["y"], abs=1e-3)
