"""The lecturer's path and the student's first minute: what "Copy embed code" pastes into a slide,
weight editing that never surprises, each action beside its result, and the first minute."""

import httpx
import pytest

from tests.browser.conftest import another_origin

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Every page with "Copy embed code", and the views it offers it on.
COPIED = {
    "/": ["input", "weights", "output", "sum", "probe", "graph"],
    "/cost": ["sweep", "inception", "bottleneck", "projection", "separable"],
    "/learn": ["loss", "pca"],
    "/blocks?node=conv1": ["diagram"],
}

# In a frame: does it scroll or spill, what text is under `smallest` pixels, and which heatmaps
# with cells of at least 28×16 pixels show no numbers.
FRAME = """(smallest) => {
  const root = document.documentElement;
  const spills = [];
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    if (gd.offsetParent === null) continue;
    const drawn = gd.querySelector(".svg-container")?.getBoundingClientRect().bottom ?? 0;
    if (drawn > gd.getBoundingClientRect().bottom + 1) spills.push(gd.id);
  }
  for (const box of document.querySelectorAll(".probe, .controls, .diagram")) {
    if (box.offsetParent === null) continue;
    const over = box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
    if (over) spills.push(box.id || box.className);
  }
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.getClientRects().length) continue;
    if (element.closest("script, style, [hidden], .left-out, dialog:not([open]), .modebar, .visually-hidden")) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.opacity === "0") continue;
    const matrix = element instanceof SVGElement ? element.getScreenCTM() : null;
    const scale = matrix ? Math.hypot(matrix.a, matrix.b) : 1;
    const zoom = Number(element.closest("[style*=zoom]")?.style.zoom || 1);
    const size = parseFloat(style.fontSize) * scale * zoom;
    const text = node.textContent.trim().slice(0, 24);
    if (size < smallest - 0.5) small.push(`${element.tagName} ${size.toFixed(1)} ${text}`);
  }
  const bare = [];
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    const heatmap = gd.data?.find((trace) => trace.type === "heatmap" && trace.text);
    if (!heatmap || gd.offsetParent === null) continue;
    const { _length: width } = gd._fullLayout.xaxis;
    const { _length: height } = gd._fullLayout.yaxis;
    const [cols, rows] = [heatmap.z[0].length, heatmap.z.length];
    if (width / cols >= 28 && height / rows >= 16 && !heatmap.texttemplate) bare.push(gd.id);
  }
  return { scroll: [root.scrollHeight, window.innerHeight, root.scrollWidth, window.innerWidth], spills, small, bare };
}"""


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    """Another loopback origin whose page holds the HTML of `?code=`: a slide with what was pasted."""
    html = (
        "<!doctype html><body style='margin:0'><div id='slot'></div><script>"
        "const q = new URLSearchParams(location.search);"
        "document.getElementById('slot').innerHTML = q.get('code');</script></body>"
    )
    with another_origin(tmp_path_factory.mktemp("slides"), "slide.html", html) as url:
        yield url


def settle(frame) -> None:
    frame.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=60_000)


def copied(page, view: str, kind: str) -> str:
    page.locator(f':is(.share[data-view="{view}"], [data-view="{view}"] .share) button[data-copy="{kind}"]').click()
    text = page.locator("#copied-text").input_value()
    page.locator("#copied form button").click()
    return text


# The Blocks diagram fits its slide but draws its shape labels at 10 px there (11 units scaled to the frame).
BLOCKS_LABELS = pytest.mark.xfail(strict=True, reason="Blocks' diagram labels are 10 px in a 960×540 frame")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", [pytest.param(p, marks=BLOCKS_LABELS) if "blocks" in p else p for p in COPIED])
def test_every_copied_embed_is_a_slide(page_at, base_url, slides, path, lang):
    page = page_at(LAPTOP)
    page.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}")
    settle(page)
    codes = {view: copied(page, view, "embed") for view in COPIED[path]}
    slide = page_at({"width": 1000, "height": 600})
    for view, code in codes.items():
        assert 'width="960" height="540"' in code and "hide=controls" in code, code
        slide.goto(f"{slides}?code={code.replace('&', '%26').replace('#', '%23')}")
        frame = slide.frames[1]
        settle(frame)
        seen = frame.evaluate(FRAME, 12)
        height, inner, width, inner_width = seen["scroll"]
        assert height <= inner and width <= inner_width, (view, seen["scroll"])
        assert seen["spills"] == [], (view, seen["spills"])
        assert seen["small"] == [], (view, seen["small"])
        assert seen["bare"] == [], (view, seen["bare"])
    assert page.errors == [] and slide.errors == []


