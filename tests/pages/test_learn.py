import json
import re
import time

import pytest

from app.config import get_settings
from app.pages.templating import LANGUAGES, page_text

S = get_settings()


def data_block(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="learn-data">(.*?)</script>', page, re.S).group(1))


def test_the_data_block_holds_the_requests_of_the_state(client):
    data = data_block(client.get("/learn?tgt=random&tc=2&layers=2&hid=8&R=9&feat=bank&std=1").text)
    learn = data["requests"]["learn"]
    assert learn["target"] == {"random": {"out_channels": 2, "seed": 1}}
    assert learn["hidden"] == 8 and learn["max_side"] == 128 and learn["features"] == "bank"
    one, two = data["requests"]["compare"]
    assert one["target_activation"] == two["target_activation"] == "relu"
    assert one["hidden"] is None and two["hidden"] == 8
    assert data["requests"]["reduce"]["rank"] == 9 and data["requests"]["reduce"]["standardise"] is True
    assert data["requests"]["autoencoder"]["target"] == {"autoencoder": {"rank": 9, "standardise": True}}
    assert data["state"]["tgt"] == "random" and data["defaults"]["tgt"] == "grayscale"


def test_data_learn_answers_the_same_requests(client):
    page = data_block(client.get("/learn?opt=sgd&lr=0.3").text)
    r = client.get("/data/learn?opt=sgd&lr=0.3")
    assert r.status_code == 200
    assert r.json() == {"state": page["state"], "requests": page["requests"]}


def test_the_rank_is_at_most_cin(client):
    data = data_block(client.get("/learn?R=9").text)  # RGB: Cin = 3
    assert data["requests"]["reduce"]["rank"] == 3


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("steps=99999", "steps", "99999 steps is over the limit of 5000"),
        ("layers=2&hid=65", "hid", "a hidden width of 65 is over the limit of 64"),
        ("lr=0", "lr", "greater than 0"),
        ("tgt=explicit", "TW", "tgt=explicit needs the target weights TW"),
        ("tgt=explicit&TW=1,2", "TW", "W* must be Cout×Cin with Cin = 3"),
        ("tgt=explicit&TW=1,2,3&TB=1,2", "TB", "b* must have Cout = 1 values"),
        ("tgt=explicit&TW=1,x,3", "TW", "could not convert"),
        ("tgt=sepia&in=random", "tgt", "mixes red, green and blue"),
        ("tgt=random&tc=65", "tc", "over the limit of 64"),
        ("in=upload", "img", "in=upload needs the image id img"),
        ("lang=fr", "lang", "'fr' is not a language of Pointwise"),
    ],
)
def test_bad_states_are_refused_naming_the_parameter(client, query, parameter, message):
    paths = ["/learn", "/export/learn.html"] + ([] if parameter == "lang" else ["/data/learn"])  # data has no text
    for path in paths:
        r = client.get(f"{path}?{query}", headers={"Accept": "application/json"})
        assert r.status_code == 422, (path, r.text[:200])
        detail = r.json()["detail"][0]
        assert detail["loc"] == ["query", parameter]
        assert message in detail["msg"]


def test_the_export_is_self_contained_and_holds_the_runs(client):
    r = client.get("/export/learn.html?cmp=1&steps=60&lang=zh")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="pointwise-learn.html"'
    page = r.text
    assert not re.search(r"<script[^>]*\bsrc=", page) and not re.search(r"<link[^>]*href=", page)
    assert "import {" not in page and "学出来的通道混合" in page
    data = json.loads(re.search(r'id="pointwise-data">(.*?)</script>', page, re.S).group(1))
    assert data["learn"]["history"]["steps"] == [0, 10, 20, 30, 40, 50, 60]
    assert data["learn"]["done"]["step"] == 60
    assert [run["start"].get("layers") is None for run in data["compare"]] == [True, False]
    assert data["reduce"]["rank"] == 2 and data["autoencoder"]["start"]["pca"]["rank"] == 2


# The heaviest export: four runs of 64 → 64 → 64 at 128×128; it trained for 16–25 s and
# answered 32 MB before the export's bounds.
HEAVIEST = "in=random&rc=64&rh=128&rw=128&tgt=random&tc=64&layers=2&hid=64&cmp=1&steps=500&every=1&R=64"


@pytest.mark.parametrize(
    ("query", "status", "parameter", "message"),
    [
        (
            HEAVIEST,
            422,
            "steps",
            f"steps × H·W × weights = 248302796800 in all, over one training's work limit of {S.max_train_work}",
        ),
        (
            "feat=bank&cmp=1&layers=2&hid=64&steps=2000&every=2",  # 62 s under load, each run within the API's limits
            422,
            "steps",
            f"the export trains 4 runs (the autoencoder's 600 steps among them): steps × H·W = 108134400 in all, over "
            f"one training's limit of {S.max_train_pixel_steps}",
        ),
        (
            "in=random&rc=64&rh=128&rw=128&tgt=random&tc=64&steps=1&every=1&R=4",  # 19.5 MB of file, little training
            413,
            "in",
            f"the export's maps would be about 14068394 bytes, over the limit of {S.max_export_bytes}",
        ),
    ],
)
def test_an_exports_trainings_and_maps_are_bounded_before_any_work(client, query, status, parameter, message):
    started = time.monotonic()
    r = client.get(f"/export/learn.html?{query}")
    assert time.monotonic() - started < 2  # refused before training
    assert r.status_code == status
    if status == 422:
        (detail,) = r.json()["detail"]
        assert detail["loc"] == ["query", parameter]
        assert message in detail["msg"]
    else:
        assert r.json()["detail"].startswith(f"query.{parameter}: {message}")


def test_an_export_within_its_bounds_is_no_larger_than_they_say(client):
    r = client.get("/export/learn.html?in=random&rc=20&rh=128&rw=128&tgt=random&tc=20&steps=1&every=1&R=4&cmp=1")
    assert r.status_code == 200
    base = len(client.get("/export/learn.html?in=random&rc=1&rh=1&rw=1&tgt=random&tc=1&steps=1&every=1&R=1").content)
    assert len(r.content) - base <= S.max_export_bytes


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_learn_page_says_what_is_true(language):
    text = json.dumps(page_text("learn", language), ensure_ascii=False)
    wrong = (
        "throws information away",
        "一定会丢掉信息",
        "large values",
        "数值大的",
        "learned compression",
        "学出来的压缩",
    )
    for phrase in (*wrong, "the W of smallest norm", "arrive there", "走到那里"):
        assert phrase not in text, phrase
    for phrase in ("Eckart–Young", "R = 9", "[W b]", "BatchNorm", "ReLU", "SGD", "Adam"):
        assert phrase in text, phrase
    verdict = page_text("cost", language)["script"]["bottleneck"]["verdict"]
    assert "{wider}" in verdict and "宽了 {wider} 倍" not in verdict
