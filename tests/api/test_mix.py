import base64
import io

import numpy as np
from PIL import Image
import pytest
import torch
from torch import nn

from app.core import inputs
from app.lab.encoding import decode, encode

X = [[[1, 2]], [[3, 4]]]  # (2, 1, 2)


def post(client, **body):
    return client.post("/api/mix", json={"input": {"source": "values", "values": X}, "encoding": "json", **body})


def test_mix_by_hand(client):
    r = post(
        client,
        weight={"values": [[1, -1], [0.5, 0.5]]},
        bias={"values": [0, 1]},
        activation="relu",
        explain_channel=1,
        probe={"row": 0, "col": 1},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["input"] == {"shape": [2, 1, 2], "channel_names": ["x0", "x1"], "maps": X}
    assert body["weight"] == {"shape": [2, 2], "values": [[1, -1], [0.5, 0.5]]}
    assert body["bias"] == {"values": [0, 1]}
    assert body["output"] == {
        "shape": [2, 1, 2],
        "maps": [[[0, 0]], [[3, 4]]],
        "pre_activation": [[[-2, -2]], [[3, 4]]],
    }
    assert body["explain"] == {
        "channel": 1,
        "weights": [0.5, 0.5],
        "bias": 1,
        "contributions": [[[0.5, 1]], [[1.5, 2]]],
        "sum": [[3, 4]],
        "max_abs_error": 0,
    }
    assert body["probe"] == {"row": 0, "col": 1, "x": [2, 4], "z": [-2, 4], "y": [0, 4], "max_abs_error": 0}
    assert body["cost"] == {"parameters": 2 * 2 + 2, "multiply_adds": 1 * 2 * 2 * 2}
    assert body["device"] == "cpu"


def test_identity_activation_has_no_pre_activation(client):
    body = post(client, weight={"init": "identity"}).json()
    assert "pre_activation" not in body["output"]
    assert body["output"]["maps"] == X
    assert body["bias"]["values"] == [0, 0]


def test_random_weights_are_pytorch_conv2d_from_the_seed(client):
    body = client.post(
        "/api/mix",
        json={
            "input": {"source": "random", "channels": 5, "height": 6, "width": 7, "seed": 3},
            "out_channels": 4,
            "weight": {"init": "random", "seed": 11},
            "bias": {"init": "random", "seed": 12},
        },
    ).json()
    torch.manual_seed(11)
    conv = nn.Conv2d(5, 4, 1)
    assert np.allclose(body["weight"]["values"], conv.weight.detach()[:, :, 0, 0].numpy())
    x = torch.randn(5, 6, 7, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        conv.bias.copy_(torch.tensor(body["bias"]["values"]))
        expected = conv(x[None])[0].numpy()
    assert np.allclose(decode(body["input"]["maps"]), x.numpy())
    np.testing.assert_allclose(decode(body["output"]["maps"]), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("encoding", ["base64", "u8", "png", "json"])
def test_encodings_agree(client, encoding):
    request = {"input": {"source": "sample", "name": "shapes"}, "max_side": 32, "features": "bank", "out_channels": 3}
    reference = decode(client.post("/api/mix", json={**request, "encoding": "json"}).json()["output"]["maps"])
    maps = client.post("/api/mix", json={**request, "encoding": encoding}).json()["output"]["maps"]
    assert decode(maps).shape == (3, 32, 32)
    if encoding in ("u8", "png"):
        assert maps["dtype"] == {"u8": "u1", "png": "png"}[encoding] and maps["shape"] == "3, 32, 32"
        assert len(maps["scale"]) == len(maps["offset"]) == 3
        step = np.asarray(maps["scale"])[:, None, None]
        assert np.all(np.abs(decode(maps) - reference) <= step / 2 + 1e-6)
    else:
        np.testing.assert_array_equal(decode(maps), reference)
    if encoding == "base64":
        assert maps["dtype"] == "f4" and maps["shape"] == "3, 32, 32"


def test_png_holds_u8s_values_exactly(client):
    # Each channel's PNG is the u8 encoding's bytes, q, as an 8-bit greyscale image (Pillow reads it).
    request = {"input": {"source": "sample", "name": "shapes"}, "max_side": 32, "features": "bank", "out_channels": 3}
    u8 = client.post("/api/mix", json={**request, "encoding": "u8"}).json()["output"]["maps"]
    png = client.post("/api/mix", json={**request, "encoding": "png"}).json()["output"]["maps"]
    assert (png["scale"], png["offset"]) == (u8["scale"], u8["offset"]) and len(png["bdata"]) == 3
    q = np.frombuffer(base64.b64decode(u8["bdata"]), dtype=np.uint8).reshape(3, 32, 32)
    for c, b64 in enumerate(png["bdata"]):
        image = Image.open(io.BytesIO(base64.b64decode(b64)))
        assert (image.format, image.mode, image.size) == ("PNG", "L", (32, 32))
        np.testing.assert_array_equal(np.asarray(image), q[c])
    np.testing.assert_array_equal(decode(png), decode(u8))


def test_png_encodes_a_small_tensor_exactly():
    # Two channels of 2×3: q = (value − min) / ((max − min) / 255), rows filtered with "Up" (mod 256).
    first = [[0.0, 51.0, 255.0], [255.0, 0.0, 102.0]]
    tensor = torch.tensor([first, [[-1.0] * 3] * 2])
    png = encode(tensor, "png")
    assert (png["dtype"], png["shape"], png["offset"], png["scale"]) == ("png", "2, 2, 3", [0.0, -1.0], [1.0, 0.0])
    planes = [np.asarray(Image.open(io.BytesIO(base64.b64decode(b64)))) for b64 in png["bdata"]]
    np.testing.assert_array_equal(planes[0], first)
    np.testing.assert_array_equal(planes[1], [[0, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(decode(png), tensor.numpy())


def test_u8_default_workload_is_compact(client):
    request = {"input": {"source": "sample", "name": "scene"}, "features": "bank", "out_channels": 64, "encoding": "u8"}
    r = client.post("/api/mix", json=request, headers={"Accept-Encoding": "identity"})
    values = (10 + 64) * 256 * 256
    assert len(r.content) / values <= 1.4


def test_u8_answers_are_gzipped_when_asked(client):
    request = {"input": {"source": "sample", "name": "shapes"}, "max_side": 64, "encoding": "u8"}
    r = client.post("/api/mix", json=request, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert r.json()["output"]["shape"] == [4, 64, 64]


def test_grayscale_preset_on_the_sample(client):
    body = client.post(
        "/api/mix",
        json={"input": {"source": "sample", "name": "shapes"}, "max_side": 64, "weight": {"preset": "grayscale"}},
    ).json()
    assert body["weight"]["values"] == [[pytest.approx(0.299), pytest.approx(0.587), pytest.approx(0.114)]]
    rgb = decode(body["input"]["maps"])
    gray = decode(body["output"]["maps"])[0]
    np.testing.assert_allclose(gray, np.tensordot([0.299, 0.587, 0.114], rgb, axes=1), rtol=1e-5, atol=1e-6)


def test_invert_preset_brings_its_bias(client):
    body = post(client, input={"source": "sample", "name": "wheel"}, max_side=8, weight={"preset": "invert"}).json()
    assert body["bias"]["values"] == [1, 1, 1]
    np.testing.assert_allclose(decode(body["output"]["maps"]), 1 - decode(body["input"]["maps"]), atol=1e-6)


def test_pca_preset_defaults_to_three_channels(client):
    body = post(
        client, input={"source": "sample", "name": "scene"}, features="bank", max_side=32, weight={"preset": "pca"}
    ).json()
    assert body["output"]["shape"] == [3, 32, 32]


def test_bank_channels_named(client):
    body = post(client, input={"source": "sample", "name": "scene"}, features="bank", max_side=16).json()
    assert body["input"]["channel_names"] == inputs.BANK_NAMES


def test_weight_edit_can_leave_input_maps_out(client):
    body = post(client, include_input_maps=False).json()
    assert "maps" not in body["input"] and body["input"]["shape"] == [2, 1, 2]


def test_contributions_can_be_left_out(client):
    body = post(client, weight={"init": "identity"}, explain_channel=0, include_contributions=False).json()
    assert "contributions" not in body["explain"] and body["explain"]["sum"] == [[1, 2]]


def test_row_edit_can_leave_output_maps_out_and_read_the_row_from_explain(client):
    body = post(
        client,
        weight={"values": [[1, -1], [0.5, 0.5]]},
        activation="relu",
        explain_channel=0,
        include_input_maps=False,
        include_output_maps=False,
    ).json()
    assert body["output"] == {"shape": [2, 1, 2]}
    assert body["explain"]["sum"] == [[-2, -2]]  # z[0]; Y[0] = ReLU(z[0]) = [[0, 0]]


def test_explanation_and_probe_on_a_sample_hold_to_float32(client):
    body = client.post(
        "/api/mix",
        json={
            "input": {"source": "sample", "name": "scene"},
            "features": "bank",
            "out_channels": 16,
            "explain_channel": 5,
            "probe": {"row": 100, "col": 30},
            "activation": "relu",
        },
    ).json()
    assert body["explain"]["max_abs_error"] < 1e-5
    assert body["probe"]["max_abs_error"] < 1e-5
    assert body["probe"]["y"] == pytest.approx(decode(body["output"]["maps"])[:, 100, 30].tolist(), abs=1e-6)


def test_npz_holds_the_maps_and_weights(client):
    r = client.post(
        "/api/mix?format=npz",
        json={
            "input": {"source": "values", "values": X},
            "weight": {"values": [[1, -1], [0.5, 0.5]]},
            "bias": {"values": [0, 1]},
            "activation": "relu",
        },
    )
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="pointwise-mix.npz"'
    with np.load(io.BytesIO(r.content)) as npz:
        assert npz["input"].tolist() == X
        assert npz["weight"].tolist() == [[1, -1], [0.5, 0.5]]
        assert npz["output"].tolist() == [[[0, 0]], [[3, 4]]]
        assert npz["pre_activation"].tolist() == [[[-2, -2]], [[3, 4]]]
        assert npz["channel_names"].tolist() == ["x0", "x1"]
        assert npz["output"].dtype == np.float32


def test_default_bias_beside_random_weights_is_pytorchs_own_exactly(client):
    body = {
        "input": {"source": "random", "channels": 5, "height": 2, "width": 2},
        "out_channels": 4,
        "encoding": "json",
    }
    torch.manual_seed(11)
    conv = nn.Conv2d(5, 4, 1)
    for bias in ({}, {"bias": {"init": "random", "seed": 11}}):
        answer = client.post("/api/mix", json={**body, "weight": {"init": "random", "seed": 11}, **bias}).json()
        assert torch.equal(torch.tensor(answer["weight"]["values"]), conv.weight.detach()[:, :, 0, 0])
        assert torch.equal(torch.tensor(answer["bias"]["values"]), conv.bias.detach())
    zeros = client.post("/api/mix", json={**body, "bias": {"init": "zeros"}}).json()
    assert zeros["bias"]["values"] == [0, 0, 0, 0]
    preset = client.post("/api/mix", json={**body, "weight": {"init": "identity"}}).json()
    assert preset["bias"]["values"] == [0, 0, 0, 0]
