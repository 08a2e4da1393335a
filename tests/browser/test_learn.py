"""The Learn page in a real Chromium: training streamed from /api/learn, the PCA curve from /api/reduce."""

import threading
from urllib.parse import parse_qs, urlparse

import httpx

from tests.live import server


def data(page, plot: str, key: str) -> str:
    return page.get_attribute(f"#{plot}", f"data-{key}")


def tiles(page, plot: str) -> list[str]:
    return data(page, plot, "tiles").split("|")


def test_trains_from_the_page_and_the_loss_falls(watched):
    watched.open("/learn")
    page = watched.page
    assert data(page, "loss-plot", "step") == "300"
    first, last = float(data(page, "loss-plot", "loss-first")), float(data(page, "loss-plot", "loss-last"))
    assert last < first / 1000
    assert page.locator("#status").inner_text().startswith("Done: 300 steps")
    assert tiles(page, "output-plot") == tiles(page, "target-plot") == ["y0"]
    assert "‖[W b] − [W b]ₗₛ‖" in page.locator("#distance-readout").inner_text()
    assert page.locator("#loss-plot .scatterlayer .trace").count() == 2  # the curve and the least-squares line
    for label in ("Input", "Upload image", "Features", "Target", "Optimizer", "Learning rate", "Steps", "Seed"):
        assert page.get_by_label(label, exact=True).count() >= 1, label
    assert watched.foreign_requests() == []
    assert watched.errors == []


def test_a_change_retrains_and_lives_in_the_query_string(watched):
    watched.open("/learn")
    page = watched.page
    page.select_option("#opt", "sgd")
    page.fill("#lr", "0.5")
    page.locator("#lr").dispatch_event("change")
    watched.settle()
    query = parse_qs(urlparse(page.url).query)
    assert query["opt"] == ["sgd"] and query["lr"] == ["0.5"]
    assert float(data(page, "loss-plot", "loss-last")) < 1e-6
    export = urlparse(page.get_attribute("#export-html", "href"))
    assert export.path == "/export/learn.html"
    assert parse_qs(export.query)["opt"] == ["sgd"] and parse_qs(export.query)["lr"] == ["0.5"]
    assert watched.errors == []


def test_a_refused_value_is_said_in_the_pages_words(watched):
    watched.open("/learn?lang=zh&layers=2")
    page = watched.page
    page.fill("#hid", "65")
    page.locator("#hid").dispatch_event("change")
    page.wait_for_selector("#status.error")
    assert page.locator("#status").inner_text() == "隐藏层宽度 超出范围：应在 1 到 64 之间。"
    page.fill("#hid", "16")
    page.locator("#hid").dispatch_event("change")
    watched.settle()
    assert page.locator("#status").inner_text().startswith("完成")
    assert [e for e in watched.errors if "status of 422" not in e] == []  # Chromium logs the refused request


def test_stop_ends_a_long_run(watched):
    page = watched.page
    page.goto(watched.base_url + "/learn?feat=bank&tgt=random&layers=2&hid=64&steps=3000")
    page.wait_for_selector("#loss-plot[data-step]", state="attached", timeout=20_000)
    for _ in range(400):  # the page's CSP has no 'unsafe-eval': poll from here, not with wait_for_function
        if int(data(page, "loss-plot", "step")) >= 10:
            break
        page.wait_for_timeout(50)
    page.click("#stop")
    page.wait_for_selector("body:not([data-busy])", state="attached")
    assert page.locator("#status").inner_text().startswith("Stopped at step")
    step = int(data(page, "loss-plot", "step"))
    assert 10 <= step < 3000
    page.wait_for_timeout(500)
    assert int(data(page, "loss-plot", "step")) == step  # nothing more arrives
    assert watched.errors == []


def test_dependent_channels_are_explained(watched):
    watched.open("/learn?feat=bank&tgt=random")
    assert "luminance = 0.299·red" in watched.page.locator("#dependent-hint").inner_text()
    watched.open("/learn?in=random&tgt=random")  # independent channels: least squares finds W* itself
    assert watched.page.locator("#dependent-hint").inner_text() == ""


def test_relu_comparison_is_one_click_away(watched):
    watched.open("/learn?feat=bank&tgt=random&hid=16")
    page = watched.page
    page.click("#compare")
    watched.settle()
    assert page.locator("#compare-figure").is_visible()
    one, two = (float(v) for v in data(page, "compare-plot", "losses").split(","))
    assert two < one
    query = parse_qs(urlparse(page.url).query)
    assert query["cmp"] == ["1"] and query["tact"] == ["relu"]
    assert watched.errors == []


def test_the_reduction_view_shows_the_curve(watched):
    watched.open("/learn?feat=bank&R=3")
    page = watched.page
    errors = [float(v) for v in data(page, "pca-plot", "error").split(",")]
    assert len(errors) == 10 and errors[-1] == 0 and errors == sorted(errors, reverse=True)
    assert page.locator("#pca-plot .barlayer .trace").count() == 1
    assert "not standardised" in page.locator("#pca-said").inner_text()
    assert tiles(page, "reduced-plot") == ["PC1", "PC2", "PC3"]
    assert len(tiles(page, "reconstruction-plot")) == 10
    gap = float(data(page, "autoencoder-plot", "gap"))  # autoencoder loss / PCA bound
    assert 1 - 1e-3 <= gap < 1.1
    page.check("#std")
    watched.settle()
    assert "standardised channels" in page.locator("#pca-said").inner_text()
    assert parse_qs(urlparse(page.url).query)["std"] == ["1"]
    assert watched.errors == []


def test_the_page_in_chinese(watched):
    watched.open("/learn?lang=zh")
    page = watched.page
    assert page.title() == "学出来的通道混合 · Pointwise"
    assert page.locator("#status").inner_text().startswith("完成")
    assert "lang=zh" in page.get_attribute("#export-html", "href")
    assert watched.errors == []


def test_a_busy_server_is_asked_again(browser, tmp_path):
    """One training slot, no queue, and a long run holding it: the page says the server is busy,
    waits the Retry-After it was given, and trains once the slot is free."""
    env = {"POINTWISE_STORE_DIR": str(tmp_path), "POINTWISE_TRAIN_QUEUE": "0", "POINTWISE_RETRY_AFTER_S": "1"}
    long_run = {
        "input": {"source": "random", "channels": 10, "height": 128, "width": 128},
        "target": {"random": {"out_channels": 16}},
        "hidden": 64,
        "steps": 2400,
    }
    holding, release = threading.Event(), threading.Event()

    def hold(url: str) -> None:
        """Read the long run's events (a reader that stops reading is cut off) until released."""
        with httpx.stream("POST", f"{url}/api/learn", json=long_run, timeout=60) as r:
            for _ in r.iter_lines():
                holding.set()
                if release.is_set():
                    return

    with server("app.main:app", env=env) as running:
        holder = threading.Thread(target=hold, args=(running.url,))
        holder.start()
        assert holding.wait(30)
        context = browser.new_context()
        page = context.new_page()
        page.goto(running.url + "/learn")
        page.wait_for_selector("#status.error", timeout=20_000)
        assert page.locator("#status").inner_text() == "The server is busy: try again in 1 s."
        release.set()
        holder.join()
        page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=60_000)
        assert page.locator("#status").inner_text().startswith("Done: 300 steps")
        context.close()
