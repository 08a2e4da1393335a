"""The lesson steps through with the keyboard, in both languages."""

import re

import pytest

TITLES = {
    "en": ("What a 1×1 convolution is", "Adding non-linearity", "Summary"),
    "zh": ("什么是 1×1 卷积", "加入非线性", "小结"),
}
DIFFERENCE = {"en": r"W2·W1: ([-+.e0-9]+) ", "zh": r"最大差值：([-+.e0-9]+)（"}
FOLDED = {"en": r"in this request: ([-+.e0-9]+) ", "zh": r"最大差值：([-+.e0-9]+)（"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_arrow_keys_walk_through_every_step(watched, language):
    page = watched.page
    page.goto(f"{watched.base_url}/lesson?lang={language}")
    first, seventh, last = TITLES[language]
    assert first in page.locator(".step:visible h2").inner_text()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert seventh in page.locator(".step:visible h2").inner_text()
    assert page.locator("#counter").inner_text() == "7 / 16"
    frame = page.frame_locator("#step-7 iframe")
    frame.locator("body[data-ready]:not([data-busy])").wait_for(state="attached", timeout=20_000)
    verdict = frame.locator("#collapse-verdict").inner_text()
    assert float(re.search(DIFFERENCE[language], verdict).group(1)) < 1e-5  # two linear layers are one
    page.keyboard.press("ArrowRight")
    frame = page.frame_locator("#step-8 iframe")
    frame.locator("body[data-ready]:not([data-busy])").wait_for(state="attached", timeout=20_000)
    verdict = frame.locator("#fold-verdict").inner_text()
    assert float(re.search(FOLDED[language], verdict).group(1)) < 1e-5  # conv → BN is one 1×1 layer
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert last in page.locator(".step:visible h2").inner_text()
    page.keyboard.press("ArrowLeft")
    assert page.locator("#counter").inner_text() == "15 / 16"
    assert "step=15" in page.url and f"lang={language}" in page.url
    page.keyboard.press("p")
    assert page.locator("body").get_attribute("class") == "presenter"
    assert page.locator("header.site").is_hidden()
    assert watched.foreign_requests() == []
    assert watched.errors == []
