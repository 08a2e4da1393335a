"""Every page and embed in Chinese, as a student sees it in Chromium: no Latin word on screen but
the few symbols and names below; the language switch keeps the page's state and is remembered."""

import re

import pytest

from tests import corpus

# Latin words a Chinese page may show, and why.
ALLOWED = {
    # Symbols and notation, written as in the formulas and in PyTorch.
    *("Cin", "Cout", "ReLU", "BatchNorm", "conv2d", "float32", "max", "min", "PCA", "RGB", "SGD", "Adam"),
    # Names: the site, the libraries, the architectures and layers as their papers name them, the
    # authors the lesson cites.
    *("Pointwise", "PyTorch", "TensorFlow", "torchvision", "Inception", "ResNet", "MobileNet", "MobileNetV2"),
    *("NiN", "mlpconv", "He", "Lin", "Chen", "Yan", "Szegedy", "Howard", "Sandler", "GoogLeNet"),
    *("Eckart", "Young"),  # the Eckart–Young theorem
    *("conv2", "conv3", "conv4", "conv5"),  # ResNet's stages conv2_x … conv5_x, as its Table 1 names them
    *("Transformer", "Vaswani", "ViT", "GELU", "FFN"),  # the transformer step and block
    *("model", "dim", "feedforward", "linear1", "linear2", "Linear"),  # d_model, dim_feedforward, nn.Linear
    *("BN", "eps", "running", "var"),  # BatchNorm folding: BN's eps and running_var, as PyTorch names them
    *("ShuffleNet", "Zhang", "meta", "FLOPs"),  # grouped 1×1 (Zhang et al.), the meta device, FLOPs = 2 × MACs
    # The English term beside its Chinese one, as a lecturer glosses it once.
    "depthwise",
    # File formats a person picks, and the machine a mix ran on.
    *("PNG", "JPEG", "GIF", "WebP", "HEIC", "npz", "CPU", "GPU"),
    # The switch names the other language in that language.
    "English",
}
PHRASES = ("Network in Network",)  # a paper's title, cited as it is

PAGES = ["/", "/cost", "/lesson", "/embed/mixer", "/embed/cost", "/embed/collapse"]
OTHER_PAGES = ["/learn", "/blocks"]  # built by their own pages' authors, with their own catalogues

# What a person can read: the page's text (code left out: code is code — <code>, <pre>, and an SVG
# drawing's text marked class="code", such as a block diagram's module names), the text of Plotly's
# SVG figures, the labels laid over them, and the tile labels drawn into the maps' images.
COLLECT = """() => {
  const style = document.createElement("style");
  style.textContent = "code, pre, svg text.code { display: none !important; }";
  document.head.append(style);
  const text = document.body.innerText;
  style.remove();
  const figures = [...document.querySelectorAll(".js-plotly-plot svg text")].map((node) => node.textContent);
  const labels = [...document.querySelectorAll(".labels span")].map((node) => node.textContent);
  const tiles = [...document.querySelectorAll("[data-tiles]")].map((node) => node.dataset.tiles);
  return [text, ...figures, ...labels, ...tiles].join("\\n");
}"""


def latin_words(text: str) -> set[str]:
    """Words of two or more Latin letters not on the allow-list; a dotted name (nn.Conv2d) is code."""
    for phrase in PHRASES:
        text = text.replace(phrase, " ")
    text = re.sub(r"\b\w+(?:\.\w+)+", " ", text)
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", text) if len(re.findall("[A-Za-z]", w)) >= 2}
    return words - ALLOWED


def settled(frame) -> None:
    frame.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=30_000)


def read(page) -> set[str]:
    return latin_words(page.evaluate(COLLECT))


@pytest.mark.parametrize("path", PAGES + OTHER_PAGES)
def test_every_page_and_embed_reads_in_chinese(watched, path):
    watched.open(f"{path}?lang=zh")
    page = watched.page
    assert page.locator("html").get_attribute("lang") == "zh"
    page.wait_for_timeout(300)  # the last figure's labels are placed a frame after data-ready
    seen = {word: path for word in read(page)}
    if path == "/lesson":
        # Every step, and the embed it shows.
        for step in range(1, int(page.locator("#lesson").get_attribute("data-steps")) + 1):
            if step > 1:
                page.keyboard.press("ArrowRight")
            frame = page.locator(f"#step-{step} iframe").element_handle().content_frame()
            settled(frame)
            frame.wait_for_timeout(300)
            words = read(page) | read(frame)
            seen |= {word: f"step {step}" for word in words}
    assert seen == {}
    assert watched.errors == []


