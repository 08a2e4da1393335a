import pytest


def test_conv_cost_classic(client):
    r = client.get("/api/cost/conv", params={"in_channels": 256, "out_channels": 64, "height": 56, "width": 56})
    assert r.json() == {
        "parameters": 16_448,
        "weights": 16_384,
        "biases": 64,
        "multiply_adds": 51_380_224,
        "output_shape": [64, 56, 56],
        "formula": {
            "parameters": "k²·Cin·Cout + Cout = 1²·256·64 + 64 = 16,448",
            "multiply_adds": "H·W·k²·Cin·Cout = 56·56·1²·256·64 = 51,380,224",
        },
    }


def test_conv_cost_3x3_without_bias(client):
    params = {"in_channels": 3, "out_channels": 2, "height": 4, "width": 5, "kernel_size": 3, "bias": False}
    body = client.get("/api/cost/conv", params=params).json()
    assert (body["parameters"], body["biases"], body["multiply_adds"]) == (54, 0, 4 * 5 * 9 * 3 * 2)


def test_sweep(client):
    params = {"in_channels": 16, "height": 8, "width": 8, "out_min": 1, "out_max": 9, "out_step": 4}
    assert client.get("/api/cost/sweep", params=params).json() == {
        "out_channels": [1, 5, 9],
        "parameters": [17, 85, 153],
        "multiply_adds": [1024, 5120, 9216],
    }


def test_inception_classic(client):
    params = {
        "height": 28,
        "width": 28,
        "in_channels": 256,
        "reduce_channels": 32,
        "out_channels": 64,
        "kernel_size": 5,
    }
    body = client.get("/api/cost/inception", params=params).json()
    assert body["direct"]["multiply_adds"] == 321_126_400
    assert body["reduced"]["multiply_adds"] == 28 * 28 * 256 * 32 + 28 * 28 * 25 * 32 * 64 == 46_563_328
    assert [layer["name"] for layer in body["reduced"]["layers"]] == ["1×1 reduce", "5×5 conv"]
    assert body["ratio"] == pytest.approx(46_563_328 / 321_126_400)


def test_bottleneck_torchvision_style(client):
    params = {
        "in_channels": 256,
        "bottleneck_channels": 64,
        "out_channels": 256,
        "height": 56,
        "width": 56,
        "bias": False,
        "batch_norm": True,
    }
    body = client.get("/api/cost/bottleneck", params=params).json()
    assert body["bottleneck"]["parameters"] == 256 * 64 + 9 * 64 * 64 + 64 * 256 + 2 * (64 + 64 + 256) == 70_400
    assert body["plain"]["parameters"] == 2 * 9 * 256 * 256 + 2 * 2 * 256 == 1_180_672
    assert body["bottleneck"]["layers"][0] == {
        "name": "1×1 reduce",
        "shape": "1×1, 256→64",
        "parameters": 16_384,
        "multiply_adds": 51_380_224,
        "formula": {
            "parameters": "k²·Cin·Cout = 1²·256·64 = 16,384",
            "multiply_adds": "H·W·k²·Cin·Cout = 56·56·1²·256·64 = 51,380,224",
        },
    }
    assert body["bottleneck"]["layers"][1]["formula"]["parameters"] == "2·C = 2·64 = 128"


def test_separable(client):
    params = {"in_channels": 32, "out_channels": 64, "height": 112, "width": 112, "kernel_size": 3}
    body = client.get("/api/cost/separable", params=params).json()
    assert body["standard"]["multiply_adds"] == 112 * 112 * 9 * 32 * 64
    assert body["separable"]["multiply_adds"] == 112 * 112 * 9 * 32 + 112 * 112 * 32 * 64
    assert body["ratio"] == pytest.approx(1 / 64 + 1 / 9)
    assert body["formula_ratio"] == pytest.approx(1 / 64 + 1 / 9)
    assert body["separable"]["layers"][0]["formula"] == {
        "parameters": "k²·C = 3²·32 = 288",
        "multiply_adds": "H·W·k²·C = 112·112·3²·32 = 3,612,672",
    }


@pytest.mark.parametrize(
    ("path", "params", "loc", "words"),
    [
        (
            "/api/cost/conv",
            {"in_channels": 0, "out_channels": 1, "height": 1, "width": 1},
            ["query", "in_channels"],
            "greater than or equal to 1",
        ),
        (
            "/api/cost/conv",
            {"in_channels": 1, "out_channels": 10**6, "height": 1, "width": 1},
            ["query", "out_channels"],
            "1000000 is over the limit of 8192 channels",
        ),
        (
            "/api/cost/conv",
            {"in_channels": 1, "out_channels": 1, "height": 1, "width": 1, "kernel_size": 4},
            ["query", "kernel_size"],
            "Input should be 1, 3, 5, 7, 9 or 11",
        ),
        (
            "/api/cost/conv",
            {"in_channels": "many", "out_channels": 1, "height": 1, "width": 1},
            ["query", "in_channels"],
            "integer",
        ),
        (
            "/api/cost/sweep",
            {"in_channels": 1, "height": 1, "width": 1, "out_min": 9, "out_max": 3},
            ["query", "out_max"],
            "at least out_min",
        ),
        (
            "/api/cost/sweep",
            {"in_channels": 1, "height": 1, "width": 1, "out_max": 4096},
            ["query", "out_step"],
            "limit of 1024",
        ),
        (
            "/api/cost/inception",
            {"height": 1, "width": 1, "in_channels": 1, "out_channels": 1},
            ["query", "reduce_channels"],
            "Field required",
        ),
    ],
)
def test_bad_queries_name_the_parameter(client, path, params, loc, words):
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert any(e["loc"] == loc and words in e["msg"] for e in r.json()["detail"]), r.json()


def test_bottleneck_on_a_single_pixel(client):
    params = {"in_channels": 3, "bottleneck_channels": 1, "out_channels": 3, "height": 1, "width": 1}
    body = client.get("/api/cost/bottleneck", params=params).json()
    assert body["bottleneck"]["multiply_adds"] == 3 * 1 + 9 * 1 * 1 + 1 * 3


def test_bottleneck_answers_the_papers_basic_block_too(client):
    params = {"in_channels": 256, "bottleneck_channels": 64, "out_channels": 256, "height": 56, "width": 56}
    body = client.get("/api/cost/bottleneck", params={**params, "bias": False, "batch_norm": False}).json()
    assert body["basic"]["parameters"] == 73_728  # He et al. 2015: two 3×3 convs at 64 channels
    assert body["bottleneck"]["parameters"] == 69_632
    assert body["basic_ratio"] == 69_632 / 73_728


def test_projection_shortcut_halves_the_map_and_widens_it(client):
    params = {"in_channels": 256, "out_channels": 512, "height": 56, "width": 56}
    body = client.get("/api/cost/projection", params=params).json()
    assert body["output_shape"] == [512, 28, 28]
    assert body["projection"]["parameters"] == 256 * 512 + 2 * 512
    assert body["projection"]["multiply_adds"] == 28 * 28 * 256 * 512
    assert body["conv3x3"]["multiply_adds"] == 9 * 28 * 28 * 256 * 512
    assert body["ratio"] == 1 / 9
    r = client.get("/api/cost/projection", params={**params, "stride": 9})
    assert r.status_code == 422
    assert r.json()["detail"][0] == {
        "loc": ["query", "stride"],
        "msg": "9 is over the limit of 8 pixels",
        "type": "value_error",
    }
