import pytest
import torch
from torch import nn

from app.core import inputs
from app.lab.encoding import decode
from tests.api.block_cases import SMALL, TUTORIAL, module, post, random_input, refusal


def test_tutorial_bottleneck_at_56x56_counts_and_shapes(client):
    body = {"input": random_input(256, 56), "encoding": "u8", "map_channels": 1}
    answer = client.post("/api/block", json={"block": TUTORIAL, **body}).json()
    stages = [(s["name"], s["op"], s["shape"], s["parameters"], s["multiply_adds"]) for s in answer["stages"]]
    assert stages == [
        ("input", "input", [256, 56, 56], 0, 0),
        ("conv1", "Conv2d 1×1", [64, 56, 56], 256 * 64 + 64, 56 * 56 * 256 * 64),
        ("bn1", "BatchNorm2d", [64, 56, 56], 2 * 64, 0),
        ("relu1", "ReLU", [64, 56, 56], 0, 0),
        ("conv2", "Conv2d 3×3", [64, 56, 56], 9 * 64 * 64 + 64, 56 * 56 * 9 * 64 * 64),
        ("bn2", "BatchNorm2d", [64, 56, 56], 2 * 64, 0),
        ("relu2", "ReLU", [64, 56, 56], 0, 0),
        ("conv3", "Conv2d 1×1", [256, 56, 56], 64 * 256 + 256, 56 * 56 * 64 * 256),
        ("bn3", "BatchNorm2d", [256, 56, 56], 2 * 256, 0),
        ("add", "+", [256, 56, 56], 0, 0),
        ("relu3", "ReLU", [256, 56, 56], 0, 0),
    ]
    assert answer["parameters"] == 70_784  # convs' weights and biases, and BatchNorm's γ and β
    assert answer["multiply_adds"] == 218_365_952  # the convolutions' alone
    assert answer["one_by_one"] == {"parameters": 16_448 + 16_640, "multiply_adds": 2 * 51_380_224}
    assert [s["one_by_one"] for s in answer["stages"]].count(True) == 2
    assert answer["stages"][9]["inputs"] == ["bn3", "input"]
    assert answer["input"]["stem"] is None
    assert answer["weights"] == {"seed": 0}
    assert answer["device"] == "cpu"


@pytest.mark.parametrize(
    "block",
    [
        SMALL,
        {"kind": "bottleneck_torchvision", "in_channels": 8, "bottleneck_channels": 2, "out_channels": 8},
        {"kind": "bottleneck_down", "in_channels": 8, "bottleneck_channels": 2, "out_channels": 16, "stride": 2},
        {"kind": "mlpconv", "in_channels": 8, "kernel_size": 3, "channels": [5, 4, 3]},
        {"kind": "inception", "in_channels": 8, "c1x1": 2, "c3x3_reduce": 3, "c3x3": 4, "c5x5_reduce": 2},
        {"kind": "inverted_residual", "in_channels": 8, "out_channels": 8, "expansion": 2},
        {"kind": "bottleneck_down_v1", "in_channels": 8, "bottleneck_channels": 2, "out_channels": 16, "stride": 2},
        {"kind": "vit_ffn", "in_channels": 8, "d_model": 6, "dim_feedforward": 12, "patch_size": 2},
    ],
)
def test_every_stage_and_the_output_equal_the_module_built_here(client, block):
    answer = post(client, block, seed=7).json()
    x = inputs.random_tensor(8, 6, 6, 0, "normal")
    net = module(block, 7)
    calls: dict[str, list[torch.Tensor]] = {}
    for path, sub in net.named_modules():
        if path and not list(sub.children()):
            sub.register_forward_hook(lambda m, i, o, path=path: calls.setdefault(path, []).append(o.clone()))
    with torch.no_grad():
        y = net(x[None])[0]
    seen: dict[str, int] = {}
    for stage in answer["stages"][1:]:
        maps = torch.from_numpy(decode(stage["maps"]).copy())
        if stage["module"] is not None:
            index = seen.get(stage["module"], 0)
            seen[stage["module"]] = index + 1
            assert torch.equal(maps, calls[stage["module"]][index][0][: maps.shape[0]]), stage["name"]
    last = answer["stages"][-1]
    assert torch.equal(torch.from_numpy(decode(last["maps"]).copy()), y[: last["shape"][0]][:16])
    assert answer["parameters"] == sum(p.numel() for p in net.parameters())


