"""The cost explorer in a real Chromium: the numbers it shows are the API's module counts."""

import httpx


def settle(page):
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)


def test_classic_numbers_without_errors(watched):
    watched.open("/cost")
    page = watched.page
    assert "46,563,328 multiply–adds instead of 321,126,400" in page.locator("#inception-verdict").inner_text()
    assert "70,784 parameters" in page.locator("#bottleneck-verdict").inner_text()
    assert "1/64 + 1/9 = 0.1267" in page.locator("#separable-verdict").inner_text()
    assert "16,448 parameters and does 51,380,224 multiply–adds" in page.locator("#sweep-verdict").inner_text()
    arithmetic = page.locator("#inception-arithmetic").inner_text()
    assert "H·W·k²·Cin·Cout = 28·28·1²·256·32 = 6,422,528" in arithmetic
    assert watched.foreign_requests() == []
    assert watched.errors == []


def test_moving_the_reduction_slider_gives_the_apis_numbers(watched, base_url):
    watched.open("/cost")
    page = watched.page
    page.locator("#i-r").fill("100")
    settle(page)
    params = {
        "height": 28,
        "width": 28,
        "in_channels": 256,
        "reduce_channels": 100,
        "out_channels": 64,
        "kernel_size": 5,
    }
    answer = httpx.get(f"{base_url}/api/cost/inception", params=params).json()
    verdict = page.locator("#inception-verdict").inner_text()
    assert (
        f"{answer['reduced']['multiply_adds']:,} multiply–adds instead of {answer['direct']['multiply_adds']:,}"
        in verdict
    )
    assert page.locator("#i-r-value").inner_text() == "100"
    assert "i-r=100" in page.url


def test_bottleneck_styles_and_state_in_the_url(watched, browser):
    watched.open("/cost")
    page = watched.page
    page.select_option("#b-style", "torchvision")
    settle(page)
    assert "70,400 parameters" in page.locator("#bottleneck-verdict").inner_text()
    other = browser.new_page()
    other.goto(page.url)
    settle(other)
    assert other.locator("#b-style").input_value() == "torchvision"
    assert "70,400 parameters" in other.locator("#bottleneck-verdict").inner_text()
    other.close()


def test_a_refused_value_is_said_in_its_panel(watched):
    watched.open("/cost")
    page = watched.page
    page.locator("#d-cin").fill("0")
    page.locator("#d-cin").dispatch_event("change")
    settle(page)
    verdict = page.locator("#separable-verdict")
    assert verdict.get_attribute("class") == "verdict error"
    assert verdict.inner_text() == "Cin is out of range: from 1 to 8192."  # the page's words, not the API's
