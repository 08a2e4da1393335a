"""Decoded uploads and state dicts, kept on disk by content hash so that every worker process of
one host shares them.

Each image is one `.npy` file (3, H, W) of uint8, a quarter of float32's size; `get` gives float32
in [0, 1] back. A store is bounded, fairly between addresses: one address holds at most
`per_address` items (its own least recently used go first), and past `max_items` in all the
biggest holder's least recently used go (see BlobStore). Writes
go through a temporary file and an atomic rename, so a reader in another worker never sees half
a file. The directory is private (0700, ours, not a symlink): the default lies in the
world-writable /tmp, where another user could otherwise plant links or read the uploads.

So that one client cannot flood the store, a client (its peer address) may add at most
`per_minute` new uploads of a kind in one clock minute (`UploadRate`: one file per client, kind
and minute that every worker appends a byte to, so all workers share the count).
"""

from collections.abc import Callable
import contextlib
from dataclasses import dataclass
import errno
import hashlib
import io
import os
from pathlib import Path
import re
import stat
import tempfile
import time

import numpy as np
import torch

from app.core.errors import InputError, NotFound

IMAGE_ID = re.compile(r"[0-9a-f]{32}")
WINDOW_S = 60
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW
APPEND_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW


class TooManyUploads(InputError):
    """One address's new uploads of this minute are over the limit (HTTP 429 with Retry-After)."""

    def __init__(self, per_minute: int, noun: str, retry_after_s: int) -> None:
        message = f"over the limit of {per_minute} new {noun}s a minute from one address; retry in {retry_after_s} s"
        super().__init__(("file",), message)
        self.retry_after_s = retry_after_s


def private_directory(directory: Path) -> Path:
    """`directory`, made 0700 if new; refused (RuntimeError, at start-up) if it is a symlink or
    another user's. One of ours that is looser is tightened to 0700."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = os.lstat(directory)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid():
        raise RuntimeError(f"the store {directory} must be a directory of this user's, not a link or another's")
    if found.st_mode & 0o077:
        os.chmod(directory, 0o700, follow_symlinks=False)
    return directory


def read_private(path: Path) -> bytes:
    """A file's bytes, never through a symlink (FileNotFoundError if it is gone)."""
    try:
        handle = os.open(path, READ_FLAGS)
    except OSError as error:
        if isinstance(error, FileNotFoundError) or error.errno == errno.ELOOP:
            raise FileNotFoundError(path) from error
        raise
    with os.fdopen(handle, "rb") as file:
        return file.read()


