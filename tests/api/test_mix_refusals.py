"""POST /api/mix refused: every bad request gets a 4xx whose detail names the field and the limit,
small whatever the input's size, and never echoes it."""

import json

import pytest

from app.errors import capped

X = [[[1, 2]], [[3, 4]]]  # (2, 1, 2)


def post(client, **body):
    return client.post("/api/mix", json={"input": {"source": "values", "values": X}, "encoding": "json", **body})


def detail(r):
    return r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"weight": {"values": [[1, 2, 3]]}}, ["body", "weight", "values"], "Cin = 2"),
        ({"weight": {"values": [[1], [1, 2]]}}, ["body", "weight", "values"], "rows of equal length"),
        ({"bias": {"values": [1, 2, 3]}, "weight": {"init": "identity"}}, ["body", "bias", "values"], "Cout = 2"),
        ({"explain_channel": 4}, ["body", "explain_channel"], "Cout = 4"),
        ({"probe": {"row": 1, "col": 0}}, ["body", "probe", "row"], "H = 1"),
        ({"probe": {"row": 0, "col": 2}}, ["body", "probe", "col"], "W = 2"),
        ({"out_channels": 65}, ["body", "out_channels"], "limit of 64"),
        ({"weight": {"preset": "sepia"}}, ["body", "weight", "preset"], "red, green and blue"),
        ({"weight": {"preset": "pca"}, "out_channels": 3}, ["body", "out_channels"], "at most Cin = 2"),
        ({"weight": {"preset": "nope"}}, ["body", "weight"], ""),
        ({"activation": "tanh"}, ["body", "activation"], "'none' or 'relu'"),
        ({"encoding": "xml"}, ["body", "encoding"], ""),
    ],
)
def test_bad_requests_name_the_field(client, body, loc, words):
    r = post(client, **body)
    assert r.status_code == 422
    assert any(e["loc"][: len(loc)] == loc and words in e["msg"] for e in detail(r)), detail(r)


@pytest.mark.parametrize(
    ("spec", "loc", "words"),
    [
        ({"source": "values", "values": [[[1, 2]], [[3]]]}, ["body", "input", "values"], "C×H×W"),
        ({"source": "values", "values": [[[]]]}, ["body", "input", "values"], "non-empty"),
        ({"source": "values", "values": [[[1e5]]]}, ["body", "input", "values"], "item [0][0][0] is not a number"),
        ({"source": "random", "channels": 65}, ["body", "input", "channels"], "limit of 64"),
        ({"source": "random", "height": 513}, ["body", "input", "height"], "limit of 512"),
        ({"source": "random", "channels": 0}, ["body", "input", "random", "channels"], "greater than or equal to 1"),
        ({"source": "random", "distribution": "cauchy"}, ["body", "input", "random", "distribution"], ""),
        ({"source": "upload", "image_id": "../../etc/passwd"}, ["body", "input", "image_id"], "32 lowercase hex"),
        ({"source": "camera"}, ["body", "input"], ""),
    ],
)
def test_bad_inputs_name_the_field(client, spec, loc, words):
    r = post(client, input=spec)
    assert r.status_code == 422
    assert any(e["loc"][: len(loc)] == loc and words in e["msg"] for e in detail(r)), detail(r)


def test_nan_and_infinity_are_refused(client):
    for token in ("NaN", "Infinity", "-Infinity"):
        content = '{"input": {"source": "values", "values": [[[' + token + "]]]}}"
        r = client.post("/api/mix", content=content, headers={"Content-Type": "application/json"})
        assert r.status_code == 422, token
        assert detail(r)[0]["loc"][:3] == ["body", "input", "values"]


def test_max_side_over_the_limit(client):
    r = client.post("/api/mix", json={"input": {"source": "sample", "name": "shapes"}, "max_side": 1024})
    assert r.status_code == 422
    assert detail(r) == [
        {"loc": ["body", "max_side"], "msg": "1024 pixels is over the limit of 512", "type": "value_error"}
    ]


def test_json_is_for_small_tensors(client):
    r = client.post(
        "/api/mix", json={"input": {"source": "sample", "name": "shapes"}, "encoding": "json", "out_channels": 64}
    )
    assert r.status_code == 422
    assert detail(r)[0]["loc"] == ["body", "encoding"] and "use 'base64' or 'u8'" in detail(r)[0]["msg"]


def test_unknown_sample_and_image_are_404(client):
    r = client.post("/api/mix", json={"input": {"source": "sample", "name": "moon"}})
    assert r.status_code == 404
    assert detail(r) == "input.name: no sample named 'moon'; the samples are shapes, wheel, scene"
    r = client.post("/api/mix", json={"input": {"source": "upload", "image_id": "0" * 32}})
    assert r.status_code == 404
    assert detail(r).startswith("input.image_id: image '00000000000000000000000000000000' is not stored")


def test_malformed_json_is_422(client):
    r = client.post("/api/mix", content="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    # The body is named, and the character where decoding failed.
    assert r.json() == {"detail": [{"loc": ["body", 1], "msg": "JSON decode error", "type": "json_invalid"}]}


def test_a_million_bad_values_are_one_small_refusal_not_a_million(client):
    """A 2 MB row of a million `true`s drew a 45 MB 422 after 21 s: now one error, at once."""
    body = '{"input":{"source":"sample","name":"shapes"},"weight":{"values":[[' + ",".join(["true"] * 400_000) + "]]}}"
    r = client.post("/api/mix", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert len(r.content) < 16 * 1024
    assert detail(r) == [
        {
            "loc": ["body", "weight", "values", "values"],
            "msg": "Value error, item [0][0] is not a number from -10000 to 10000",
            "type": "value_error",
        }
    ]


def test_a_hundred_thousand_unknown_keys_are_one_refusal_that_does_not_echo_them(client):
    keys = ",".join(f'"{"k" * 8}{i}":0' for i in range(100_000))
    r = client.post("/api/mix", content="{" + keys + "}", headers={"content-type": "application/json"})
    assert r.status_code == 422
    (error,) = detail(r)
    assert error["loc"] == ["body"]
    assert error["msg"].startswith("Value error, 100000 keys is over the limit of 13: this object takes input, ")
    assert "kkkkkkkk" not in r.text


def test_every_422_is_capped_at_16_kb_with_a_count_of_the_rest():
    errors = [{"loc": ["body", "x" * 10_000, i], "msg": "m" * 10_000, "type": "t"} for i in range(1000)]
    detail_ = capped(errors)
    assert len(json.dumps(detail_).encode()) <= 16 * 1024
    assert detail_[0]["loc"] == ["body", "x" * 64, 0] and detail_[0]["msg"] == "m" * 300
    assert detail_[-1] == {
        "loc": [],
        "msg": f"and {1001 - len(detail_)} more errors, not listed: correct these first",
        "type": "too_many_errors",
    }
