"""Uploaded state dicts for the blocks: read without pickle (`.safetensors`, or a `.pt` through
`torch.load(weights_only=True)`), kept as safetensors by content hash in a bounded store that all
workers of one host share. Whether one fits a block is checked when a block loads it.

A file is measured before it is read: a `.pt` is a zip whose entries may be deflated (1.5 MB
can declare 1.5 GB), so the central directory's declared sizes, the number of entries and the
pickle's size and string count are checked first; a `.safetensors` header declares every tensor's
dtype and shape, checked before a byte of data is read. Once read, every tensor's own size (a view
may repeat one stored number a billion times, stride 0) is checked before it is copied.
"""

from functools import lru_cache
import io
import json
import math
import pickletools
import struct
import zipfile

from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
import torch

from app.config import Settings
from app.core.errors import InputError, TooLarge
from app.store import BlobStore, UploadRate

MAX_KEYS = 1024
# A state dict's index (a .pt's pickle, a .safetensors' JSON header) takes about 100 bytes a tensor.
MAX_INDEX_BYTES = MAX_KEYS * 512
# Besides one storage a tensor, torch.save writes data.pkl, version, byteorder and a few more.
MAX_ZIP_ENTRIES = MAX_KEYS + 16
# Each key of a pickled state dict is one string, and its storage record adds one or two.
MAX_PICKLE_STRINGS = 3 * MAX_KEYS + 16
# The dtypes a block's parameters and buffers can be loaded from; safetensors' names for them.
DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
}
ACCEPTED = ", ".join(str(dtype).removeprefix("torch.") for dtype in DTYPES.values())
ACCEPTED_SAFETENSORS = ", ".join(DTYPES)


@lru_cache
def weights_store(settings: Settings) -> BlobStore:
    directory, quota = settings.store_dir / "blocks", settings.store_items_per_address
    return BlobStore(directory, settings.store_items, ".safetensors", ("weights_id",), "state dict", quota)


@lru_cache
def weights_rate(settings: Settings) -> UploadRate:
    return UploadRate(settings.store_dir, settings.uploads_per_minute, "state dict")


def looks_like_safetensors(data: bytes) -> bool:
    """8 bytes of little-endian header length, then a JSON object."""
    if len(data) < 10:
        return False
    (length,) = struct.unpack("<Q", data[:8])
    return 0 < length <= len(data) - 8 and data[8:9] == b"{"


def check_expanded(total: int, settings: Settings) -> None:
    if total > settings.max_state_dict_bytes:
        raise TooLarge(
            ("file",),
            f"its tensors declare {total} bytes once read, over the limit of {settings.max_state_dict_bytes}",
        )


def check_key_count(count: int) -> None:
    if count > MAX_KEYS:
        raise TooLarge(("file",), f"{count} tensors is over the limit of {MAX_KEYS}")


def measure_safetensors(data: bytes, settings: Settings) -> None:
    """The header's keys, dtypes and declared sizes within the limits, before any tensor is read."""
    (length,) = struct.unpack("<Q", data[:8])
    if length > MAX_INDEX_BYTES:
        raise TooLarge(("file",), f"its header of {length} bytes is over the limit of {MAX_INDEX_BYTES}")
    try:
        header = json.loads(data[8 : 8 + length])
    except (ValueError, RecursionError) as error:
        raise InputError(("file",), "not a readable .safetensors file: its header is not JSON") from error
    if not isinstance(header, dict):
        raise InputError(("file",), "not a readable .safetensors file: its header is not an object")
    entries = {key: value for key, value in header.items() if key != "__metadata__"}
    check_key_count(len(entries))
    total = 0
    for key, entry in entries.items():
        shape = entry.get("shape") if isinstance(entry, dict) else None
        if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise InputError(("file",), f"not a readable .safetensors file: '{key}' has no shape")
        dtype = DTYPES.get(entry.get("dtype"))
        if dtype is None:
            dtype = entry.get("dtype")
            raise InputError(("file",), f"'{key}' holds {dtype} values; the dtypes accepted are {ACCEPTED_SAFETENSORS}")
        total += math.prod(shape) * dtype.itemsize
    check_expanded(total, settings)