def weight(page, row: int = 0, col: int = 0) -> float:
    return page.evaluate(f"document.getElementById('weights-plot').data[0].z[{row}][{col}]")


def test_the_wheel_scrolls_the_page_until_w_has_the_focus(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/")
    settle(page)
    before = weight(page)
    box = page.locator("#weights-plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") > 0 and weight(page) == before
    page.locator("#weights-plot").focus()
    page.mouse.wheel(0, -100)
    settle(page)
    assert weight(page) != before


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_edit_says_why_cout_is_fixed_and_every_row_and_column_stays_named(page_at, base_url, lang):
    page = page_at(LAPTOP)
    page.goto(f"{base_url}/?lang={lang}")
    settle(page)
    assert page.locator("#cout-fixed").is_hidden()
    page.locator("#w-value").fill("0.5")
    settle(page)
    assert page.locator("#cout").is_disabled() and page.locator("#cout-fixed").is_visible()
    assert "W" in page.locator("#cout-fixed").inner_text()
    names = page.locator("#weights-plot .labels span").all_inner_texts()
    cout, cin = page.evaluate("document.getElementById('weights-plot').data[0].z.length"), 10
    assert len(names) == cout + cin + 1, names  # y0…y15, the ten channels and b
    page.locator("#reset-weights").click()
    settle(page)
    assert page.locator("#cout").is_enabled() and page.locator("#cout-fixed").is_hidden()
    assert "w=edited" not in page.url and "W=" not in page.url


@pytest.mark.parametrize("path", ["/", "/learn", "/blocks"])
def test_on_a_phone_the_figure_comes_first_and_controls_are_tall_enough_to_tap(page_at, base_url, path):
    page = page_at(PHONE)
    page.goto(base_url + path)
    settle(page)
    first = page.evaluate("document.querySelector('.js-plotly-plot, .diagram svg').getBoundingClientRect().top")
    assert first < PHONE["height"], first
    short = page.evaluate(
        """[...document.querySelectorAll('.controls :is(select, input, button, .button), .run button')]
        .filter((e) => e.offsetParent !== null && !['checkbox', 'file'].includes(e.type))
        .filter((e) => e.getBoundingClientRect().height < 40).map((e) => e.id || e.outerHTML.slice(0, 40))"""
    )
    assert short == []


def test_learn_train_is_beside_its_loss_curve_and_stop_waits_for_a_run(page_at, base_url):
    page = page_at(LAPTOP)
    page.goto(base_url + "/learn")
    settle(page)
    train, curve = (page.locator(s).bounding_box() for s in ("#train", "#loss-plot"))
    assert train["y"] + train["height"] <= LAPTOP["height"] and curve["y"] < LAPTOP["height"] / 2
    assert page.locator("#stop").is_disabled()


PROJECTOR = {"width": 1920, "height": 1080}

# Every export, from the query of a page with Large type on.
EXPORTS = {
    "mixer": "/export/mixer.html?large=1",
    "cost": "/export/cost.html?large=1",
    "collapse": "/export/collapse.html?large=1",
    "learn": "/export/learn.html?large=1&steps=40",
    "blocks": "/export/blocks.html?large=1",
}

# The labels drawn into the grids' images, at the size they are shown.
GRID_LABELS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter((gd) => gd.offsetParent !== null && gd.layout?.meta?.labelPx)
  .map((gd) => gd.layout.meta.labelPx)"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", EXPORTS)
def test_an_export_keeps_large_type_and_switches_it_offline(page_at, base_url, tmp_path, name, lang):
    with httpx.Client(base_url=base_url, timeout=120) as client:
        answer = client.get(f"{EXPORTS[name]}&lang={lang}")
    assert answer.status_code == 200, answer.text[:300]
    path = tmp_path / f"{name}.html"
    path.write_bytes(answer.content)
    page = page_at(PROJECTOR)
    page.goto(path.as_uri())
    settle(page)
    assert page.locator("#large-type").is_checked()
    seen = page.evaluate(FRAME, 16)
    assert seen["small"] == [], seen["small"]
    assert all(px >= 15.5 for px in page.evaluate(GRID_LABELS)), page.evaluate(GRID_LABELS)
    page.screenshot(path=str(tmp_path / f"{name}-{lang}.png"), full_page=True)
    # Unticked, the file redraws at its usual size, with no server: its text is smaller again.
    page.locator("#large-type").uncheck()
    assert not page.evaluate("document.documentElement.classList.contains('large')")
    assert page.evaluate(FRAME, 16)["small"] != []
    page.locator("#large-type").check()
    assert page.evaluate(FRAME, 16)["small"] == []
    assert page.errors == []