class UploadRate:
    """At most `per_minute` new uploads of one kind from one client in a clock minute (0: no limit),
    counted in files that every worker appends to."""

    def __init__(self, directory: Path, per_minute: int, noun: str) -> None:
        self.per_minute = per_minute
        self.noun = noun
        self.counts = private_directory(directory / "clients")

    def check(self, client: str | None) -> None:
        """TooManyUploads if `client` has used up this minute already; counts nothing. Asked before
        any decoding, so that a refused client costs no compute."""
        if client is not None and self.per_minute > 0 and self._read(client) >= self.per_minute:
            self._refuse()

    def count(self, client: str | None) -> None:
        """Add one upload to `client`'s count for this minute; TooManyUploads once it is over the limit."""
        if client is None or self.per_minute <= 0:
            return
        handle = os.open(self._counter(client), APPEND_FLAGS, 0o600)
        with os.fdopen(handle, "ab") as file:  # O_APPEND: appends from every worker add up
            file.write(b".")
            file.flush()
            count = os.fstat(file.fileno()).st_size
        if count > self.per_minute:
            self._refuse()
        window = str(int(time.time() // WINDOW_S))
        for old in self.counts.glob("*-*"):
            if old.name.rsplit("-", 1)[1] != window:
                old.unlink(missing_ok=True)

    def _counter(self, client: str) -> Path:
        key = hashlib.sha256(f"{self.noun}\0{client}".encode()).hexdigest()[:16]
        return self.counts / f"{key}-{int(time.time() // WINDOW_S)}"

    def _read(self, client: str) -> int:
        try:
            return os.lstat(self._counter(client)).st_size
        except FileNotFoundError:
            return 0

    def _refuse(self) -> None:
        now = time.time()
        retry = max(1, int((int(now // WINDOW_S) + 1) * WINDOW_S - now + 0.999))
        raise TooManyUploads(self.per_minute, self.noun, retry)


@dataclass(frozen=True)
class Kept:
    """What `BlobStore.keep` did: the id, and the ids of the same address's uploads it evicted."""

    id: str
    evicted: list[str]


ANONYMOUS = "-"  # the owner of uploads whose client is unknown (tests, the store used directly)


class BlobStore:
    """Files of bytes by content hash, shared by every worker of one host: bounded, written through
    a temporary file and an atomic rename.

    Eviction is fair between addresses. Who uploaded what is kept on disk too (an empty file
    owners/<address key>/<id> per upload), so every worker sees it. An address holds at most
    `per_address` items: past that its own least recently used go, never another's. Past
    `max_items` in all, the address holding the most items loses its least recently used first
    (ties: the oldest), so a class of students each with a few uploads keeps them while one
    student, or a few addresses, filling the store evict each other. Until every address holds
    the same number this is the plain LRU for a class that uploads evenly.
    """

    def __init__(
        self,
        directory: Path,
        max_items: int,
        suffix: str,
        field: tuple[str, ...],
        noun: str,
        per_address: int = 0,
    ) -> None:
        self.directory = private_directory(directory)
        self.owners = private_directory(self.directory / "owners")
        self.max_items = max_items
        self.per_address = per_address  # 0: no quota per address, only the fair global bound
        self.suffix = suffix
        self.field = field  # the request field that holds an id, for refusals
        self.noun = noun  # what is stored, as a refusal names it: "image", "state dict"

    def put(self, data: bytes, admit: Callable[[], None] | None = None, client: str | None = None) -> str:
        """Keep `data` for `client`; return its id, a hash of it. `admit` is asked (and may refuse)
        only for new data."""
        return self.keep(data, admit, client).id

    def keep(self, data: bytes, admit: Callable[[], None] | None = None, client: str | None = None) -> "Kept":
        """`put`, also saying which of `client`'s own earlier uploads went to keep it within
        `per_address` (its least recently used first)."""
        digest = hashlib.sha256(data).hexdigest()[:32]
        path = self._path(digest)
        try:
            os.utime(path, follow_symlinks=False)
            self._own(digest, client)
            return Kept(digest, self._evict_own(client, keep=digest))
        except FileNotFoundError:  # new, or evicted by another worker since: written (again)
            pass
        if admit is not None:
            admit()
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
        self._own(digest, client)
        evicted = self._evict_own(client, keep=digest)
        self._evict(keep=digest)
        return Kept(digest, evicted)

    def get(self, blob_id: str) -> bytes:
        """The bytes stored under `blob_id`; NotFound if unknown or evicted."""
        path = self._path(self._checked(blob_id))
        try:
            data = read_private(path)
            os.utime(path, follow_symlinks=False)
        except FileNotFoundError as error:
            raise self._gone(blob_id) from error
        return data

    def touch(self, blob_id: str) -> None:
        """Mark `blob_id` as used now; NotFound if unknown or evicted, as `get` says it."""
        try:
            os.utime(self._path(self._checked(blob_id)), follow_symlinks=False)
        except FileNotFoundError as error:
            raise self._gone(blob_id) from error

    def _checked(self, blob_id: str) -> str:
        if not IMAGE_ID.fullmatch(blob_id):
            raise InputError(self.field, f"{self.noun} ids are 32 lowercase hex digits")
        return blob_id

    def _gone(self, blob_id: str) -> NotFound:
        message = f"{self.noun} '{blob_id}' is not stored (it may have been evicted); upload it again"
        return NotFound(self.field, message)

    def _path(self, blob_id: str) -> Path:
        return self.directory / f"{blob_id}{self.suffix}"

    def _owner(self, client: str | None) -> str:
        return hashlib.sha256((client or ANONYMOUS).encode()).hexdigest()[:16]

    def _own(self, digest: str, client: str | None) -> None:
        for _ in range(3):  # another worker may remove the folder the moment it is empty
            folder = private_directory(self.owners / self._owner(client))
            try:
                os.close(os.open(folder / digest, APPEND_FLAGS, 0o600))
                return
            except FileNotFoundError:
                continue

    def _used(self, digest: str) -> float | None:
        """When `digest` was last used, or None when it is gone."""
        try:
            return os.stat(self._path(digest), follow_symlinks=False).st_mtime
        except FileNotFoundError:
            return None

    def _held(self) -> dict[str, list[tuple[float, str]]]:
        """Every owner's items, as (last used, id) oldest first; marks of items gone are removed."""
        held: dict[str, list[tuple[float, str]]] = {}
        for folder in self.owners.iterdir():
            items = []
            for mark in folder.iterdir() if folder.is_dir() else ():
                used = self._used(mark.name)
                if used is None:
                    mark.unlink(missing_ok=True)  # evicted by a worker, or by the global bound
                else:
                    items.append((used, mark.name))
            if items:
                held[folder.name] = sorted(items)
            else:  # an address that holds nothing any more: its folder goes (one a past address)
                with contextlib.suppress(OSError):  # not empty: a mark was just added
                    folder.rmdir()
        return held

    def _drop(self, owner: str, digest: str) -> None:
        """`owner` lets go of `digest`; the file goes once nobody else holds it."""
        (self.owners / owner / digest).unlink(missing_ok=True)
        if not any(self.owners.glob(f"*/{digest}")):
            self._path(digest).unlink(missing_ok=True)

    def _evict_own(self, client: str | None, keep: str) -> list[str]:
        """`client`'s least recently used items past `per_address`, never `keep`: their ids."""
        if self.per_address <= 0:
            return []
        owner = self._owner(client)
        items = []
        for mark in (self.owners / owner).iterdir():
            used = self._used(mark.name)
            if used is None:
                mark.unlink(missing_ok=True)
            elif mark.name != keep:
                items.append((used, mark.name))
        items.sort()
        gone = [digest for _, digest in items[: max(0, len(items) + 1 - self.per_address)]]
        for digest in gone:
            self._drop(owner, digest)
        return gone

    def _evict(self, keep: str) -> None:
        """Past max_items in all, the biggest holder's least recently used go first; never `keep`,
        the item just written, which a concurrent put in another worker could take for the oldest.
        Files nobody owns (written before owners were kept) are one holder together."""
        files = []
        for path in self.directory.glob(f"*{self.suffix}"):
            try:
                files.append((path.stat(follow_symlinks=False).st_mtime, path.name.removesuffix(self.suffix)))
            except FileNotFoundError:  # another worker evicted it first
                continue
        excess = len(files) - self.max_items
        if excess <= 0:
            return
        held = self._held()
        owned = {digest for items in held.values() for _, digest in items}
        held[""] = sorted(item for item in files if item[1] not in owned)
        for items in held.values():
            items[:] = [item for item in items if item[1] != keep]
        gone: set[str] = set()
        while excess > 0:
            candidates = [(-len(items), items[0][0], owner) for owner, items in held.items() if items]
            if not candidates:
                return
            _, _, owner = min(candidates)
            _, digest = held[owner].pop(0)
            if digest in gone:
                continue
            gone.add(digest)
            self._path(digest).unlink(missing_ok=True)
            for items in held.values():  # shared by several holders: gone for all of them
                items[:] = [item for item in items if item[1] != digest]
            excess -= 1


class ImageStore:
    """Decoded images (3, H, W) as uint8 `.npy` files in a BlobStore, with a per-client upload rate."""

    def __init__(self, directory: Path, max_items: int, per_minute: int = 0, per_address: int = 0) -> None:
        self.blobs = BlobStore(directory, max_items, ".npy", ("input", "image_id"), "image", per_address)
        self.rate = UploadRate(directory, per_minute, "image")

    def put(self, image: torch.Tensor, client: str | None = None) -> str:
        """Keep a decoded image (3, H, W) in [0, 1]; return its id, a hash of its stored pixels."""
        return self.keep(image, client).id

    def keep(self, image: torch.Tensor, client: str | None = None) -> Kept:
        """`put`, also saying which of `client`'s earlier images went for its quota.

        A new image counts against `client`'s uploads of this minute (TooManyUploads past the limit);
        one already stored costs nothing.
        """
        array = (image.clamp(0, 1) * 255).round().to(torch.uint8).contiguous().numpy()  # (3, H, W)
        buffer = io.BytesIO()
        np.save(buffer, array)
        return self.blobs.keep(buffer.getvalue(), lambda: self.rate.count(client), client)

    def get(self, image_id: str) -> torch.Tensor:
        """The image (3, H, W) float32 in [0, 1] stored under `image_id`; NotFound if unknown or evicted."""
        array = np.load(io.BytesIO(self.blobs.get(image_id)), allow_pickle=False)
        return torch.from_numpy(array).float().div_(255)
