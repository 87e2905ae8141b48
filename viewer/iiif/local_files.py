"""Stored objects as local files, for libvips and pdfium, which read by path and seek.

On the filesystem store that is the object's own file.  From S3 the object
is copied once into a temporary folder of this process and kept while it
is among the most recently used (up to :data:`MAX_BYTES`): zooming a plan
asks for dozens of tiles of the same file within seconds.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from storage import FilesystemStore, ObjectStore

MAX_BYTES = 2 << 30


class LocalFiles:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._folder: Path | None = None
        self._kept: OrderedDict[str, tuple[Path, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._copying: dict[str, threading.Lock] = {}

    def path(self, store: ObjectStore, key: str) -> Path:
        """A local file with the object's bytes; FileNotFoundError if it is not stored."""
        if isinstance(store, FilesystemStore):
            return store.local_path(key)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key][0]
            copying = self._copying.setdefault(key, threading.Lock())
        with copying:  # one download per key; the others wait for it
            with self._lock:
                if key in self._kept:
                    return self._kept[key][0]
            path = self._copy(store, key)
            with self._lock:
                self._kept[key] = (path, path.stat().st_size)
                self._copying.pop(key, None)
                self._evict()
            return path

    def _copy(self, store: ObjectStore, key: str) -> Path:
        folder = self._folder_now()
        handle, name = tempfile.mkstemp(dir=folder)
        path = Path(name)
        try:
            with store.open(key) as source, open(handle, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    def _folder_now(self) -> Path:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="bauakte-iiif-"))
                atexit.register(shutil.rmtree, self._folder, True)
            return self._folder

    def _evict(self) -> None:
        """Oldest first, never the newest (the one just asked for)."""
        while len(self._kept) > 1 and sum(size for _, size in self._kept.values()) > self.max_bytes:
            _, (path, _) = self._kept.popitem(last=False)
            path.unlink(missing_ok=True)  # a reader that has it open keeps reading (POSIX)