@pytest.mark.parametrize("path", ["/", "/cost", "/learn?steps=40", "/blocks"])
def test_the_export_link_takes_the_pages_large_type(page_at, base_url, path):
    page = page_at(LAPTOP)
    page.goto(base_url + path)
    settle(page)
    page.locator("#large-type").check()
    with page.expect_download() as download:
        page.locator("#export-html").click()
    assert "large=1" in download.value.url, download.value.url
    page.locator("#large-type").uncheck()
    with page.expect_download() as download:
        page.locator("#export-html").click()
    assert "large=" not in download.value.url, download.value.url
    assert page.errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_learn_steps_follow_the_side_and_a_refusal_names_the_limit(page_at, base_url, lang, tmp_path):
    page = page_at(LAPTOP)
    learn = f"{base_url}/learn?in=random&tgt=random&steps=40&lang={lang}"
    page.goto(f"{learn}&rh=64&rw=64")
    settle(page)
    steps = page.locator("#steps")
    assert steps.get_attribute("max") == "5000"  # max_train_steps: 64×64 is far within steps × H·W
    page.goto(f"{learn}&rh=128&rw=128")
    settle(page)
    assert steps.get_attribute("max") == "4000"  # steps × H·W at most 4000 × 128 × 128
    steps.fill("4500")
    steps.dispatch_event("change")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('4000')")
    said = page.locator("#status").inner_text()
    assert "4000" in said and ("Steps" in said if lang == "en" else "步" in said), said
    page.screenshot(path=str(tmp_path / f"steps-{lang}.png"))
    assert page.errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_blocks_subtitle_follows_the_kind(page_at, base_url, lang, tmp_path):
    page = page_at(LAPTOP)
    page.goto(f"{base_url}/blocks?lang={lang}")
    settle(page)
    formula = page.locator(".formula")
    said = {"bottleneck": formula.inner_text()}
    for kind in ("inverted_residual", "inception"):
        page.locator("#kind").select_option(kind)
        settle(page)
        said[kind] = formula.inner_text()
    page.screenshot(path=str(tmp_path / f"blocks-{lang}.png"))
    assert len(set(said.values())) == 3, said
    words = {"en": ("bottleneck", "depthwise", "Inception"), "zh": ("瓶颈块", "逐通道", "Inception")}[lang]
    assert [word in text for word, text in zip(words, said.values(), strict=True)] == [True] * 3, said
    # The page opened at a kind says its formula from the first paint.
    page.goto(f"{base_url}/blocks?b=inception&lang={lang}")
    assert page.locator(".formula").inner_text() == said["inception"]
    assert page.errors == []


SKIPS = ["/", "/cost", "/learn?steps=40", "/blocks", "/lesson", "/embed/mixer"]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", SKIPS)
def test_a_skip_link_leads_to_the_figure_and_toolbars_are_out_of_the_tab_order(page_at, base_url, path, lang, tmp_path):
    page = page_at(LAPTOP)
    page.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}")
    settle(page)
    page.keyboard.press("Tab")
    skip = page.locator("#skip")
    assert page.evaluate("document.activeElement.id") == "skip"
    assert skip.inner_text() == {"en": "Skip to the figure", "zh": "跳到图"}[lang]
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 0  # shown once it has the focus
    if path == "/":
        page.screenshot(path=str(tmp_path / f"skip-{lang}.png"))
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused, page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
    if path not in ("/lesson",):
        # Past the site's links and the controls: the focus is in the figures, and a few Tabs on
        # reach a figure itself, never a toolbar button.
        assert page.evaluate("!document.activeElement.closest('.controls')")
        reached = set()
        for _ in range(8):
            page.keyboard.press("Tab")
            reached.add(page.evaluate("document.activeElement.className.baseVal ?? document.activeElement.className"))
        assert not any("modebar-btn" in name for name in reached), reached
        if path == "/":
            assert any("js-plotly-plot" in name for name in reached), reached
    assert page.locator(".modebar-btn:not([tabindex='-1'])").count() == 0
    assert page.errors == []