def test_the_switch_keeps_the_state_and_the_choice_is_remembered(watched):
    watched.open("/cost?lang=zh&s-cout=100")
    page = watched.page
    assert page.locator("#sweep h2").inner_text().startswith("参数量")
    page.locator("header.site a[hreflang]").click()
    watched.settle()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "s-cout=100" in page.url and "lang=en" in page.url
    # Chosen once, the language follows to a link that does not say it.
    page.goto(f"{watched.base_url}/?lang=zh")
    watched.settle()
    page.goto(f"{watched.base_url}/cost")
    watched.settle()
    assert page.locator("html").get_attribute("lang") == "zh" and "lang=zh" in page.url
    assert page.locator("#sweep h2").inner_text().startswith("参数量")
    # The export and the copied links keep it.
    assert "lang=zh" in page.locator("#export-html").get_attribute("href")


def test_refusals_are_said_in_the_pages_words(watched):
    watched.open("/cost?lang=zh")
    page = watched.page
    page.locator("#d-cin").fill("0")
    page.locator("#d-cin").dispatch_event("change")
    watched.settle()
    assert page.locator("#separable-verdict").inner_text() == "Cin 超出范围：应在 1 到 8192 之间。"

    watched.open("/?lang=zh")
    text = {"name": "notes.png", "mimeType": "image/png", "buffer": corpus.TEXT}
    page.set_input_files("#upload", files=[text])
    page.wait_for_selector("#status.error")
    refused = "上传被拒绝：服务器无法读取这个文件：请上传 PNG、JPEG、GIF 或 WebP 图像。"
    assert page.locator("#status").inner_text() == refused


# Each refusal a page can meet, as the API answers it (status, detail, Retry-After), and what a
# page says for it: the Mixer's cout slider is the control, its range the one the slider offers.
SAY = """async ([status, detail, retry]) => {
  const { ApiError, refusal } = await import("/static/js/shared/api.js");
  const controls = { out_channels: { name: "Cout", min: 1, max: 64 }, file: { limit: "16 MB" } };
  return refusal(new ApiError(status, detail, retry), controls);
}"""
REFUSALS = [
    (413, "file: over the upload limit", None, "这张图像超过了 16 MB 的上传上限。"),
    (413, "encoding: the answer would be too large", None, "超出了服务器的限制：图像或请求太大。"),
    (415, "file: not a supported image", None, "服务器无法读取这个文件：请上传 PNG、JPEG、GIF 或 WebP 图像。"),
    (404, "input.image_id: no image", None, "服务器上没有这张图像（可能已被清除）：请重新上传。"),
    (422, [{"loc": ["body", "out_channels"], "msg": "too many"}], None, "Cout 超出范围：应在 1 到 64 之间。"),
    (422, [{"loc": ["body", "weight", "values", 0]}], None, "服务器不接受 weight.values.0 的这个取值。"),
    (503, "the server is busy", "5", "服务器正忙，请 5 秒后再试。"),
    (429, "file: too many new images", "12", "这台电脑上传的新图像太多了：请等 12 秒再上传。"),
    (0, "the upload did not reach the server", None, "连不上服务器：请检查网络后重试。"),
    (500, "boom", None, "服务器拒绝了这个请求（状态码 500）。"),
]


@pytest.fixture(scope="module")
def chinese(browser, base_url):
    """A page in Chinese, for its modules."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base_url}/embed/collapse?lang=zh")
    yield page
    context.close()


@pytest.mark.parametrize(("status", "detail", "retry", "said"), REFUSALS)
def test_every_refusal_has_the_pages_own_words(chinese, status, detail, retry, said):
    assert chinese.evaluate(SAY, [status, detail, retry]) == said
