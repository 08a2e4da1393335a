"""The pages' query strings: parsed and checked on the server, refused with a 422 naming the
parameter at every limit, and turned into the same /api/mix request as the page's own script."""

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from app.config import get_settings
from app.lab.mixer import state

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "mixer_requests.json").read_text(encoding="utf-8"))
SEED_MAX = 2**32 - 1
S = get_settings()


@pytest.mark.parametrize("case", GOLDEN, ids=lambda case: case["query"] or "defaults")
def test_golden_queries_make_the_golden_requests(case):
    """The same file pins static/js/mixer/state.js (tests/browser/test_golden.py)."""
    _, request = state.mixer(dict(parse_qsl(case["query"])), S)
    assert request.model_dump(mode="json") == case["request"]


def test_the_probe_is_the_one_asked_for_or_the_centre():
    _, request = state.mixer({"in": "random", "rh": "9", "rw": "5"}, S)
    assert (request.probe.row, request.probe.col) == (4, 2)
    _, request = state.mixer({"in": "random", "pr": "3", "pc": "1"}, S)
    assert (request.probe.row, request.probe.col) == (3, 1)


RANDOM = "in=random&rc=2&rh=8&rw=8&cout=4"
# (query at the limit, query past it, the parameter named, words of the message)
MIXER_LIMITS = [
    (f"in=random&rc={S.max_in_channels}&rh=8&rw=8", f"in=random&rc={S.max_in_channels + 1}", "rc", "over the limit"),
    (f"in=random&rc=1&rw=1&rh={S.max_side}", f"in=random&rh={S.max_side + 1}", "rh", "over the limit"),
    (f"in=random&rc=1&rh=1&rw={S.max_side}", f"in=random&rw={S.max_side + 1}", "rw", "over the limit"),
    (f"{RANDOM}&rc=1", f"{RANDOM}&rc=0", "rc", "greater than or equal to 1"),
    (f"cout={S.max_out_channels}", f"cout={S.max_out_channels + 1}", "cout", "over the limit"),
    ("cout=1", "cout=0", "cout", "greater than or equal to 1"),
    (f"rs={SEED_MAX}", f"rs={SEED_MAX + 1}", "rs", "less than or equal to"),
    (f"seed={SEED_MAX}", f"seed={SEED_MAX + 1}", "seed", "less than or equal to"),
    ("seed=0", "seed=-1", "seed", "greater than or equal to 0"),
    (f"{RANDOM}&ch=3", f"{RANDOM}&ch=4", "ch", "does not exist"),
    (f"{RANDOM}&pr=7&pc=0", f"{RANDOM}&pr=8&pc=0", "pr", "outside the map"),
    (f"{RANDOM}&pr=0&pc=7", f"{RANDOM}&pr=0&pc=8", "pc", "outside the map"),
    (f"{RANDOM}&pr=3", f"{RANDOM}&pr=3x", "pr", "valid integer"),
    ("cout=16", "cout=lots", "cout", "valid integer"),
    ("rd=uniform", "rd=cauchy", "rd", "'normal' or 'uniform'"),
    ("feat=rgb", "feat=hsv", "feat", "'rgb' or 'bank'"),
    ("w=sepia&feat=rgb", "w=blur", "w", "Input should be"),
    ("w=sepia&feat=rgb", "w=sepia&in=random", "w", "mixes red, green and blue"),
    ("act=relu", "act=tanh", "act", "'none' or 'relu'"),
    ("bias=random", "bias=ones", "bias", "Input should be"),
    ("scale=shared", "scale=log", "scale", "'channel' or 'shared'"),
    (f"{RANDOM}&w=edited&W=1,2;3,4", f"{RANDOM}&w=edited&W=1,x;3,4", "W", "could not convert"),
    (f"{RANDOM}&w=edited&W=1,2;3,4", f"{RANDOM}&w=edited&W=1,2,3;4,5,6", "W", "Cin = 2"),
    (f"{RANDOM}&w=edited&W=1,2", f"{RANDOM}&w=edited", "W", "needs the weights W"),
    (f"{RANDOM}&bias=edited&B=1,2,3,4", f"{RANDOM}&bias=edited&B=1,2", "B", "Cout = 4 values"),
    ("view=sum,probe", "view=sum,table", "view", "unknown name(s) table"),
    ("hide=controls", "hide=everything", "hide", "unknown name(s) everything"),
    ("large=1", "large=2", "large", "Input should be"),
    ("marks=1", "marks=stripes", "marks", "Input should be"),
    ("in=sample:wheel", "in=moon", "in", "should match pattern"),
    ("in=upload&img=" + "0" * 32, "in=upload&img=abc", "img", "should match pattern"),
    ("in=upload&img=" + "0" * 32, "in=upload", "img", "needs the image id"),
    ("lang=zh", "lang=fr", "lang", "not a language"),
]


