"""A link to an upload the server no longer has (and this browser has no copy of): the page says so
in place of its views, offers the upload control and a sample, and its exports stay switched off
until there is an image again."""

import httpx

from tests import corpus
from tests.browser.test_legibility import serious_findings

GONE = "/?in=upload&img=0123456789abcdef0123456789abcdef&cout=4&w=identity"


def test_a_gone_upload_is_said_in_place_with_a_way_to_go_on(watched):
    page = watched.page
    page.goto(watched.base_url + GONE)
    page.wait_for_selector("#gone:not([hidden])")
    assert page.locator("#gone h2").inner_text() == "This link's image is no longer on the server"
    assert not page.locator("#input-grid").is_visible()
    assert page.locator("#export-html").get_attribute("aria-disabled") == "true"
    assert page.locator("#download-npz").is_disabled()
    assert serious_findings(page) == []
    # The image chosen again: the views come back with the link's other settings kept.
    png = {"name": "again.png", "mimeType": "image/png", "buffer": corpus.png_rgb(40, 30)}
    page.set_input_files("#gone-upload", files=[png])
    watched.settle()
    assert page.locator("#gone").is_hidden()
    assert page.locator("#input-grid").is_visible()
    assert page.locator("#export-html").get_attribute("aria-disabled") is None
    assert "w=identity" in page.url and "cout=4" in page.url
    assert "30·40" in page.locator("#cost").inner_text()


def test_a_gone_upload_can_give_way_to_a_sample(watched):
    page = watched.page
    page.goto(watched.base_url + GONE + "&lang=zh")
    page.wait_for_selector("#gone:not([hidden])")
    assert page.locator("#gone h2").inner_text() == "链接中的图像已从服务器删除"
    page.locator("#gone-sample").click()
    watched.settle()
    assert page.locator("#gone").is_hidden() and page.locator("#input").input_value().startswith("sample:")
    assert page.locator("#input-grid").is_visible()


def test_the_export_of_a_gone_upload_is_a_page_that_says_why(base_url):
    # A browser's download asks for HTML; the answer is a page naming the field, not a JSON file.
    answer = httpx.get(f"{base_url}/export/mixer.html{GONE[1:]}", headers={"accept": "text/html,*/*;q=0.8"})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<code>input.image_id</code>" in answer.text
