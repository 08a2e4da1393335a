"""The Mixer on Chromium's fake camera: live maps, a weight edit in later frames, a frozen frame as an
upload, and the words a page without a camera shows."""

import io
import re
import time

from PIL import Image
import pytest

from tests.browser.conftest import launch

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def camera_browser(playwright):
    browser = launch(playwright, *FAKE_CAMERA)
    yield browser
    browser.close()


@pytest.fixture
def page(camera_browser, base_url):
    context = camera_browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base_url}/?lang=en")
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)
    yield page
    assert errors == []
    context.close()


def frames(page) -> int:
    return int(page.evaluate("document.body.dataset.liveFrames || 0"))


def until(page, expression: str, timeout_s: float = 20) -> None:
    """Poll `expression` in the page until it is true (wait_for_function evaluates strings, which the CSP forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout_s} s: {expression}"
        page.wait_for_timeout(50)


def wait_frames(page, more: int) -> None:
    until(page, f"Number(document.body.dataset.liveFrames || 0) >= {frames(page) + more}")


def test_the_camera_streams_live_maps_and_a_weight_edit_reaches_later_frames(page):
    page.click("#camera-start")
    wait_frames(page, 3)
    assert page.is_visible("#camera-stop") and page.is_visible("#camera-freeze")
    assert re.fullmatch(r"\d+ frames/s drawn; server \d+ ms a frame", page.text_content("#camera-fps"))
    assert page.evaluate("document.getElementById('input-grid').dataset.tiles").count("|") == 9  # the bank's 10 maps
    # Type W[0, 0] = 7 in the editor: the frames after it are mixed with it (the W drawn is the one
    # each frame's answer was mixed with on the server).
    page.fill("#w-value", "7")
    wait_frames(page, 3)
    until(page, "document.querySelector('#weights-plot').data?.[0].z[0][0] === 7")
    page.select_option("#weights", "identity")
    wait_frames(page, 2)
    until(page, "document.querySelector('#weights-plot').data?.[0].z[0][0] === 1")  # identity: W[0, 0] = 1
    page.click("#camera-stop")
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)
    assert page.is_visible("#camera-start")


def test_freeze_keeps_the_frame_as_an_upload(page):
    page.click("#camera-start")
    wait_frames(page, 2)
    with page.expect_response(lambda r: r.url.endswith("/api/images") and r.status == 200):
        page.click("#camera-freeze")
    until(page, "new URLSearchParams(location.search).get('in') === 'upload'")
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)
    assert page.input_value("#input") == "upload"
    assert page.is_visible("#camera-start")


def test_a_refused_camera_is_said_in_the_pages_language(camera_browser, base_url):
    context = camera_browser.new_context()
    page = context.new_page()
    page.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no', 'NotAllowedError'));"
    )
    page.goto(f"{base_url}/?lang=zh")
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)
    page.click("#camera-start")
    page.wait_for_selector("#camera-note.error")
    assert "摄像头未获允许" in page.text_content("#camera-note")
    page.select_option("#input", "sample:wheel")  # the other inputs still work
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)
    context.close()


def test_over_plain_http_the_phones_camera_app_takes_a_photo_to_upload(camera_browser, base_url):
    context = camera_browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    # As the page is on a phone that opened http://<the lecturer's LAN address>:
    page.add_init_script("Object.defineProperty(window, 'isSecureContext', { value: false });")
    page.goto(f"{base_url}/?lang=en")
    page.wait_for_selector("body[data-ready]:not([data-busy])", state="attached", timeout=20_000)
    assert page.is_disabled("#camera-start")
    assert "needs the lecturer's machine" in page.text_content("#camera-note")
    assert page.is_visible("#camera-photo-label")
    photo = page.locator("#camera-photo")
    assert (photo.get_attribute("accept"), photo.get_attribute("capture")) == ("image/*", "environment")
    png = Image.new("RGB", (1200, 900), (200, 40, 40))
    buffer = io.BytesIO()
    png.save(buffer, format="PNG")
    with page.expect_response(lambda r: r.url.endswith("/api/images") and r.status == 200) as response:
        photo.set_input_files({"name": "photo.png", "mimeType": "image/png", "buffer": buffer.getvalue()})
    assert response.value.json()["width"] == 512  # shrunk in the browser to the size the server keeps
    until(page, "new URLSearchParams(location.search).get('in') === 'upload'")
    context.close()
