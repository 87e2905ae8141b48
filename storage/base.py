"""The ObjectStore protocol and the policy every store shares.

A backend implements a handful of primitives (``_write``, ``_open``,
``_stat``, ``_list``, ``_delete``); :class:`BaseStore` builds the public
operations on top and enforces the rules that must hold for every backend:
keys are validated, originals are immutable and content-addressed, and the
SHA-256 of every write is computed while the bytes flow.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from .errors import ContentMismatch, ImmutableObject, InvalidKey
from .keys import original_digest, validate_key, validate_prefix

CHUNK_SIZE = 1024 * 1024


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: datetime
    sha256: str | None = None


@dataclass(frozen=True)
class PutResult:
    key: str
    size: int
    sha256: str
    created: bool
    """False when an identical original was already stored (idempotent put)."""


@runtime_checkable
class ObjectStore(Protocol):
    """What the rest of Bauakte may ask of an object store."""

    @property
    def location(self) -> str:
        """Where the store lives, safe to print (no credentials)."""
        ...

    def ensure_ready(self) -> None: ...

    def put_file(self, key: str, path: str | os.PathLike[str]) -> PutResult: ...

    def put_stream(self, key: str, stream: BinaryIO) -> PutResult: ...

    def open(self, key: str, start: int = 0, length: int | None = None) -> BinaryIO: ...

    def read_bytes(self, key: str, start: int = 0, length: int | None = None) -> bytes: ...

    def stat(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def delete(self, key: str) -> None: ...

    def copy(self, source: str, target: str) -> int: ...


class HashingReader(io.RawIOBase):
    """Wraps a binary stream; hashes and counts every byte read through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.hasher = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # Overridden so the common path hands the raw bytes through without
        # the two extra copies RawIOBase.read would make via readinto.
        data = self._raw.read(size if size is not None and size >= 0 else -1)
        if data:
            self.hasher.update(data)
            self.size += len(data)
        return data

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n

    @property
    def hexdigest(self) -> str:
        return self.hasher.hexdigest()


def hash_stream(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 and length of everything left in ``stream``."""
    reader = HashingReader(stream)  # it hashes and counts what passes: drain it
    while reader.read(CHUNK_SIZE):
        pass
    return reader.hexdigest, reader.size


class BaseStore:
    """Shared policy; subclasses provide the primitives."""

    @property
    def location(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- primitives -------------------------------------------------------
    def _write(self, key: str, stream: BinaryIO, expected_sha256: str | None) -> PutResult:
        """Write atomically; raise ContentMismatch (writing nothing) if the
        digest differs from ``expected_sha256``; for originals never replace
        an existing object."""
        raise NotImplementedError

    def _open(self, key: str, start: int, length: int | None) -> BinaryIO:
        raise NotImplementedError

    def _stat(self, key: str) -> ObjectInfo:
        raise NotImplementedError

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        raise NotImplementedError

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    def _copy(self, source: str, target: str) -> None:
        """Copy within the store; a store that can copy without the bytes passing through
        this process does so (S3's CopyObject). Here: stream them through."""
        with self._open(source, 0, None) as stream:
            self._write(target, stream, None)

    def ensure_ready(self) -> None:
        raise NotImplementedError

    # -- public operations -----------------------------------------------
    def put_stream(self, key: str, stream: BinaryIO) -> PutResult:
        validate_key(key)
        expected = original_digest(key)
        if expected is not None and self.exists(key):
            digest, size = hash_stream(stream)
            if digest != expected:
                raise ContentMismatch(f"bytes given for {key} hash to {digest}")
            return PutResult(key=key, size=size, sha256=digest, created=False)
        return self._write(key, stream, expected)

    def put_file(self, key: str, path: str | os.PathLike[str]) -> PutResult:
        with Path(path).open("rb") as stream:
            return self.put_stream(key, stream)

    def open(self, key: str, start: int = 0, length: int | None = None) -> BinaryIO:
        validate_key(key)
        if start < 0 or (length is not None and length < 0):
            raise ValueError("byte range must not be negative")
        return self._open(key, start, length)

    def read_bytes(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        with self.open(key, start, length) as stream:
            return stream.read()

    def stat(self, key: str) -> ObjectInfo:
        return self._stat(validate_key(key))

    def exists(self, key: str) -> bool:
        try:
            self.stat(key)
        except FileNotFoundError:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        return self._list(validate_prefix(prefix))

    def delete(self, key: str) -> None:
        validate_key(key)
        if original_digest(key) is not None:
            raise ImmutableObject(f"{key} is an original; originals are never deleted")
        self._delete(key)

    def copy(self, source: str, target: str) -> int:
        """The object at ``source`` also at ``target`` (replaced if there); its size.

        FileNotFoundError names a missing source, never the target. An original is
        only ever written from bytes whose digest was checked on the way in, so
        ``target`` may not be one.
        """
        validate_key(source)
        validate_key(target)
        if original_digest(target) is not None:
            raise ImmutableObject(f"{target} is an original; it is stored from its bytes only")
        if source == target:
            raise InvalidKey(f"{source} cannot be copied onto itself")
        size = self._stat(source).size
        self._copy(source, target)
        return size


class RangeReader(io.RawIOBase):
    """Reads at most ``remaining`` bytes from an already positioned stream."""

    def __init__(self, raw: BinaryIO, remaining: int | None) -> None:
        self._raw = raw
        self._remaining = remaining

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        want = len(buffer)
        if self._remaining is not None:
            want = min(want, self._remaining)
        if want <= 0:
            return 0
        data = self._raw.read(want)
        n = len(data)
        buffer[:n] = data
        if self._remaining is not None:
            self._remaining -= n
        return n

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()
