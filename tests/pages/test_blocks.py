import contextlib
import io
import json
import os
import re

import pytest
import torch

from app.lab.encoding import decode


def data_block(page: str, name: str = "blocks-data") -> dict:
    return json.loads(re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', page, re.S).group(1))


def test_the_data_block_holds_the_parsed_state_and_each_kinds_widths(client):
    data = data_block(client.get("/blocks?b=mlpconv&c=32,16,8&k=3&side=40").text)
    assert data["state"]["b"] == "mlpconv"
    assert data["state"]["c"] == [32, 16, 8]
    assert data["kinds"]["inception"] == {"cin": 192, "c1": 64, "c3r": 96, "c3": 128, "c5r": 16, "c5": 32, "pp": 32}
    assert data["kinds"]["bottleneck"] == {"cin": 256, "mid": 64, "cout": 256}
    assert data["limits"]["max_block_channels"] == 512
    assert data["text"]["one_by_one"] == "1×1"


def test_the_data_route_runs_the_block_the_query_names(client):
    query = "b=bottleneck_down&cin=16&mid=4&cout=32&in=random&side=12&rs=3&seed=5&node=downsample.0&ch=7&mc=4"
    answer = client.get(f"/data/blocks?{query}").json()
    block = {"kind": "bottleneck_down", "in_channels": 16, "bottleneck_channels": 4, "out_channels": 32, "stride": 2}
    body = {
        "block": block,
        "input": {"source": "random", "channels": 16, "height": 12, "width": 12, "seed": 3},
        "max_side": 12,
        "seed": 5,
        "map_channels": 4,
        "explain": {"stage": "downsample.0", "channel": 7},
    }
    assert answer == client.post("/api/block", json=body).json()
    assert answer["explain"]["channel"] == 7
    assert [s["shape"][0] for s in answer["stages"]][-1] == 32
    assert all(decode(s["maps"]).shape[0] == 4 for s in answer["stages"])


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        (
            "cout=128",
            "cout",
            "the identity shortcut adds the input to the branch, so out_channels must equal in_channels = 256, "
            "not 128 (bottleneck_down has a projection shortcut)",
        ),
        ("b=inception&c3=600", "c3", "600 channels is over the limit of 512"),
        ("b=inverted_residual&t=30", "t", "the hidden width t·in_channels = 30·24 = 720 is over the limit of 512"),
        (
            "node=bn9",
            "node",
            "'bn9' is not a stage of this block: "
            + ", ".join(["input", "conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3", "add", "relu3"]),
        ),
        ("node=conv1&ch=64", "ch", "channel 64 does not exist: conv1 has 64"),
        ("b=resnext", "b", None),
        ("side=0", "side", None),
        ("mc=5", "mc", None),
        ("in=upload", "img", "in=upload needs the image id img"),
        ("wid=" + "1" * 32, "wid", None),
        ("b=mlpconv&cin=3&feat=bank", "cin", None),
        ("side=512&cin=512&mid=512&cout=512", "side", None),
    ],
)
def test_a_bad_query_is_refused_naming_its_parameter(client, query, parameter, message):
    r = client.get(f"/data/blocks?{query}")
    assert r.status_code in (404, 422), r.text
    detail = r.json()["detail"]
    if r.status_code == 404:
        assert detail.startswith(f"query.{parameter}: ")
        return
    assert detail[0]["loc"] == ["query", parameter]
    if message:
        assert detail[0]["msg"] == message
    page = client.get(f"/blocks?{query}", headers={"accept": "text/html"})
    if parameter not in ("ch", "wid", "cin", "side") or query.startswith("side=0"):
        assert page.status_code == 422
        assert f"<code>{parameter}</code>" in page.text


def test_the_copied_code_reproduces_every_stage_on_the_saved_input(client, tmp_path):
    query = "b=inception&cin=6&c1=2&c3r=3&c3=4&c5r=2&c5=3&pp=2&side=9&seed=4"
    answer = client.get(f"/data/blocks?{query}&mc=64").json()
    saved = client.get(f"/data/blocks/input.pt?{query}")
    assert saved.headers["content-disposition"] == 'attachment; filename="block-input.pt"'
    (tmp_path / "block-input.pt").write_bytes(saved.content)
    x = torch.load(tmp_path / "block-input.pt", weights_only=True)
    assert x.shape == (6, 9, 9)
    printed = io.StringIO()
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        with contextlib.redirect_stdout(printed):
            exec(compile(answer["code"], "copied.py", "exec"), namespace)  # the program the page copies
    finally:
        os.chdir(here)
    lines = printed.getvalue().splitlines()
    assert lines[-1] == "last stage == block(x): True"
    assert [line.split()[0] for line in lines[:-1]] == [s["name"] for s in answer["stages"]]
    for stage in answer["stages"]:
        maps = decode(stage["maps"])
        staged = namespace["stages"][stage["name"]][0].numpy()
        assert list(staged.shape) == stage["shape"]
        assert abs(maps - staged).max() <= 1.01 * max(stage["maps"]["scale"]) / 2 + 1e-6  # u8: half a step


def test_the_export_holds_every_stage_and_every_1x1_explained(client):
    r = client.get("/export/blocks.html?b=inception&side=14&lang=zh")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="pointwise-blocks.html"'
    page = r.text
    assert "<title>走进网络模块 · Pointwise</title>" in page
    assert not re.search(r"<script[^>]*\bsrc=", page) and not re.search(r"<link[^>]*href=", page)
    assert "import {" not in page
    data = data_block(page, "pointwise-data")
    answer = data["answer"]
    assert len(answer["stages"]) == 15
    assert sorted(answer["explains"]) == ["branch1", "branch2_reduce", "branch3_reduce", "branch4"]
    assert data["text"]["branch"] == "主分支"


def test_the_page_gives_the_state_dict_limit_not_the_json_body_limit():
    from app.config import Settings
    from app.lab.blocks.state import blocks, blocks_page_data

    settings = Settings()
    state, _ = blocks({}, settings)
    assert blocks_page_data(state, settings)["limits"]["max_weights_bytes"] == settings.max_weights_bytes
