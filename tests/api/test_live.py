"""WebSocket /api/live: settings in as JSON, camera frames in as u8 RGB, the answer of POST /api/mix
on the same pixels out; every refusal closes the one stream that earned it, with a reason."""

import io
import json
import struct

import numpy as np
from PIL import Image
import pytest

from app.api.live import STREAMS
from app.config import get_settings
from app.lab.mixer.live import unpack
from app.main import app

SETTINGS = {
    "features": "bank",
    "out_channels": 16,
    "weight": {"init": "random", "seed": 3},
    "activation": "relu",
    "explain_channel": 2,
    "probe": {"row": 20, "col": 30},
    "include_contributions": False,
}


def pixels(height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def frame(rgb: np.ndarray) -> bytes:
    height, width, _ = rgb.shape
    return struct.pack("<HH", width, height) + rgb.tobytes()


@pytest.fixture
def limits():
    """Settings for one test: `limits(live_streams=0)` serves every route with them."""

    def use(**changes):
        settings = get_settings().model_copy(update=changes)
        app.dependency_overrides[get_settings] = lambda: settings

    yield use
    app.dependency_overrides.pop(get_settings, None)


def closed(ws) -> dict:
    """Messages up to the close: the last text message and the close's code and reason."""
    text = None
    while True:
        message = ws.receive()
        if message["type"] == "websocket.close":
            return {"text": text, "code": message["code"], "reason": message.get("reason", "")}
        if message.get("text") is not None:
            text = json.loads(message["text"])


def test_a_frame_gets_the_answer_of_api_mix_on_the_same_pixels(client):
    rgb = pixels()
    png = io.BytesIO()
    Image.fromarray(rgb).save(png, format="PNG")
    stored = client.post("/api/images", files={"file": ("frame.png", png.getvalue(), "image/png")}).json()
    upload = {"source": "upload", "image_id": stored["image_id"]}
    expected = client.post("/api/mix", json={**SETTINGS, "input": upload, "encoding": "u8"}).json()
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps(SETTINGS))
        ws.send_bytes(frame(rgb))
        answer = unpack(ws.receive_bytes())
    assert answer.pop("server_ms") >= 0
    assert answer == expected


def test_new_settings_change_the_next_frame(client):
    rgb = pixels()
    weights = [[0.0] * 10 for _ in range(2)]
    weights[0][0] = 1.0  # y0 = red
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"features": "bank", "weight": {"values": weights}}))
        ws.send_bytes(frame(rgb))
        first = unpack(ws.receive_bytes())
        weights[0][0], weights[0][1] = 0.0, 2.0  # y0 = 2·green
        ws.send_text(json.dumps({"features": "bank", "weight": {"values": weights}}))
        ws.send_bytes(frame(rgb))
        second = unpack(ws.receive_bytes())
    assert first["weight"]["values"][0][:2] == [1.0, 0.0]
    assert second["weight"]["values"][0][:2] == [0.0, 2.0]
    assert first["output"]["maps"]["bdata"] != second["output"]["maps"]["bdata"]
    green = rgb[..., 1].astype(int)
    assert second["output"]["maps"]["scale"][0] == pytest.approx(2 * (green.max() - green.min()) / 255 / 255)


@pytest.mark.parametrize(
    ("settings", "loc"),
    [
        ({"out_channels": 99}, ["out_channels"]),
        ({"input": {"source": "sample", "name": "scene"}}, ["input"]),
        ({"weight": {"values": [[1, 2]]}}, ["weight", "values"]),
        ({"explain_channel": 4}, ["explain_channel"]),
    ],
)
def test_refused_settings_are_named_and_the_stream_goes_on(client, settings, loc):
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps(SETTINGS))
        ws.send_text(json.dumps(settings))
        refusal = ws.receive_json()
        assert refusal["type"] == "refused" and refusal["loc"] == loc and refusal["detail"]
        ws.send_bytes(frame(pixels()))  # the last good settings still hold
        assert unpack(ws.receive_bytes())["output"]["shape"] == [16, 48, 64]


