"""Every text asset under /static travels compressed, with the vendor bundle's caching headers."""

import pytest

from app.config import STATIC_DIR
from app.pages.assets import CACHE

ASSETS = sorted(p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.suffix in {".css", ".js"})


@pytest.mark.parametrize("asset", ASSETS)
def test_every_text_asset_is_sent_gzipped_and_cached(client, asset):
    r = client.get(f"/static/{asset}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["cache-control"] == CACHE and r.headers["vary"] == "Accept-Encoding"
    assert r.content == (STATIC_DIR / asset).read_bytes()  # httpx has decompressed it
    assert int(r.headers["content-length"]) < len(r.content)


def test_a_browser_that_takes_no_gzip_gets_the_file_as_it_is(client):
    r = client.get("/static/css/app.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and r.headers["cache-control"] == CACHE
    assert r.content == (STATIC_DIR / "css" / "app.css").read_bytes()


def test_an_unchanged_asset_is_not_sent_again(client):
    etag = client.get("/static/js/mixer/page.js").headers["etag"]
    assert client.get("/static/js/mixer/page.js", headers={"If-None-Match": etag}).status_code == 304
