import time

import httpx
import numpy as np
import pytest
import torch

from app.config import get_settings
from app.lab.encoding import decode
from app.store import ImageStore
from benchmarks.hostile import jpeg_of_scans
from tests import corpus


def upload(client, data: bytes, name: str = "picture.png", kind: str = "image/png"):
    return client.post("/api/images", files={"file": (name, data, kind)})


def test_upload_then_mix(client):
    r = upload(client, corpus.png_rgb(8, 6, (255, 0, 0)))
    assert r.status_code == 200
    body = r.json()
    assert body["width"] == 8 and body["height"] == 6 and len(body["image_id"]) == 32
    mixed = client.post(
        "/api/mix", json={"input": {"source": "upload", "image_id": body["image_id"]}, "weight": {"preset": "swap_rb"}}
    ).json()
    out = decode(mixed["output"]["maps"])
    assert out.shape == (3, 6, 8)
    assert np.allclose(out[:, 0, 0], [0, 0, 1])  # red became blue


def test_same_pixels_same_id(client):
    a = upload(client, corpus.png_rgb(5, 5, (1, 2, 3))).json()["image_id"]
    b = upload(client, corpus.png_rgb(5, 5, (1, 2, 3))).json()["image_id"]
    assert a == b


# The corpus of odd uploads and the answer each one gets.
ACCEPTED = {
    "16-bit PNG": (corpus.png_16bit, 16, 4),
    "CMYK JPEG": (corpus.jpeg_cmyk, 8, 8),
    "animated GIF": (corpus.gif_animated, 6, 6),
    "palette PNG with transparency": (corpus.png_palette_transparent, 4, 2),
    "EXIF-rotated JPEG": (corpus.jpeg_rotated, 2, 4),
    "large PNG, shrunk": (lambda: corpus.png_rgb(2000, 1000), 512, 256),
}
REFUSED = {
    "empty": (b"", 415, "file: the file is empty"),
    "text named .png": (corpus.TEXT, 415, "file: not a supported image; send one of PNG, JPEG, GIF, WEBP"),
    "SVG with a script": (corpus.SVG, 415, "file: not a supported image; send one of PNG, JPEG, GIF, WEBP"),
    "truncated PNG": (corpus.truncated(corpus.png_rgb(64, 64)), 415, "file: the image could not be decoded"),
    "truncated JPEG": (corpus.truncated(corpus.jpeg_noise()), 415, "file: the image could not be decoded"),
    "PNG claiming 40000×40000": (corpus.png_claiming(40000, 40000), 413, "file: the image has too many pixels"),
    "PNG claiming 8000×8000": (
        corpus.png_claiming(8000, 8000),
        413,
        "file: the image is 8000×8000 = 64000000 pixels; the limit is 16000000",
    ),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_corpus_accepted(client, case):
    make, width, height = ACCEPTED[case]
    r = upload(client, make())
    assert r.status_code == 200, r.text
    assert (r.json()["width"], r.json()["height"]) == (width, height)


@pytest.mark.parametrize("case", list(REFUSED))
def test_corpus_refused(client, case):
    data, status, message = REFUSED[case]
    r = upload(client, data)
    assert r.status_code == status
    assert r.json()["detail"].startswith(message)


def test_upload_without_file_is_422(client):
    r = client.post("/api/images", data={"other": "x"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "file"]


def test_upload_over_the_byte_limit_is_413(client):
    limit = get_settings().max_upload_bytes
    r = upload(client, b"\x89PNG" + bytes(limit))
    assert r.status_code == 413
    assert "over the limit" in r.json()["detail"]


def test_json_body_over_the_limit_is_413_before_parsing(client):
    limit = get_settings().max_body_bytes
    r = client.post("/api/mix", content=b"[" + b"0," * limit + b"0]", headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": f"request body: over the limit of {limit} bytes"}


@pytest.mark.anyio
async def test_streamed_body_over_the_limit_is_413(client):
    """A body without a Content-Length is counted as it arrives and cut off at the limit, unread past it."""
    limit = get_settings().max_body_bytes
    sent: list[int] = []

    async def chunks():
        for _ in range(4 * limit // 65536):
            sent.append(65536)
            yield b" " * 65536

    transport = httpx.ASGITransport(app=client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as streaming:
        r = await streaming.post("/api/mix", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {"detail": f"request body: over the limit of {limit} bytes"}
    assert len(sent) == limit // 65536 + 1  # the chunk that went past the limit was the last one read


def test_store_is_shared_by_every_worker_and_bounded(tmp_path):
    first, second = ImageStore(tmp_path, max_items=2), ImageStore(tmp_path, max_items=2)
    images = [torch.full((3, 2, 2), i * 51 / 255) for i in range(3)]  # steps of 1/255: exact in the store's u8
    ids = [first.put(image) for image in images]
    assert torch.equal(second.get(ids[2]), images[2])  # another process sees the file
    with pytest.raises(Exception, match="is not stored"):
        second.get(ids[0])  # the least recently used went first
    assert len(list(tmp_path.glob("*.npy"))) == 2


def test_a_jpeg_of_thousands_of_scans_is_413_within_a_second(client):
    start = time.perf_counter()
    r = upload(client, jpeg_of_scans(5000), "scans.jpg", "image/jpeg")
    assert time.perf_counter() - start < 1
    assert r.status_code == 413
    assert r.json() == {"detail": "file: the JPEG has more scans than the limit of 64"}


def test_an_evicted_image_is_404_even_where_its_channels_are_cached(client):
    image_id = upload(client, corpus.png_rgb(7, 7, (9, 8, 7))).json()["image_id"]
    body = {"input": {"source": "upload", "image_id": image_id}, "weight": {"preset": "identity"}}
    assert client.post("/api/mix", json=body).status_code == 200  # its channels are now cached
    (get_settings().store_dir / f"{image_id}.npy").unlink()  # another worker evicted it
    r = client.post("/api/mix", json=body)
    assert r.status_code == 404
    assert r.json()["detail"] == (
        f"input.image_id: image '{image_id}' is not stored (it may have been evicted); upload it again"
    )