@pytest.mark.parametrize(("good", "bad", "parameter", "words"), MIXER_LIMITS)
@pytest.mark.parametrize("path", ["/", "/embed/mixer", "/export/mixer.html"])
def test_mixer_routes_refuse_each_parameter_past_its_limit(client, path, good, bad, parameter, words):
    if path != "/export/mixer.html":  # an export at the limits is computed: the pages prove acceptance
        assert client.get(f"{path}?{good}").status_code == 200
    r = client.get(f"{path}?{bad}")
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["query", parameter] and words in error["msg"], error


def test_an_unknown_sample_is_a_404_naming_the_input(client):
    r = client.get("/export/mixer.html?in=sample:moon")
    assert r.status_code == 404
    assert r.json()["detail"].startswith("query.in: no sample named 'moon'")


def test_a_mix_too_large_to_send_is_refused_naming_cout(client):
    query = f"in=random&rc={S.max_in_channels}&rh={S.max_side}&rw={S.max_side}&cout={S.max_out_channels}"
    r = client.get(f"/?{query}")
    assert r.status_code == 413
    assert r.json()["detail"].startswith("query.cout: the answer would be about")


def test_a_person_following_a_bad_link_gets_a_page_naming_the_parameter(client):
    r = client.get("/?cout=0", headers={"Accept": "text/html"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "The link's <code>cout</code> is refused" in r.text.replace("&#x27;", "'")
    assert '<span lang="en">Input should be greater than or equal to 1</span>' in r.text


COST_COUNTS = {
    "sweep": ["s-cin", "s-h", "s-w"],
    "inception": ["i-h", "i-w", "i-cin", "i-cout"],
    "bottleneck": ["b-cin", "b-mid", "b-h", "b-w"],
    "projection": ["p-cin", "p-cout", "p-h", "p-w"],
    "separable": ["d-cin", "d-cout", "d-h", "d-w"],
}
COST_CASES = [
    (panel, parameter, S.max_cost_side if parameter.endswith(("-h", "-w")) else S.max_cost_channels)
    for panel, parameters in COST_COUNTS.items()
    for parameter in parameters
]


@pytest.mark.parametrize(("panel", "parameter", "limit"), COST_CASES)
def test_cost_routes_refuse_each_count_past_its_limit(client, panel, parameter, limit):
    small = {"s-h": 1, "s-w": 1, "i-h": 1, "i-w": 1, "b-h": 1, "b-w": 1, "p-h": 1, "p-w": 1, "d-h": 1, "d-w": 1}
    r = client.get("/data/cost", params={**small, "panel": panel, parameter: limit})
    assert r.status_code == 200, r.text
    for path in ("/cost", "/embed/cost", "/export/cost.html", "/data/cost"):
        for value, words in ((limit + 1, f"over the limit of {limit}"), (0, "greater than or equal to 1")):
            r = client.get(path, params={"panel": panel, parameter: value})
            assert r.status_code == 422, (path, r.text)
            [error] = r.json()["detail"]
            assert error["loc"] == ["query", parameter] and words in error["msg"], (path, error)


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("s-cout=1025", "s-cout", "less than or equal to 1024"),
        ("s-k=4", "s-k", "Input should be 1, 3, 5, 7, 9 or 11"),
        ("i-k=2", "i-k", "Input should be 1, 3, 5, 7, 9 or 11"),
        ("d-k=x", "d-k", "Input should be 1, 3, 5, 7, 9 or 11"),
        ("s-bias=yes", "s-bias", "'0' or '1'"),
        ("s-axis=sqrt", "s-axis", "'linear' or 'log'"),
        ("p-s=9", "p-s", "over the limit of 8"),
        ("p-s=0", "p-s", "greater than or equal to 1"),
        ("b-style=keras", "b-style", "'tutorial' or 'torchvision'"),
        ("view=sweep,pie", "view", "unknown name(s) pie"),
        ("panel=pie", "panel", "unknown panel(s) pie"),
    ],
)
def test_cost_routes_refuse_bad_choices(client, query, parameter, words):
    paths = ["/data/cost"] if parameter == "panel" else ["/cost", "/embed/cost", "/export/cost.html", "/data/cost"]
    for path in paths:
        r = client.get(f"{path}?{query}")
        assert r.status_code == 422, (path, r.text)
        [error] = r.json()["detail"]
        assert error["loc"] == ["query", parameter] and words in error["msg"], (path, error)