def test_an_image_with_fewer_channels_is_filled_by_a_seeded_1x1_stem_and_says_so(client):
    body = {"block": SMALL, "input": {"source": "sample", "name": "shapes"}, "max_side": 8, "encoding": "base64"}
    answer = client.post("/api/block", json=body).json()
    assert answer["input"]["stem"] == {"image_channels": 3, "filled": 5, "seed": 0}
    assert answer["input"]["channel_names"] == ["red", "green", "blue", *(f"stem {i}" for i in range(5))]
    x = torch.from_numpy(decode(answer["stages"][0]["maps"]).copy())
    image = inputs.resize(inputs.shapes_sample(), 8)
    torch.testing.assert_close(x[:3], image)
    torch.manual_seed(0)
    stem = nn.Conv2d(3, 5, 1)
    torch.testing.assert_close(x[3:], stem(image[None])[0].detach(), rtol=1e-5, atol=1e-5)


def test_a_1x1_stage_is_explained_as_a_weighted_sum(client):
    block = {"kind": "bottleneck", "in_channels": 12, "bottleneck_channels": 10, "out_channels": 12}
    body = {"input": random_input(12, 5), "explain": {"stage": "conv3", "channel": 3}, "map_channels": 12}
    answer = post(client, block, **body).json()
    explain = answer["explain"]
    net = module(block, 0)
    weight = net.conv3.weight.detach()[:, :, 0, 0]
    assert explain["stage"] == "conv3"
    assert explain["matrix"]["shape"] == [12, 10]
    assert torch.equal(torch.from_numpy(decode(explain["matrix"]["values"]).copy()), weight)
    assert explain["weights"] == weight[3].tolist()
    assert explain["bias"] == net.conv3.bias[3].item()
    x = torch.from_numpy(decode(answer["stages"][6]["maps"]).copy())  # relu2: what conv3 reads
    terms = explain["terms"]
    energy = (weight[3][:, None, None] * x).abs().mean(dim=(1, 2))
    assert terms == energy.argsort(descending=True)[:8].tolist()
    contributions = torch.from_numpy(decode(explain["contributions"]).copy())
    torch.testing.assert_close(contributions, weight[3][terms][:, None, None] * x[terms])
    rest = torch.from_numpy(decode(explain["rest"]).copy())
    total = torch.from_numpy(decode(explain["sum"]).copy())
    torch.testing.assert_close(contributions.sum(0) + rest + explain["bias"], total)
    conv3 = torch.from_numpy(decode(answer["stages"][7]["maps"]).copy())
    torch.testing.assert_close(total, conv3[3])
    assert explain["max_abs_error"] < 1e-5


def test_a_strided_1x1_projection_is_explained_on_the_pixels_it_reads(client):
    block = {"kind": "bottleneck_down", "in_channels": 4, "bottleneck_channels": 2, "out_channels": 6, "stride": 2}
    body = {"input": random_input(4, 7), "explain": {"stage": "downsample.0", "channel": 5}}
    explain = post(client, block, **body).json()["explain"]
    assert explain["rest"] is None  # 4 input channels: every term is shown
    assert explain["max_abs_error"] < 1e-5
    assert decode(explain["sum"]).shape == (4, 4)


