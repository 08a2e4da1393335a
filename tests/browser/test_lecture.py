"""For lecturers: embeds on other origins, offline exports, and the PyTorch code."""

from pathlib import Path
import subprocess
import sys

import httpx
import numpy as np
import pytest

from app.lab.encoding import decode
from tests.browser.conftest import another_origin


@pytest.fixture
def other_origin(tmp_path, base_url):
    """A page on another localhost origin that frames the embed and the main page."""
    html = (
        f'<iframe id="embed" src="{base_url}/embed/mixer?view=output&hide=controls" width="900" height="600"></iframe>'
        f'<iframe id="main" src="{base_url}/" width="900" height="600"></iframe>'
    )
    with another_origin(tmp_path, "slides.html", html) as url:
        yield url


def test_embed_renders_on_another_origin_and_the_main_page_does_not(watched, other_origin, base_url):
    page = watched.page
    page.goto(other_origin)
    embed = page.frame_locator("#embed")
    embed.locator("body[data-ready]:not([data-busy])").wait_for(state="attached", timeout=20_000)
    assert embed.locator("#output-grid").get_attribute("data-tiles").startswith("y0|y1")
    assert embed.locator(".controls").is_hidden() and embed.locator("#sum-plot").is_hidden()
    assert embed.locator("header.site").count() == 0
    main = page.locator("#main").element_handle().content_frame()
    main.wait_for_load_state()
    # Refused by frame-ancestors 'self': Chromium shows its own error page instead of the Mixer.
    assert main.url.startswith("chrome-error://"), main.url
    assert main.locator("#controls").count() == 0


def test_exported_html_renders_from_disk_with_the_network_blocked(browser, base_url, tmp_path):
    for name, query, plot in [
        ("mixer", "?in=sample:wheel&w=grayscale&feat=rgb", "output-grid"),
        ("cost", "", "inception-plot"),
    ]:
        r = httpx.get(f"{base_url}/export/{name}.html{query}", timeout=60)
        assert r.headers["content-disposition"] == f'attachment; filename="pointwise-{name}.html"'
        path = tmp_path / f"{name}.html"
        path.write_bytes(r.content)
        context = browser.new_context(offline=True)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda req: requests.append(req.url))  # noqa: B023
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready]", state="attached", timeout=20_000)
        assert page.locator(f"#{plot} .main-svg").count() >= 1
        assert [u for u in requests if not u.startswith(("file:", "data:", "blob:"))] == []
        context.close()


def test_the_pytorch_snippet_reproduces_the_api(watched, base_url, tmp_path):
    watched.open("/?in=random&rc=3&rh=6&rw=5&rs=2&cout=4&seed=7&act=relu&bias=random")
    page = watched.page
    page.locator('.share[data-view="output"] button[data-copy="code"]').click()
    code = page.locator("#copied-text").input_value()
    script = tmp_path / "snippet.py"
    script.write_text(code + "\nimport numpy\nnumpy.save('y.npy', y.numpy())\n")
    subprocess.run([sys.executable, str(script)], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    body = {
        "input": {"source": "random", "channels": 3, "height": 6, "width": 5, "seed": 2},
        "out_channels": 4,
        "weight": {"init": "random", "seed": 7},
        "bias": {"init": "random", "seed": 7},
        "activation": "relu",
    }
    expected = decode(httpx.post(f"{base_url}/api/mix", json=body).json()["output"]["maps"])
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-5, atol=1e-6)


def test_embed_code_points_at_the_embed_route(watched):
    watched.open("/?cout=5")
    watched.page.locator('.share[data-view="sum"] button[data-copy="embed"]').click()
    code = watched.page.locator("#copied-text").input_value()
    assert code.startswith("<iframe src=") and "/embed/mixer?cout=5" in code and "view=sum" in code
    assert 'allow="camera"' in code  # the live input works in slides on another origin


def test_every_figure_downloads_as_png_and_svg(watched):
    watched.open("/")
    page = watched.page
    page.locator("#weights-plot").hover()
    with page.expect_download() as png:
        page.locator('#weights-plot .modebar-btn[data-title="Download plot as a PNG"]').click()
    assert png.value.suggested_filename == "pointwise.png"
    page.locator("#graph-plot").hover()
    with page.expect_download() as svg:
        page.locator('#graph-plot .modebar-btn[data-title="Download as SVG"]').click()
    assert svg.value.suggested_filename == "pointwise.svg"
    assert "<svg" in Path(svg.value.path()).read_text()[:200]


def test_the_api_docs_work_offline(watched):
    watched.page.goto(f"{watched.base_url}/docs")
    watched.page.get_by_text("POST /api/mix").or_(
        watched.page.locator(".opblock-summary-path", has_text="/api/mix")
    ).first.wait_for(timeout=20_000)
    assert watched.foreign_requests() == []
    assert watched.errors == []
