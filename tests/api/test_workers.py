"""Uploads work when several worker processes share the load: the store lives on disk."""

import httpx

from tests import corpus
from tests.live import server


def test_an_upload_is_seen_by_every_worker(tmp_path):
    with server("app.main:app", workers=2, env={"POINTWISE_STORE_DIR": str(tmp_path)}) as running:
        files = {"file": ("p.png", corpus.png_rgb(12, 8), "image/png")}
        image_id = httpx.post(f"{running.url}/api/images", files=files, timeout=30).json()["image_id"]
        body = {"input": {"source": "upload", "image_id": image_id}, "encoding": "json"}
        # New connections are spread over both workers; each must find the image.
        statuses = [httpx.post(f"{running.url}/api/mix", json=body, timeout=30).status_code for _ in range(12)]
    assert statuses == [200] * 12
