"""Decoded uploads, kept on disk by content hash so that every worker process of one host shares them.

Each image is one `.npy` file (3, H, W) float32. The store is bounded: past `max_items` the least
recently used files go. Writes go through a temporary file and an atomic rename, so a reader in
another worker never sees half a file.
"""

import hashlib
import os
from pathlib import Path
import re
import tempfile

import numpy as np
import torch

from app.core.errors import InputError, NotFound

IMAGE_ID = re.compile(r"^[0-9a-f]{32}$")


class ImageStore:
    def __init__(self, directory: Path, max_items: int) -> None:
        self.directory = directory
        self.max_items = max_items
        directory.mkdir(parents=True, exist_ok=True)

    def put(self, image: torch.Tensor) -> str:
        """Keep a decoded image (3, H, W); return its id, a hash of its pixels."""
        array = np.ascontiguousarray(image.numpy(), dtype=np.float32)
        digest = hashlib.sha256(repr(array.shape).encode() + array.tobytes()).hexdigest()[:32]
        path = self._path(digest)
        if path.exists():
            os.utime(path)
            return digest
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            np.save(file, array)
        os.replace(temporary, path)
        self._evict()
        return digest

    def get(self, image_id: str) -> torch.Tensor:
        """The image (3, H, W) stored under `image_id`; NotFound if unknown or evicted."""
        if not IMAGE_ID.match(image_id):
            raise InputError(("input", "image_id"), "an image id is 32 lowercase hex digits")
        path = self._path(image_id)
        try:
            array = np.load(path, allow_pickle=False)
            os.utime(path)
        except FileNotFoundError as error:
            raise NotFound(
                ("input", "image_id"), f"image '{image_id}' is not stored (it may have been evicted); upload it again"
            ) from error
        return torch.from_numpy(array)

    def _path(self, image_id: str) -> Path:
        return self.directory / f"{image_id}.npy"

    def _evict(self) -> None:
        files = []
        for path in self.directory.glob("*.npy"):
            try:
                files.append((path.stat().st_mtime, path))
            except FileNotFoundError:  # another worker evicted it first
                continue
        files.sort()
        for _, path in files[: max(0, len(files) - self.max_items)]:
            path.unlink(missing_ok=True)
