import contextlib
import json
import socket
import time

import httpx
import pytest
import torch

from app.core.learn import least_squares, train
from app.lab.encoding import decode
from benchmarks.hostile import dockerfile_server
from tests.live import server

G = torch.Generator().manual_seed(7)
X = torch.rand(3, 6, 5, generator=G)  # (Cin, H, W) as the request's "values"
VALUES = {"source": "values", "values": X.tolist()}
LUMA = [0.299, 0.587, 0.114]


def body(**changes):
    return {"input": VALUES, "target": {"weight": [LUMA]}, "steps": 40, "every": 10, "encoding": "json"} | changes


def close(got, expected, atol=1e-6):
    got, expected = torch.tensor(got, dtype=torch.float64), torch.as_tensor(expected).double()
    torch.testing.assert_close(got, expected, atol=atol, rtol=0)


def events(text: str) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body: blocks of `event:` and `data:` lines."""
    parsed = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        parsed.append((lines["event"], json.loads(lines["data"])))
    return parsed


def stream(client, request: dict) -> list[tuple[str, dict]]:
    r = client.post("/api/learn", json=request)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    return events(r.text)


def test_stream_events_parse_and_follow_the_training(client):
    got = stream(client, body())
    assert [name for name, _ in got] == ["progress"] * 4 + ["done"]
    assert [event["step"] for _, event in got] == [0, 10, 20, 30, 40]
    # Exactly what the core's training gives for the same tensors and seed.
    x = torch.tensor(X.tolist())
    target = torch.tensor([LUMA]) @ x.reshape(3, -1)
    expected = list(train(x, target.reshape(1, 6, 5), steps=40, every=10))
    for (_, event), progress in zip(got, expected, strict=True):
        assert event["loss"] == pytest.approx(progress.loss, rel=1e-6)
        close(event["weight"], progress.layers[0][0])
        close(event["bias"], progress.layers[0][1])
    first, done = got[0][1], got[-1][1]
    close(first["target_weight"], [LUMA])
    assert first["target_bias"] == [0]
    assert first["channel_names"] == ["x0", "x1", "x2"]
    assert decode(first["input"]) == pytest.approx(X.numpy())
    fit = least_squares(x, target.reshape(1, 6, 5))
    for event in (first, done):
        close(event["least_squares"]["weight"], fit.weight)
        assert event["least_squares"]["loss"] == pytest.approx(fit.loss, abs=1e-12)
    assert set(done) == {"step", "loss", "weight", "bias", "least_squares", "output", "target"}
    assert decode(done["target"]) == pytest.approx(target.reshape(1, 6, 5).numpy(), abs=1e-6)
    assert decode(done["output"]) == pytest.approx(expected[-1].output.numpy(), abs=1e-6)


def test_two_layers_report_their_layers(client):
    got = stream(client, body(hidden=4, target={"random": {"out_channels": 2, "seed": 3}}, target_activation="relu"))
    layers = got[-1][1]["layers"]
    assert [(len(layer["weight"]), len(layer["weight"][0]), len(layer["bias"])) for layer in layers] == [
        (4, 3, 4),
        (2, 4, 2),
    ]
    assert "weight" not in got[-1][1]


def test_accept_json_answers_the_done_object_alone(client):
    streamed = stream(client, body())[-1][1]
    r = client.post("/api/learn", json=body(), headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == streamed


def test_the_autoencoder_reaches_the_pca_bound(client):
    request = body(target={"autoencoder": {"rank": 2}}, lr=0.02, steps=600, every=100)
    done = client.post("/api/learn", json=request, headers={"Accept": "application/json"}).json()
    assert done["pca"]["rank"] == 2 and done["pca"]["standardised"] is False
    curve = client.post("/api/reduce", json={"input": VALUES, "encoding": "json"}).json()
    assert done["pca"]["loss"] == pytest.approx(curve["loss"][1])
    assert done["pca"]["loss"] * (1 - 1e-5) <= done["loss"] <= done["pca"]["loss"] * 1.05  # float32 rounding


def test_reduce_matches_eigh_of_the_channel_covariance(client):
    r = client.post("/api/reduce", json={"input": VALUES, "rank": 2, "encoding": "json"})
    assert r.status_code == 200
    answer = r.json()
    eigenvalues = torch.linalg.eigh(torch.cov(X.reshape(3, -1).double(), correction=0)).eigenvalues.flip(0)
    ratio = (eigenvalues / eigenvalues.sum()).tolist()
    assert answer["ranks"] == [1, 2, 3]
    assert answer["explained_variance_ratio"] == pytest.approx(ratio, abs=1e-7)
    assert answer["relative_error"] == pytest.approx([1 - ratio[0], ratio[2], 0], abs=1e-7)
    assert answer["relative_error"][-1] == 0
    components = torch.tensor(answer["components"])
    close((components @ components.T).tolist(), torch.eye(2))
    assert len(answer["reduced"]) == 2 and len(answer["reconstruction"]) == 3
    curve = client.post("/api/reduce", json={"input": VALUES}).json()
    assert "components" not in curve and curve["relative_error"] == answer["relative_error"]


RANDOM_128 = {"source": "random", "channels": 10, "height": 128, "width": 128}
HIDDEN = {"random": {"out_channels": 3, "seed": 1}}


@pytest.mark.parametrize(
    ("changes", "loc", "message"),
    [
        ({"steps": 5001}, ["steps"], "5001 steps is over the limit of 5000"),
        (
            {"input": RANDOM_128, "target": HIDDEN, "steps": 4001},
            ["steps"],
            "steps × H·W = 4001 × 16384 is over the limit of 65536000",
        ),
        ({"steps": 5000, "every": 1}, ["every"], "make 5000 progress events, over the limit of 1000"),
        ({"hidden": 65}, ["hidden"], "a hidden width of 65 is over the limit of 64"),
        (
            {"input": RANDOM_128 | {"channels": 64}, "hidden": 64, "steps": 2000, "target": HIDDEN},
            ["steps"],
            "steps × H·W × weights = 2000 × 16384 × 4288 is over the training work limit of 67108864000",
        ),
        ({"lr": 0}, ["lr"], "greater than 0"),
        ({"lr": -1}, ["lr"], "greater than 0"),
        ({"momentum": 1}, ["momentum"], "less than 1"),
        ({"noise": -0.1}, ["noise"], "greater than or equal to 0"),
        ({"optimizer": "lbfgs"}, ["optimizer"], "'adam' or 'sgd'"),
        ({"target": {"preset": "blur"}}, ["target", "preset", "preset"], "'grayscale'"),
        (
            {"input": {"source": "random", "channels": 4}, "target": {"preset": "grayscale"}},
            ["target", "preset"],
            "preset 'grayscale' mixes red, green and blue",
        ),
        ({"target": {"random": {"out_channels": 65}}}, ["target", "random", "out_channels"], "over the limit of 64"),
        ({"target": {"weight": [[1, 2]]}}, ["target", "weight"], "W* must be Cout×Cin with Cin = 3, not [1, 2]"),
        ({"target": {"weight": [[1, 2, 3]], "bias": [0, 1]}}, ["target", "bias"], "b* must have Cout = 1 values"),
        ({"target": {"autoencoder": {"rank": 4}}}, ["target", "autoencoder", "rank"], "rank 4 is over Cin = 3"),
        ({"target": {"autoencoder": {"rank": 2}}, "hidden": 2}, ["hidden"], "its rank: leave hidden out"),
        ({"target": {"autoencoder": {"rank": 2}}, "noise": 0.1}, ["noise"], "no noise on the target"),
        ({"input": {"source": "sample", "name": "scene"}, "max_side": 513}, ["max_side"], "over the limit of 512"),
        ({"seed": 0, "colour": "red"}, ["colour"], "Extra inputs are not permitted"),
    ],
)
def test_refusals_name_the_field_and_the_limit(client, changes, loc, message):
    for accept in ("text/event-stream", "application/json"):
        r = client.post("/api/learn", json=body(**changes), headers={"Accept": accept})
        assert r.status_code == 422, r.text[:300]
        detail = r.json()["detail"][0]
        assert detail["loc"] == ["body", *loc]
        assert message in detail["msg"]


def test_an_unknown_sample_is_a_404(client):
    for accept in ("text/event-stream", "application/json"):
        r = client.post("/api/learn", json=body(input={"source": "sample", "name": "moon"}), headers={"Accept": accept})
        assert r.status_code == 404
        assert r.json() == {"detail": "input.name: no sample named 'moon'; the samples are shapes, wheel, scene"}


def test_divergence_is_an_error_event_or_a_422(client):
    request = body(optimizer="sgd", lr=100, target={"random": {"out_channels": 2}})
    got = stream(client, request)
    assert got[-1][0] == "error"
    assert got[-1][1]["detail"][0]["loc"] == ["body", "lr"]
    assert "diverged" in got[-1][1]["detail"][0]["msg"]
    r = client.post("/api/learn", json=request, headers={"Accept": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "lr"]


def test_reduce_refuses_a_rank_over_cin(client):
    r = client.post("/api/reduce", json={"input": VALUES, "rank": 4})
    assert r.status_code == 422
    assert r.json()["detail"][0] == {
        "loc": ["body", "rank"],
        "msg": "rank 4 is over Cin = 3: a reduction keeps at most Cin channels",
        "type": "value_error",
    }


# About 20 s of training on one core if nothing stopped it: 10 → 64 → 16 at 128×128.
LONG = {
    "input": RANDOM_128,
    "target": {"random": {"out_channels": 16}},
    "hidden": 64,
    "steps": 2400,
    "every": 10,
}


def test_a_disconnecting_client_stops_the_run(tmp_path):
    """One training slot and no queue: while a run streams, another is refused with a 503; once
    its client has gone, the run stops within a step and the slot is free again."""
    env = {"POINTWISE_STORE_DIR": str(tmp_path), "POINTWISE_TRAIN_SLOTS": "1", "POINTWISE_TRAIN_QUEUE": "0"}
    short = body(steps=5)
    with server("app.main:app", env=env) as running, httpx.Client(base_url=running.url, timeout=30) as http:
        with http.stream("POST", "/api/learn", json=LONG) as r:
            assert r.status_code == 200
            lines = r.iter_lines()
            assert next(lines) == "event: progress"
            assert json.loads(next(lines).removeprefix("data: "))["step"] == 0
            busy = http.post("/api/learn", json=short)
            assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
        wait_for_the_slot(http, short)
        # The same for a client that asked for the done object alone and gave up waiting for it.
        with httpx.Client(base_url=running.url, timeout=1) as impatient, pytest.raises(httpx.ReadTimeout):
            impatient.post("/api/learn", json=LONG, headers={"Accept": "application/json"})
        wait_for_the_slot(http, short)


def wait_for_the_slot(http: httpx.Client, short: dict) -> None:
    left = time.monotonic()
    while (answer := http.post("/api/learn", json=short)).status_code == 503:
        assert time.monotonic() - left < 5, "the run kept its slot after its client left"
        time.sleep(0.05)
    assert answer.status_code == 200


def test_a_stream_nobody_reads_is_dropped_and_its_slot_goes_to_the_next_student(tmp_path):
    """A client that asks for a long run's stream and then reads nothing is dropped once its events
    have filled the connection's buffers (send_buffer_bytes bounds the server's) and send_stall_s
    has passed: its run stops and another student's training, queued behind it, is answered long
    before the run would have ended. Before send_buffer_bytes the kernel's send buffer grew to 4 MB
    and took 11 s of events first. Served as `python -m app serve` runs (the buffer is set there)."""
    stall_s = 1
    settings = {"train_slots": "1", "train_queue": "1", "send_stall_s": str(stall_s)}
    with (
        dockerfile_server(tmp_path, workers=1, **settings) as running,
        httpx.Client(base_url=running.url, timeout=60) as http,
    ):
        port = int(running.url.rsplit(":", 1)[1])
        with socket.socket() as reader:
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.connect(("127.0.0.1", port))
            payload = json.dumps(LONG).encode()
            head = b"POST /api/learn HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            head += f"Content-Length: {len(payload)}\r\n\r\n".encode()
            reader.sendall(head + payload)
            reader.settimeout(30)
            assert reader.recv(256).startswith(b"HTTP/1.1 200")  # training has begun; now it reads nothing
            started = time.monotonic()
            answer = http.post("/api/learn", json=body(steps=5))  # queued behind the stalled stream
            waited = time.monotonic() - started
            assert answer.status_code == 200
            assert events(answer.text)[-1][0] == "done"
            # LONG trains for about 20 s: the slot came from the drop, not from the run's end.
            assert waited < stall_s + 6, f"the next student waited {waited:.1f} s for the training slot"
            # The dropped stream ends without its done event: the server closed the connection.
            reader.settimeout(10)
            received = b""
            with contextlib.suppress(ConnectionError):
                while chunk := reader.recv(1 << 20):
                    received += chunk
            assert b"event: done" not in received
