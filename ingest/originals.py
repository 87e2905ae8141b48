"""An original from the object store as a local file, for the tools that need a path
(pdfium, Pillow's multi-page TIFF reader) and for reading its pages one by one."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from storage import ObjectStore, original_key


@contextlib.contextmanager
def local_copy(store: ObjectStore, sha256: str) -> Iterator[Path]:
    """A temporary copy of the original ``sha256``, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="bauakte-original-") as tmp:
        path = Path(tmp) / "original"
        with store.open(original_key(sha256)) as source, path.open("wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        yield path