def test_cost_data_holds_the_rules_the_page_used_to_restate(client):
    body = client.get("/data/cost?panel=sweep,inception,bottleneck&i-cin=16&i-r=32&b-style=torchvision").json()
    assert body["state"]["i-r"] == 16  # R ≤ Cin: the slider's range ends at Cin
    sweep = body["panels"]["sweep"]
    assert sweep["one"]["out_channels"][:3] == [1, 5, 9] and sweep["one"]["out_channels"][-1] == 1021
    assert sweep["oneConv"]["parameters"] == 256 * 64 + 64
    assert body["panels"]["inception"]["answer"]["reduced"]["layers"][0]["shape"].endswith("16→16")
    # torchvision's bottleneck convs carry no bias: 256·64 + 9·64·64 + 64·256 weights, BatchNorm 2·(64+64+256)
    assert body["panels"]["bottleneck"]["answer"]["bottleneck"]["parameters"] == 69632 + 768


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ("seed=4294967294", 200, None),
        ("seed=4294967295", 422, "seed"),
        ("relu=2", 422, "relu"),
        ("seed=x", 422, "seed"),
        ("marks=1", 200, None),
        ("marks=yes", 422, "marks"),
    ],
)
def test_collapse_routes_check_their_query(client, query, status, parameter):
    for path in ("/embed/collapse", "/export/collapse.html", "/data/collapse"):
        r = client.get(f"{path}?{query}")
        assert r.status_code == status, (path, r.text)
        if parameter:
            assert r.json()["detail"][0]["loc"] == ["query", parameter]


def test_collapse_data_is_two_pytorch_layers_and_their_product(client):
    import torch
    from torch import nn

    body = client.get("/data/collapse?seed=5").json()
    for key, seed, shape in (("first", 5, (4, 3)), ("second", 6, (3, 4))):
        torch.manual_seed(seed)
        conv = nn.Conv2d(shape[1], shape[0], 1)
        assert torch.equal(torch.tensor(body[key]["weight"]["values"]), conv.weight.detach()[:, :, 0, 0])
        assert torch.equal(torch.tensor(body[key]["bias"]["values"]), conv.bias.detach())
    w1, w2 = (torch.tensor(body[k]["weight"]["values"]) for k in ("first", "second"))
    torch.testing.assert_close(torch.tensor(body["single"]["weight"]["values"]), w2 @ w1)
    torch.testing.assert_close(
        torch.tensor(body["single"]["output"]["maps"]),
        torch.tensor(body["second"]["output"]["maps"]),
        atol=1e-5,
        rtol=0,
    )


def test_the_folding_figure_measures_conv_then_batch_norm_in_the_same_request(client):
    import torch
    from torch import nn

    body = client.get("/data/collapse?seed=5&view=fold").json()
    assert body["views"] == ["fold"] and "fold" not in client.get("/data/collapse?seed=5").json()
    fold, first = body["fold"], body["first"]
    conv, norm = nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4, eps=fold["eps"])
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(first["weight"]["values"])[:, :, None, None])
        conv.bias.copy_(torch.tensor(first["bias"]["values"]))
        for name in ("weight", "bias", "running_mean", "running_var"):
            key = {"weight": "gamma", "bias": "beta"}.get(name, name)
            getattr(norm, name).copy_(torch.tensor(fold[key]))
        reference = nn.Sequential(conv, norm).eval()(torch.tensor(first["input"]["maps"])[None])[0]
    folded = torch.tensor(fold["folded"]["output"]["maps"])
    torch.testing.assert_close(torch.tensor(fold["reference"]["output"]["maps"]), reference)
    assert fold["max_abs_difference"] == (folded - torch.tensor(fold["reference"]["output"]["maps"])).abs().max().item()
    assert fold["max_abs_difference"] < 1e-5  # float32 rounding
    scale = torch.tensor(fold["gamma"]) / torch.sqrt(torch.tensor(fold["running_var"]) + fold["eps"])
    torch.testing.assert_close(torch.tensor(fold["scale"]), scale)


def test_the_networks_and_grouped_panels(client):
    panels = client.get("/data/cost?panel=networks,grouped&n-side=224&g-g=4").json()["panels"]
    networks = panels["networks"]["answer"]
    assert networks["networks"]["resnet50"]["multiply_adds"] == 4_089_184_256
    ones = [layer for layer in networks["networks"]["mobilenet_v2"]["layers"] if layer["name"] == "1×1 conv"]
    share = ones[0]["multiply_adds"] / networks["networks"]["mobilenet_v2"]["multiply_adds"]
    assert networks["pointwise"]["mobilenet_v2"]["multiply_adds"] == share
    assert panels["grouped"]["answer"]["ratio"] == 1 / 4
    r = client.get("/data/cost?panel=grouped&g-cin=30&g-g=4")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "g-cin"]