def measure_zip(data: bytes, settings: Settings) -> None:
    """A torch.save zip within the limits from its central directory and its pickle's opcodes,
    before torch.load inflates anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise InputError(("file",), f"not a readable .pt file: {error}") from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise TooLarge(("file",), f"its archive holds {len(entries)} entries, over the limit of {MAX_ZIP_ENTRIES}")
    check_expanded(sum(entry.file_size for entry in entries), settings)
    pickles = [entry for entry in entries if entry.filename.endswith("/data.pkl") or entry.filename == "data.pkl"]
    if len(pickles) != 1:
        raise InputError(("file",), "not a readable .pt file: the archive holds no data.pkl")
    if pickles[0].file_size > MAX_INDEX_BYTES:
        size = pickles[0].file_size
        raise TooLarge(("file",), f"its pickle of {size} bytes is over the limit of {MAX_INDEX_BYTES}")
    try:
        with archive.open(pickles[0]) as file:
            pickled = file.read(MAX_INDEX_BYTES + 1)  # the entry's declared size may lie: read no further
        strings = sum(1 for opcode, _, _ in pickletools.genops(pickled) if "UNICODE" in opcode.name)
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError) as error:
        raise InputError(("file",), f"not a readable .pt file: {error}") from error
    if len(pickled) > MAX_INDEX_BYTES:
        raise TooLarge(("file",), f"its pickle is over the limit of {MAX_INDEX_BYTES} bytes")
    if strings > MAX_PICKLE_STRINGS:  # every key is a string: more strings than this, more keys than MAX_KEYS
        raise TooLarge(("file",), f"its pickle holds {strings} strings, too many for the limit of {MAX_KEYS} tensors")


def check_tensors(state: dict, field: tuple[str, ...], settings: Settings) -> None:
    """Every value a dense, real tensor on the CPU of an accepted dtype, finite and within
    ±max_weight_abs (larger ones overflow float32 in a block), a BatchNorm running variance ≥ 0;
    their sizes together within max_state_dict_bytes. The first key at fault is named."""
    total = 0
    for key, value in state.items():
        if not isinstance(key, str) or not isinstance(value, torch.Tensor):
            raise InputError(field, f"not a state dict: '{key}' is a {type(value).__name__}, not a tensor")
        if value.layout != torch.strided:
            raise InputError(field, f"'{key}' is a {value.layout} tensor; only dense (torch.strided) ones are accepted")
        if value.device.type != "cpu":
            device = value.device.type
            raise InputError(field, f"'{key}' is on the {device} device, without values; save it from the CPU")
        if value.is_quantized or value.dtype not in DTYPES.values():
            dtype = str(value.dtype).removeprefix("torch.")
            raise InputError(field, f"'{key}' holds {dtype} values; the dtypes accepted are {ACCEPTED}")
        total += value.numel() * value.element_size()
        check_expanded(total, settings)
    for key, value in state.items():
        check_values(key, value, field, settings)


def check_values(key: str, value: torch.Tensor, field: tuple[str, ...], settings: Settings) -> None:
    if not value.is_floating_point() or value.numel() == 0:
        return
    if not bool(torch.isfinite(value).all()):
        raise InputError(field, f"'{key}' holds values that are not finite (NaN or ±infinity)")
    largest = float(value.abs().max())
    if largest > settings.max_weight_abs:
        raise InputError(
            field,
            f"'{key}' holds values up to {largest:.4g} in size, over the limit of {settings.max_weight_abs:g} "
            "(a block's float32 stages overflow past it)",
        )
    if key.endswith("running_var") and bool((value < 0).any()):
        raise InputError(field, f"'{key}' is a BatchNorm running variance and holds negative values; a variance is ≥ 0")


def read_state_dict(data: bytes, settings: Settings) -> dict[str, torch.Tensor]:
    """The tensors of an uploaded file, by name; refused (field `file`) unless it is a flat state dict
    within the limits, measured before it is read."""
    if not data:
        raise InputError(("file",), "the file is empty")
    if looks_like_safetensors(data):
        measure_safetensors(data, settings)
        try:
            state = load_safetensors(data)
        except (SafetensorError, json.JSONDecodeError, ValueError) as error:
            raise InputError(("file",), f"not a readable .safetensors file: {error}") from error
    elif data.startswith(b"PK\x03\x04"):  # torch.save's format since PyTorch 1.6
        measure_zip(data, settings)
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as error:  # torch.load raises many kinds: every one means "not a state dict we read"
            why = (str(error).splitlines() or [type(error).__name__])[0][:200]
            raise InputError(
                ("file",),
                "not a .safetensors file, nor a .pt file torch.load(weights_only=True) reads "
                f"(save block.state_dict(), not the module): {why}",
            ) from error
    else:
        # torch.save's legacy format declares storage sizes that torch.load allocates before reading.
        raise InputError(
            ("file",),
            "not a .safetensors file, nor a .pt file torch.load(weights_only=True) reads "
            "(a .pt must be torch.save's zip archive, the format since PyTorch 1.6)",
        )
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        raise InputError(("file",), "this is a checkpoint holding a 'state_dict': save checkpoint['state_dict'] alone")
    if not isinstance(state, dict) or not state:
        raise InputError(("file",), f"not a state dict: the file holds a {type(state).__name__}, not names → tensors")
    check_key_count(len(state))
    check_tensors(state, ("file",), settings)
    return state


def store_weights(
    data: bytes, settings: Settings, client: str | None = None
) -> tuple[str, dict[str, list[int]], list[str]]:
    """Keep an uploaded state dict; its id, the shape of every tensor by name, and the ids of the
    client's earlier state dicts evicted for its quota (store_items_per_address). A new one counts
    against `client`'s uploads of this minute (429 past uploads_per_minute), as an image does."""
    if len(data) > settings.max_weights_bytes:
        raise TooLarge(("file",), f"{len(data)} bytes is over the limit of {settings.max_weights_bytes}")
    rate = weights_rate(settings)
    rate.check(client)
    try:
        state = read_state_dict(data, settings)
    except InputError:
        rate.count(client)  # a refused file cost the reading: it counts, or refusals would be free to repeat
        raise
    normalised = save_safetensors({key: value.detach().contiguous().clone() for key, value in state.items()})
    kept = weights_store(settings).keep(normalised, lambda: rate.count(client), client)
    return kept.id, {key: list(value.shape) for key, value in state.items()}, kept.evicted


def get_weights(weights_id: str, settings: Settings) -> dict[str, torch.Tensor]:
    """A stored state dict; NotFound (404) when the id is unknown or was evicted. Its tensors are
    checked again, as at upload: the store may hold files written before a check existed."""
    state = load_safetensors(weights_store(settings).get(weights_id))
    check_tensors(state, ("weights_id",), settings)
    return state
