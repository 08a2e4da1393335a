"""Hostile state dicts at /api/blocks/weights: measured before they are read, refused by kind,
by value and by address, each refusal naming the file's key and the limit."""

import json
import struct

from fastapi.testclient import TestClient
import pytest
from safetensors.torch import save as save_safetensors
import torch

from app.config import get_settings
from app.lab.encoding import NotFinite, dumps
from app.main import create_app
from benchmarks.hostile import deflated_state_dict
from tests.api.block_cases import SMALL, post, refusal, torch_bytes, trained_state, upload

LIMIT = 32 * 1024 * 1024  # max_state_dict_bytes
DTYPES = "float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8"


def test_a_deflated_pt_is_refused_from_its_declared_sizes_before_it_is_read(client):
    bomb = deflated_state_dict(10_000_000)  # 40 MB of zeros in about 40 KB
    assert len(bomb) < 100_000
    r = upload(client, bomb, "bomb.pt")
    assert r.status_code == 413
    assert r.json()["detail"] == f"file: its tensors declare 40000219 bytes once read, over the limit of {LIMIT}"


def test_a_view_that_repeats_one_number_is_measured_by_its_own_size(client):
    r = upload(client, torch_bytes({"w": torch.zeros(1).expand(10_000_000)}), "view.pt")
    assert r.status_code == 413
    assert r.json()["detail"] == f"file: its tensors declare 40000000 bytes once read, over the limit of {LIMIT}"


def test_a_safetensors_header_is_measured_before_any_tensor_is_read(client):
    header = json.dumps({"w": {"dtype": "F32", "shape": [100_000, 100_000], "data_offsets": [0, 4]}}).encode()
    data = struct.pack("<Q", len(header)) + header + b"\0" * 4
    r = upload(client, data)
    assert r.status_code == 413
    assert r.json()["detail"] == f"file: its tensors declare 40000000000 bytes once read, over the limit of {LIMIT}"


def test_200k_keys_are_refused_before_the_pickle_is_parsed(client):
    shared = torch.zeros(1)
    r = upload(client, torch_bytes({f"k{i}": shared for i in range(200_000)}), "keys.pt")
    assert r.status_code == 413
    assert r.json()["detail"].startswith("file: its pickle of ")
    assert r.json()["detail"].endswith(" bytes is over the limit of 524288")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: torch.eye(3).to_sparse(),
            "'w' is a torch.sparse_coo tensor; only dense (torch.strided) ones are accepted",
        ),
        (lambda: torch.empty(3, device="meta"), "'w' is on the meta device, without values; save it from the CPU"),
        (
            lambda: torch.quantize_per_tensor(torch.rand(3), 0.1, 0, torch.quint8),
            f"'w' holds quint8 values; the dtypes accepted are {DTYPES}",
        ),
        (
            lambda: torch.rand(3).to(torch.float8_e4m3fn),
            f"'w' holds float8_e4m3fn values; the dtypes accepted are {DTYPES}",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch deprecates quantized and sparse CSR tensors
def test_tensors_of_odd_kinds_are_422s_naming_the_key_and_what_is_accepted(client, make, message):
    assert refusal(upload(client, torch_bytes({"w": make()}), "odd.pt")) == (["body", "file"], message)


def test_float8_in_a_safetensors_file_is_refused_from_its_header(client):
    data = save_safetensors({"w": torch.rand(3).to(torch.float8_e4m3fn)})
    assert refusal(upload(client, data)) == (
        ["body", "file"],
        "'w' holds F8_E4M3 values; the dtypes accepted are F64, F32, F16, BF16, I64, I32, I16, I8, U8",
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("w", torch.tensor([1.0, 1e30]), "'w' holds values up to 1e+30 in size, over the limit of 1e+06"),
        ("w", torch.tensor([float("nan")]), "'w' holds values that are not finite (NaN or ±infinity)"),
        (
            "bn1.running_var",
            torch.tensor([1.0, -1.0]),
            "'bn1.running_var' is a BatchNorm running variance and holds negative values; a variance is ≥ 0",
        ),
    ],
)
def test_values_that_would_overflow_are_refused_at_upload(client, key, value, message):
    loc, msg = refusal(upload(client, save_safetensors({key: value})))
    assert loc == ["body", "file"]
    assert msg.startswith(message)


def test_weights_within_the_limit_that_still_overflow_name_the_stage_not_nan(client):
    state = trained_state(SMALL, 0)
    huge = {k: (torch.full_like(v, 1e6) if v.is_floating_point() else v) for k, v in state.items()}
    huge.update({k: torch.zeros_like(v) for k, v in state.items() if k.endswith(("running_var", "running_mean"))})
    weights_id = upload(client, save_safetensors(huge)).json()["weights_id"]
    r = post(client, SMALL, weights_id=weights_id)
    assert refusal(r) == (
        ["body", "weights_id"],
        "stage 'bn3' overflowed float32: its output holds values that are not finite (NaN or ±infinity); "
        "use smaller weights",
    )


def test_no_answer_is_ever_written_with_a_non_finite_number():
    with pytest.raises(NotFinite):
        dumps({"mean": float("inf")})


def test_state_dict_uploads_are_limited_per_address_and_refusals_count(monkeypatch, tmp_path):
    monkeypatch.setenv("POINTWISE_UPLOADS_PER_MINUTE", "2")
    monkeypatch.setenv("POINTWISE_STORE_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        client = TestClient(create_app())
        answers = [
            upload(client, save_safetensors({"w": torch.zeros(1)})),
            upload(client, torch_bytes({"w": torch.rand(3).to(torch.float8_e4m3fn)}), "odd.pt"),  # refused: counts
            upload(client, save_safetensors({"w": torch.ones(1)})),
            upload(client, save_safetensors({"w": torch.zeros(1)})),  # already stored: still refused, before reading
        ]
    finally:
        get_settings.cache_clear()
    assert [r.status_code for r in answers] == [200, 422, 429, 429]
    retry = answers[2].headers["retry-after"]
    assert answers[2].json() == {
        "detail": f"file: over the limit of 2 new state dicts a minute from one address; retry in {retry} s"
    }
