"""Decoded uploads, kept on disk by content hash so that every worker process of one host shares them.

Each image is one `.npy` file (3, H, W) of uint8, a quarter of float32's size; `get` gives float32
in [0, 1] back. The store is bounded: past `max_items` the least recently used files go. Writes
go through a temporary file and an atomic rename, so a reader in another worker never sees half
a file.

So that one client cannot evict everybody's images, a client (its peer address) may store at most
`per_minute` new images in one clock minute: the count is one file per client and minute that
every worker appends a byte to, so all workers share it.
"""

from collections.abc import Callable
import hashlib
import io
import os
from pathlib import Path
import re
import tempfile
import time

import numpy as np
import torch

from app.core.errors import InputError, NotFound

IMAGE_ID = re.compile(r"[0-9a-f]{32}")
WINDOW_S = 60


class TooManyUploads(InputError):
    """One address's new uploads of this minute are over the limit (HTTP 429 with Retry-After)."""

    def __init__(self, per_minute: int, retry_after_s: int) -> None:
        message = f"over the limit of {per_minute} new images a minute from one address; retry in {retry_after_s} s"
        super().__init__(("file",), message)
        self.retry_after_s = retry_after_s


class BlobStore:
    """Files of bytes by content hash, shared by every worker of one host: bounded, the least
    recently used first out; written through a temporary file and an atomic rename."""

    def __init__(self, directory: Path, max_items: int, suffix: str, field: tuple[str, ...], noun: str) -> None:
        self.directory = directory
        self.max_items = max_items
        self.suffix = suffix
        self.field = field  # the request field that holds an id, for refusals
        self.noun = noun  # what is stored, as a refusal names it: "image", "state dict"
        directory.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, admit: Callable[[], None] | None = None) -> str:
        """Keep `data`; return its id, a hash of it. `admit` is asked (and may refuse) only for new data."""
        digest = hashlib.sha256(data).hexdigest()[:32]
        path = self._path(digest)
        if path.exists():
            os.utime(path)
            return digest
        if admit is not None:
            admit()
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
        self._evict()
        return digest

    def get(self, blob_id: str) -> bytes:
        """The bytes stored under `blob_id`; NotFound if unknown or evicted."""
        if not IMAGE_ID.fullmatch(blob_id):
            raise InputError(self.field, f"{self.noun} ids are 32 lowercase hex digits")
        path = self._path(blob_id)
        try:
            data = path.read_bytes()
            os.utime(path)
        except FileNotFoundError as error:
            message = f"{self.noun} '{blob_id}' is not stored (it may have been evicted); upload it again"
            raise NotFound(self.field, message) from error
        return data

    def _path(self, blob_id: str) -> Path:
        return self.directory / f"{blob_id}{self.suffix}"

    def _evict(self) -> None:
        files = []
        for path in self.directory.glob(f"*{self.suffix}"):
            try:
                files.append((path.stat().st_mtime, path))
            except FileNotFoundError:  # another worker evicted it first
                continue
        files.sort()
        for _, path in files[: max(0, len(files) - self.max_items)]:
            path.unlink(missing_ok=True)


class ImageStore:
    """Decoded images (3, H, W) as uint8 `.npy` files in a BlobStore, with a per-client upload rate."""

    def __init__(self, directory: Path, max_items: int, per_minute: int = 0) -> None:
        self.blobs = BlobStore(directory, max_items, ".npy", ("input", "image_id"), "image")
        self.per_minute = per_minute  # 0: no limit
        self.counts = directory / "clients"
        self.counts.mkdir(parents=True, exist_ok=True)

    def put(self, image: torch.Tensor, client: str | None = None) -> str:
        """Keep a decoded image (3, H, W) in [0, 1]; return its id, a hash of its stored pixels.

        A new image counts against `client`'s uploads of this minute (TooManyUploads past the limit);
        one already stored costs nothing.
        """
        array = (image.clamp(0, 1) * 255).round().to(torch.uint8).contiguous().numpy()  # (3, H, W)
        buffer = io.BytesIO()
        np.save(buffer, array)
        counted = client is not None and self.per_minute > 0
        return self.blobs.put(buffer.getvalue(), (lambda: self._count(client)) if counted else None)

    def get(self, image_id: str) -> torch.Tensor:
        """The image (3, H, W) float32 in [0, 1] stored under `image_id`; NotFound if unknown or evicted."""
        array = np.load(io.BytesIO(self.blobs.get(image_id)), allow_pickle=False)
        return torch.from_numpy(array).float().div_(255)

    def _count(self, client: str) -> None:
        """Add one upload to `client`'s count for this minute; TooManyUploads once it is over the limit."""
        now = time.time()
        window = int(now // WINDOW_S)
        key = hashlib.sha256(client.encode()).hexdigest()[:16]
        counter = self.counts / f"{key}-{window}"
        with open(counter, "ab") as file:  # O_APPEND: appends from every worker add up
            file.write(b".")
            file.flush()
            count = os.fstat(file.fileno()).st_size
        if count > self.per_minute:
            raise TooManyUploads(self.per_minute, max(1, int((window + 1) * WINDOW_S - now + 0.999)))
        for old in self.counts.glob("*-*"):
            if old.name.rsplit("-", 1)[1] != str(window):
                old.unlink(missing_ok=True)