def test_a_probe_outside_the_frame_is_refused_as_that_frames_answer(client):
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({**SETTINGS, "probe": {"row": 100, "col": 0}}))
        ws.send_bytes(frame(pixels()))
        assert ws.receive_json()["loc"] == ["probe", "row"]
        ws.send_text(json.dumps(SETTINGS))
        ws.send_bytes(frame(pixels()))
        assert unpack(ws.receive_bytes())["probe"]["row"] == 20


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x01", "starts with its width and height"),
        (struct.pack("<HH", 0, 10), "each side must be 1 … 256"),
        (struct.pack("<HH", 300, 10) + bytes(9000), "each side must be 1 … 256"),
        (struct.pack("<HH", 8, 8) + bytes(100), "a 8×8 frame is 196 bytes"),
    ],
)
def test_a_bad_frame_closes_its_stream_with_the_reason(client, data, words):
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps(SETTINGS))
        ws.send_bytes(data)
        end = closed(ws)
    assert end["code"] == 1008 and words in end["reason"] and words in end["text"]["detail"]
    assert end["text"]["type"] == "error"
    with client.websocket_connect("/api/live") as ws:  # everyone else is still served
        ws.send_text(json.dumps(SETTINGS))
        ws.send_bytes(frame(pixels()))
        assert unpack(ws.receive_bytes())["output"]["shape"] == [16, 48, 64]


def test_settings_over_the_body_limit_close_the_stream(client, limits):
    limits(max_body_bytes=100)
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({**SETTINGS, "weight": {"values": [[0.5] * 10] * 16}}))
        end = closed(ws)
    assert end["code"] == 1008 and "over the limit of 100" in end["reason"]


def test_a_frame_before_the_settings_is_refused(client):
    with client.websocket_connect("/api/live") as ws:
        ws.send_bytes(frame(pixels()))
        end = closed(ws)
    assert end["code"] == 1008 and "settings" in end["reason"]


def test_a_frame_sent_before_the_last_was_answered_is_too_fast(client):
    big = pixels(256, 256)
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({**SETTINGS, "out_channels": 64}))
        for _ in range(3):
            ws.send_bytes(frame(big))
        end = closed(ws)
    assert end["code"] == 1008 and "too fast" in end["reason"]


def test_more_frames_a_second_than_allowed_are_too_fast(client, limits):
    limits(live_max_fps=2)
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps({"features": "rgb", "out_channels": 1}))
        for _ in range(10):  # tiny frames, each answered: the third within a second is one too many
            ws.send_bytes(frame(pixels(1, 1)))
            message = ws.receive()
            if message["type"] == "websocket.close" or message.get("text"):
                break
        end = message if message["type"] == "websocket.close" else closed(ws)
    assert end["code"] == 1008 and "over 2 frames a second" in end["reason"]


def test_one_stream_per_address(client):
    with client.websocket_connect("/api/live") as first:
        with client.websocket_connect("/api/live") as second:
            end = closed(second)
        assert end["code"] == 1013 and "already has a live stream" in end["reason"]
        first.send_text(json.dumps(SETTINGS))
        first.send_bytes(frame(pixels()))
        assert unpack(first.receive_bytes())["output"]["shape"] == [16, 48, 64]


def test_a_full_worker_refuses_with_try_again_later(client, limits):
    limits(live_streams=0)
    with client.websocket_connect("/api/live") as ws:
        end = closed(ws)
    assert end["code"] == 1013 and end["reason"].startswith("busy: 0 live streams")


def test_a_stream_that_ends_frees_its_place(client):
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps(SETTINGS))
        ws.send_bytes(frame(pixels()))
        ws.receive_bytes()
        assert STREAMS.addresses == {"testclient"}
    with client.websocket_connect("/api/live") as ws:
        ws.send_text(json.dumps(SETTINGS))
        ws.send_bytes(frame(pixels()))
        ws.close()  # the tab closes with a frame in flight
    assert STREAMS.addresses == set()
