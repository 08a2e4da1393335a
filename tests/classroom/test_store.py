"""The image store keeps u8 pixels, checks ids in full, and limits the new images one client may add."""

import re

from fastapi.testclient import TestClient
import numpy as np
import pytest
import torch

from app.config import get_settings
from app.core.errors import InputError
from app.main import create_app
from app.store import ImageStore, TooManyUploads
from tests import corpus


def test_images_are_kept_as_u8_and_given_back_as_float32(tmp_path):
    store = ImageStore(tmp_path, max_items=4)
    image = torch.rand(3, 5, 7, generator=torch.Generator().manual_seed(0))
    image_id = store.put(image)
    kept = np.load(tmp_path / f"{image_id}.npy")
    assert kept.dtype == np.uint8 and kept.shape == (3, 5, 7)
    back = store.get(image_id)
    assert back.dtype == torch.float32
    assert torch.equal(back, (image * 255).round() / 255)
    assert (back - image).abs().max() <= 0.5 / 255 + 1e-7


def test_an_id_must_match_in_full(tmp_path):
    store = ImageStore(tmp_path, max_items=4)
    image_id = store.put(torch.zeros(3, 2, 2))
    with pytest.raises(InputError) as error:
        store.get(image_id + "\n")
    assert error.value.field == ("input", "image_id")
    assert error.value.message == "image ids are 32 lowercase hex digits"


def test_one_client_may_add_per_minute_new_images_across_workers(tmp_path):
    first, second = ImageStore(tmp_path, 64, per_minute=3), ImageStore(tmp_path, 64, per_minute=3)
    images = [torch.full((3, 2, 2), i / 8) for i in range(5)]
    first.put(images[0], client="10.0.0.7")
    second.put(images[1], client="10.0.0.7")  # another worker: the same count
    first.put(images[2], client="10.0.0.7")
    first.put(images[0], client="10.0.0.7")  # already stored: costs nothing
    with pytest.raises(TooManyUploads) as refused:
        second.put(images[3], client="10.0.0.7")
    retry = refused.value.retry_after_s
    assert 1 <= retry <= 60
    assert refused.value.field == ("file",)
    assert refused.value.message == f"over the limit of 3 new images a minute from one address; retry in {retry} s"
    assert re.fullmatch(r"[0-9a-f]{32}", first.put(images[4], client="10.0.0.8"))  # another student is unaffected
    assert len(list(tmp_path.glob("*.npy"))) == 4


def test_without_a_client_or_a_limit_nothing_is_counted(tmp_path):
    store = ImageStore(tmp_path, 64, per_minute=0)
    for i in range(5):
        store.put(torch.full((3, 1, 1), i / 8), client="10.0.0.7")
    assert list((tmp_path / "clients").iterdir()) == []


def test_the_upload_route_answers_429_with_retry_after_past_the_clients_limit(monkeypatch, tmp_path):
    monkeypatch.setenv("POINTWISE_UPLOADS_PER_MINUTE", "2")
    monkeypatch.setenv("POINTWISE_STORE_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        client = TestClient(create_app())
        answers = [
            client.post("/api/images", files={"file": ("p.png", corpus.png_rgb(4, 4, (n, 0, 0)), "image/png")})
            for n in range(3)
        ]
    finally:
        get_settings.cache_clear()
    assert [r.status_code for r in answers] == [200, 200, 429]
    retry = answers[2].headers["retry-after"]
    assert answers[2].json() == {
        "detail": f"file: over the limit of 2 new images a minute from one address; retry in {retry} s"
    }
    assert "content-security-policy" in answers[2].headers