@pytest.mark.parametrize(
    ("block", "body", "loc", "message"),
    [
        (
            {**SMALL, "in_channels": 513, "out_channels": 513},
            {},
            ["body", "block", "in_channels"],
            "513 channels is over the limit of 512",
        ),
        (
            {"kind": "mlpconv", "in_channels": 8, "channels": [4, 600, 4]},
            {},
            ["body", "block", "channels", 1],
            "600 channels is over the limit of 512",
        ),
        (
            {"kind": "inverted_residual", "in_channels": 8, "out_channels": 8, "expansion": 65},
            {},
            ["body", "block", "expansion"],
            "the hidden width t·in_channels = 65·8 = 520 is over the limit of 512",
        ),
        (
            {**SMALL, "out_channels": 16},
            {},
            ["body", "block", "out_channels"],
            "the identity shortcut adds the input to the branch, so out_channels must equal in_channels = 8, "
            "not 16 (bottleneck_down has a projection shortcut)",
        ),
        (
            {"kind": "mlpconv", "in_channels": 3},
            {"input": {"source": "sample", "name": "scene"}, "features": "bank", "max_side": 8},
            ["body", "block", "in_channels"],
            "the input has 10 channels and this block takes in_channels = 3: widen the block to 10, "
            "or choose fewer channels",
        ),
        (
            SMALL,
            {"input": random_input(513, 4)},
            ["body", "input", "channels"],
            "513 input channels is over the limit of 512",
        ),
        (
            {**SMALL, "in_channels": 512, "bottleneck_channels": 512, "out_channels": 512},
            {"input": random_input(512, 256)},
            ["body", "input", "height"],
            f"the block's {256 * 256 * 11 * 512 * 512} multiply–adds at 256×256 are over the work limit of 4000000000: "
            "use a smaller input or narrower widths",
        ),
        (
            {**SMALL, "in_channels": 512, "bottleneck_channels": 512, "out_channels": 512},
            {"input": {"source": "sample", "name": "scene"}, "max_side": 128},
            ["body", "max_side"],
            f"the block's {128 * 128 * 11 * 512 * 512} multiply–adds at 128×128 are over the work limit of 4000000000: "
            "use a smaller input or narrower widths",
        ),
        (
            SMALL,
            {"explain": {"stage": "bn1"}},
            ["body", "explain", "stage"],
            "'bn1' is not a 1×1 convolution here; those are conv1, conv3",
        ),
        (
            SMALL,
            {"explain": {"stage": "conv1", "channel": 4}},
            ["body", "explain", "channel"],
            "channel 4 does not exist: conv1 has 4",
        ),
        (SMALL, {"weights_id": "nothex"}, ["body", "weights_id"], "state dict ids are 32 lowercase hex digits"),
        (SMALL, {"input": random_input(8, 600)}, ["body", "input", "height"], "600 pixels is over the limit of 512"),
    ],
)
def test_every_refusal_names_its_field_and_limit(client, block, body, loc, message):
    assert refusal(post(client, block, **body)) == (loc, message)


def test_an_answer_over_the_size_limit_is_413(client):
    block = {"kind": "inverted_residual", "in_channels": 64, "out_channels": 64, "expansion": 8}
    r = post(client, block, input=random_input(64, 128), map_channels=512)
    values = 128 * 128 * (64 + 6 * 512 + 3 * 64)  # every stage's maps: input, 6 stages 512 wide, 3 of 64
    size = int(values * 16 / 3)  # base64 of float32
    assert refusal(r, 413) == (
        [],
        f"encoding: the answer would be about {size} bytes, over the limit of 40000000; "
        "use 'u8' or ask for fewer map_channels",
    )


def test_unknown_kind_and_unknown_fields_are_422(client):
    loc, _ = refusal(post(client, {"kind": "resnext", "in_channels": 8}))
    assert loc[:2] == ["body", "block"]
    loc, _ = refusal(post(client, {**SMALL, "groups": 2}))
    assert loc == ["body", "block", "bottleneck", "groups"]


def test_an_unknown_weights_id_is_404(client):
    _, detail = refusal(post(client, SMALL, weights_id="0" * 32), 404)
    assert detail == f"weights_id: state dict '{'0' * 32}' is not stored (it may have been evicted); upload it again"


def test_the_ffn_block_answers_its_largest_difference_from_nn_linear(client):
    block = {"kind": "vit_ffn", "in_channels": 3, "d_model": 8, "dim_feedforward": 32, "patch_size": 4}
    body = {"block": block, "input": random_input(3, 24), "encoding": "u8", "map_channels": 1}
    answer = client.post("/api/block", json=body).json()
    assert [s["op"] for s in answer["stages"]] == ["input", "Conv2d 4×4 /4", "Conv2d 1×1", "GELU", "Conv2d 1×1"]
    assert answer["ffn_check"]["tokens"] == 6 * 6
    assert 0 <= answer["ffn_check"]["max_difference"] < 1e-5
    assert (
        "ffn_check"
        not in client.post("/api/block", json={"block": TUTORIAL, **body, "input": random_input(256, 8)}).json()
    )