# Each output grid of the collapse figure: the size its labels and tiles are shown at, and the width
# of each label (y0, y1, y2) at that size (canvas text, in the figure's font).
COLLAPSE_LABELS = """() => ["two-plot", "one-plot"].map((id) => {
  const gd = document.getElementById(id);
  const { labelPx, tilePx } = gd.layout.meta;
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${labelPx}px ${gd._fullLayout.font.family}`;
  return { labelPx, tilePx, widths: ["y0", "y1", "y2"].map((name) => context.measureText(name).width) };
})"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(960, 540), (1280, 720)])
def test_the_collapse_tiles_are_labelled_whole(page_at, base_url, slides, size, lang, tmp_path):
    width, height = size
    slide = page_at({"width": width + 40, "height": height + 40})
    src = f"{base_url}/embed/collapse?lang={lang}"
    code = f'<iframe src="{src}" width="{width}" height="{height}" style="border:0"></iframe>'
    slide.goto(f"{slides}?code={code.replace('&', '%26')}")
    frame = slide.frames[1]
    settle(frame)
    slide.screenshot(path=str(tmp_path / f"collapse-{width}-{lang}.png"))
    for grid in frame.evaluate(COLLAPSE_LABELS):
        # One line per tile, its channel's name (the caption names the layers), within its tile.
        assert grid["labelPx"] >= 12 and all(w <= grid["tilePx"] for w in grid["widths"]), grid
    assert frame.evaluate(FRAME, 12)["small"] == []
    assert slide.errors == []


# The input's true-colour picture: shown, its size, and the mean colour of its pixels (canvas).
COLOUR_PICTURE = """async () => {
  const picture = document.getElementById("input-colour");
  if (picture.hidden) return null;
  await picture.decode();
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [picture.naturalWidth, picture.naturalHeight];
  const context = canvas.getContext("2d");
  context.drawImage(picture, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const mean = [0, 1, 2].map((c) => data.filter((_, i) => i % 4 === c).reduce((a, b) => a + b, 0) / (data.length / 4));
  const { width, height } = picture.getBoundingClientRect();
  return { size: [canvas.width, canvas.height], shown: [width, height], mean, alt: picture.alt };
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_mixer_shows_its_input_in_true_colour(page_at, base_url, tmp_path, lang):
    page = page_at(LAPTOP)
    page.goto(f"{base_url}/?in=sample:wheel&lang={lang}")
    settle(page)
    seen = page.evaluate(COLOUR_PICTURE)
    page.locator('figure[data-view="input"]').screenshot(path=str(tmp_path / f"input-{lang}.png"))
    assert seen is not None and seen["shown"][1] >= 30, seen
    assert seen["alt"].startswith({"en": "The input in true colour", "zh": "输入的真彩色图像"}[lang]), seen["alt"]
    # A colour wheel: every colour, so no channel is empty and the three are not one grey.
    assert min(seen["mean"]) > 20 and max(seen["mean"]) - min(seen["mean"]) < 120, seen["mean"]
    # A random tensor has no colours: no picture.
    page.goto(f"{base_url}/?in=random&lang={lang}")
    settle(page)
    assert page.evaluate(COLOUR_PICTURE) is None
    # In an embed and in an export, the same picture.
    page.goto(f"{base_url}/embed/mixer?in=sample:wheel&lang={lang}")
    settle(page)
    assert page.evaluate(COLOUR_PICTURE)["size"] == seen["size"]
    with httpx.Client(base_url=base_url, timeout=120) as client:
        (tmp_path / "mixer.html").write_bytes(client.get(f"/export/mixer.html?in=sample:wheel&lang={lang}").content)
    page.goto((tmp_path / "mixer.html").as_uri())
    settle(page)
    assert page.evaluate(COLOUR_PICTURE)["size"] == seen["size"]
    assert page.errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lessons_first_step_starts_small(page_at, base_url, tmp_path, lang):
    page = page_at(LAPTOP)
    page.goto(f"{base_url}/lesson?step=1&lang={lang}")
    start = page.locator("#step-1 #start-small")
    start.wait_for()
    assert start.inner_text().startswith({"en": "Start small", "zh": "从小处开始"}[lang])
    page.screenshot(path=str(tmp_path / f"lesson-{lang}.png"))
    assert page.locator("#start-small").count() == 1  # the first step's only
    with page.context.expect_page() as opened:
        start.click()
    mixer = opened.value
    settle(mixer)
    # The whole Mixer, its controls there to grow it: RGB in, 3 channels out, in the lesson's language.
    assert mixer.evaluate("document.documentElement.lang") == lang
    assert mixer.locator("#cout").input_value() == "3"
    tiles = "(id) => document.getElementById(id).dataset.tiles.split('|').length"
    assert mixer.evaluate(tiles, "input-grid") == 3 and mixer.evaluate(tiles, "output-grid") == 3
    assert mixer.locator("#controls").is_visible()
    assert page.errors == []
