"""The embedded default: objects as files under one root folder.

Writes go to ``<root>/.tmp/`` first and are then renamed (or, for originals,
hard-linked so an existing object can never be replaced) into place, so a
reader sees either the whole object or nothing.  Originals are fsynced (file
and folder) before they count as stored, so they survive a power loss;
derived renditions are not, since they can always be rebuilt from the
original, and an fsync per thumbnail would double the cost of an ingest.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from .base import CHUNK_SIZE, BaseStore, HashingReader, ObjectInfo, PutResult, RangeReader
from .errors import ContentMismatch, StorageUnavailable
from .keys import validate_key

TMP_DIR = ".tmp"

# OS errors that mean "the disk or mount is gone", not "this key is wrong".
_UNAVAILABLE_ERRNOS = {
    errno.EIO,
    errno.ENOSPC,
    errno.EROFS,
    errno.ENODEV,
    errno.ENXIO,
    errno.EDQUOT,
}


class FilesystemStore(BaseStore):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).absolute()

    @property
    def location(self) -> str:
        return f"file://{self.root}"

    def __repr__(self) -> str:
        return f"FilesystemStore({str(self.root)!r})"

    def ensure_ready(self) -> None:
        try:
            (self.root / TMP_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(self.location, exc.strerror or str(exc)) from exc

    def local_path(self, key: str) -> Path:
        """The object's own file, for readers that need random access by path (libvips,
        pdfium); read it only, never write or move it."""
        validate_key(key)
        self._check_root()
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def _check_root(self) -> None:
        if not (self.root / TMP_DIR).is_dir():
            raise StorageUnavailable(
                self.location, "the folder is missing or not initialised (run 'bauakte init')"
            )

    @contextlib.contextmanager
    def _guard(self):
        try:
            yield
        except OSError as exc:
            if exc.errno in _UNAVAILABLE_ERRNOS:
                raise StorageUnavailable(self.location, exc.strerror or str(exc)) from exc
            raise

    def _write(self, key: str, stream: BinaryIO, expected_sha256: str | None) -> PutResult:
        self._check_root()
        target = self._path(key)
        tmp = self.root / TMP_DIR / f"{uuid.uuid4().hex}.part"
        with self._guard():
            try:
                reader = HashingReader(stream)
                with tmp.open("xb") as out:
                    shutil.copyfileobj(reader, out, CHUNK_SIZE)
                    out.flush()
                    if expected_sha256 is not None:
                        os.fsync(out.fileno())
                digest = reader.hexdigest
                if expected_sha256 is not None and digest != expected_sha256:
                    raise ContentMismatch(f"bytes given for {key} hash to {digest}")
                target.parent.mkdir(parents=True, exist_ok=True)
                created = True
                if expected_sha256 is None:
                    os.replace(tmp, target)
                else:
                    try:
                        os.link(tmp, target)
                    except FileExistsError:
                        created = False  # a concurrent writer stored the same bytes
                    _fsync_dir(target.parent)
            finally:
                tmp.unlink(missing_ok=True)
        return PutResult(key=key, size=reader.size, sha256=digest, created=created)

    def _open(self, key: str, start: int, length: int | None) -> BinaryIO:
        self._check_root()
        with self._guard():
            try:
                raw = self._path(key).open("rb")
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                raise FileNotFoundError(key) from None
            raw.seek(start)
        if length is None:
            return raw
        return RangeReader(raw, length)  # type: ignore[return-value]

    def _stat(self, key: str) -> ObjectInfo:
        self._check_root()
        path = self._path(key)
        with self._guard():
            try:
                st = path.stat()
            except (FileNotFoundError, NotADirectoryError):
                raise FileNotFoundError(key) from None
        if not path.is_file():
            raise FileNotFoundError(key)
        return ObjectInfo(
            key=key, size=st.st_size, modified=datetime.fromtimestamp(st.st_mtime, UTC)
        )

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        self._check_root()
        found: list[str] = []
        with self._guard():
            for dirpath, dirnames, filenames in os.walk(self.root):
                if Path(dirpath) == self.root:
                    dirnames[:] = [d for d in dirnames if d != TMP_DIR]
                rel = Path(dirpath).relative_to(self.root).as_posix()
                base = "" if rel == "." else rel + "/"
                # prune folders that cannot hold keys with this prefix
                dirnames[:] = [
                    d
                    for d in dirnames
                    if (base + d + "/").startswith(prefix) or prefix.startswith(base + d + "/")
                ]
                found.extend(base + name for name in filenames if (base + name).startswith(prefix))
        for key in sorted(found):
            try:
                yield self._stat(key)
            except FileNotFoundError:
                continue  # deleted while listing

    def _delete(self, key: str) -> None:
        self._check_root()
        with self._guard(), contextlib.suppress(FileNotFoundError, NotADirectoryError):
            self._path(key).unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
