"""Uploads and samples as a service: decode an upload once into the shared store; list and draw
the bundled samples."""

from functools import lru_cache

from pydantic import BaseModel, Field

from app.config import Settings
from app.core import inputs
from app.core.errors import InputError, NotFound, TooLarge
from app.lab.runtime import get_store, sample_image


class StoredImage(BaseModel):
    image_id: str
    width: int
    height: int
    evicted: list[str] = Field(
        default_factory=list,
        description="ids of this address's earlier uploads evicted to keep it within store_items_per_address "
        "(its least recently used first); empty when none went",
    )


class Sample(BaseModel):
    name: str
    title: str
    width: int
    height: int


def check_upload_size(size: int, settings: Settings) -> None:
    if size > settings.max_upload_bytes:
        raise TooLarge(("file",), f"the file is over the limit of {settings.max_upload_bytes} bytes")


def store_upload(data: bytes, settings: Settings, client: str | None = None) -> StoredImage:
    """Decode the bytes (3, H, W), shrink to max_side and keep the pixels by content hash; a new
    image counts against `client`'s uploads of this minute (a 429 past uploads_per_minute); the
    answer names the client's own earlier images evicted for its quota (store_items_per_address)."""
    check_upload_size(len(data), settings)
    store = get_store(settings)
    store.rate.check(client)  # before decoding: a client over its limit costs no compute
    try:
        image = inputs.decode_image(data, settings.max_upload_pixels, settings.max_side, settings.max_jpeg_scans)
    except InputError:
        store.rate.count(client)  # a refused file cost the reading: it counts, or refusals would be free to repeat
        raise
    kept = store.keep(image, client)  # (3, H, W)
    return StoredImage(image_id=kept.id, width=image.shape[2], height=image.shape[1], evicted=kept.evicted)


def list_samples() -> list[Sample]:
    side = inputs.SAMPLE_SIDE
    return [Sample(name=name, title=title, width=side, height=side) for name, (title, _) in inputs.SAMPLES.items()]


@lru_cache(maxsize=len(inputs.SAMPLES))
def _sample_png(name: str) -> bytes:
    return inputs.to_png(sample_image(name))


def sample_png(name: str) -> bytes:
    """One sample as PNG; NotFound names the samples there are."""
    if name not in inputs.SAMPLES:
        raise NotFound(("path", "name"), f"no sample named '{name}'; the samples are {', '.join(inputs.SAMPLES)}")
    return _sample_png(name)
