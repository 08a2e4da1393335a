"""POST /api/blocks/weights: an uploaded state dict becomes a block's weights, or is refused naming
the key and the limit."""

import pytest
from safetensors.torch import save as save_safetensors
import torch
from torch import nn

from app.core import inputs
from app.lab.encoding import decode
from tests.api.block_cases import SMALL, module, post, refusal, torch_bytes, trained_state, upload


@pytest.mark.parametrize("form", ["safetensors", "pt"])
def test_an_uploaded_state_dict_is_the_blocks_weights(client, form):
    state = trained_state(SMALL, 3)
    data = save_safetensors(state) if form == "safetensors" else torch_bytes(state)
    r = upload(client, data, f"weights.{form}")
    assert r.status_code == 200, r.text
    stored = r.json()
    assert sorted(stored["keys"]) == sorted(state)  # a .safetensors file keeps its own order
    assert stored["shapes"]["conv2.weight"] == [4, 4, 3, 3]
    answer = post(client, SMALL, weights_id=stored["weights_id"]).json()
    assert answer["weights"] == {"weights_id": stored["weights_id"]}
    net = module(SMALL, 0)
    net.load_state_dict(state)
    with torch.no_grad():
        y = net(inputs.random_tensor(8, 6, 6, 0, "normal")[None])[0]
    assert torch.equal(torch.from_numpy(decode(answer["stages"][-1]["maps"]).copy()), y)
    assert "load_file(" in answer["code"]


def test_a_state_dict_that_does_not_fit_is_refused_naming_the_first_key(client):
    state = trained_state(SMALL, 1)
    renamed = {("layer.conv1.weight" if k == "conv1.weight" else k): v for k, v in state.items()}
    weights_id = upload(client, save_safetensors(renamed)).json()["weights_id"]
    assert refusal(post(client, SMALL, weights_id=weights_id)) == (
        ["body", "weights_id"],
        "the state dict lacks 'conv1.weight' (shape [4, 8, 1, 1])",
    )
    wide = {**state, "conv3.weight": torch.zeros(8, 4, 3, 3)}
    weights_id = upload(client, save_safetensors(wide)).json()["weights_id"]
    assert refusal(post(client, SMALL, weights_id=weights_id)) == (
        ["body", "weights_id"],
        "'conv3.weight' has shape [8, 4, 3, 3]; this block needs [8, 4, 1, 1]",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"certainly not a tensor file", "not a .safetensors file, nor a .pt file torch.load(weights_only=True) reads"),
        (torch_bytes([torch.zeros(2)]), "not a state dict: the file holds a list, not names → tensors"),
        (torch_bytes({"w": 3}), "not a state dict: 'w' is a int, not a tensor"),
        (
            torch_bytes({"state_dict": {"w": torch.zeros(1)}, "epoch": 3}),
            "this is a checkpoint holding a 'state_dict': save checkpoint['state_dict'] alone",
        ),
        (torch_bytes(nn.Linear(2, 2)), "not a .safetensors file, nor a .pt file torch.load(weights_only=True) reads"),
    ],
)
def test_a_file_that_is_not_a_state_dict_is_refused(client, data, message):
    loc, msg = refusal(upload(client, data, "weights.pt"))
    assert loc == ["body", "file"]
    assert msg.startswith(message)


def test_a_state_dict_over_the_weights_limit_is_413(client):
    limit = 16 * 1024 * 1024 + 64 * 1024  # max_weights_bytes and the multipart envelope
    r = upload(client, save_safetensors({"w": torch.zeros(4_300_000)}))
    assert r.status_code == 413
    assert r.json()["detail"] == f"request body: over the limit of {limit} bytes"


def test_a_512_wide_blocks_state_dict_is_taken(client):
    """State dicts have their own limit, past the 2 MB of a JSON body: 3M float32 weights are 12 MB."""
    state = {"w": torch.zeros(3_000_000)}
    r = upload(client, save_safetensors(state))
    assert r.status_code == 200, r.text
    assert r.json()["keys"] == ["w"]
