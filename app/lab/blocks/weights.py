"""Uploaded state dicts for the blocks: read without pickle (`.safetensors`, or a `.pt` through
`torch.load(weights_only=True)`), kept as safetensors by content hash in a bounded store that all
workers of one host share. Whether one fits a block is checked when a block loads it."""

from functools import lru_cache
import io
import json
import struct

from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
import torch

from app.config import Settings
from app.core.errors import InputError, TooLarge
from app.store import BlobStore

ZIP = b"PK\x03\x04"  # torch.save's format since PyTorch 1.6
MAX_KEYS = 1024


@lru_cache
def weights_store(settings: Settings) -> BlobStore:
    return BlobStore(settings.store_dir / "blocks", settings.store_items, ".safetensors", ("weights_id",), "state dict")


def looks_like_safetensors(data: bytes) -> bool:
    """8 bytes of little-endian header length, then a JSON object."""
    if len(data) < 10:
        return False
    (length,) = struct.unpack("<Q", data[:8])
    return 0 < length <= len(data) - 8 and data[8:9] == b"{"


def read_state_dict(data: bytes) -> dict[str, torch.Tensor]:
    """The tensors of an uploaded file, by name; refused (field `file`) unless it is a flat state dict."""
    if not data:
        raise InputError(("file",), "the file is empty")
    if looks_like_safetensors(data):
        try:
            state = load_safetensors(data)
        except (SafetensorError, json.JSONDecodeError, ValueError) as error:
            raise InputError(("file",), f"not a readable .safetensors file: {error}") from error
    else:
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as error:  # torch.load raises many kinds: every one means "not a state dict we read"
            why = (str(error).splitlines() or [type(error).__name__])[0][:200]
            raise InputError(
                ("file",),
                "not a .safetensors file, nor a .pt file torch.load(weights_only=True) reads "
                f"(save block.state_dict(), not the module): {why}",
            ) from error
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        raise InputError(("file",), "this is a checkpoint holding a 'state_dict': save checkpoint['state_dict'] alone")
    if not isinstance(state, dict) or not state:
        raise InputError(("file",), f"not a state dict: the file holds a {type(state).__name__}, not names → tensors")
    if len(state) > MAX_KEYS:
        raise TooLarge(("file",), f"{len(state)} tensors is over the limit of {MAX_KEYS}")
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise InputError(("file",), f"not a state dict: '{key}' is a {type(value).__name__}, not a tensor")
        if value.is_complex() or value.dtype == torch.bool:
            raise InputError(("file",), f"'{key}' holds {value.dtype} values, not real numbers")
    return state


def store_weights(data: bytes, settings: Settings) -> tuple[str, dict[str, list[int]]]:
    """Keep an uploaded state dict; its id and the shape of every tensor, by name."""
    if len(data) > settings.max_weights_bytes:
        raise TooLarge(("file",), f"{len(data)} bytes is over the limit of {settings.max_weights_bytes}")
    state = read_state_dict(data)
    normalised = save_safetensors({key: value.detach().contiguous().clone() for key, value in state.items()})
    weights_id = weights_store(settings).put(normalised)
    return weights_id, {key: list(value.shape) for key, value in state.items()}


def get_weights(weights_id: str, settings: Settings) -> dict[str, torch.Tensor]:
    """A stored state dict; NotFound (404) when the id is unknown or was evicted."""
    return load_safetensors(weights_store(settings).get(weights_id))
