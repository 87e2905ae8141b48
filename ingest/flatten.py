"""The flattened copy of a redacted document: what an external user downloads instead of the
original once a page of it has redactions.

Made on the first download from the original (``extract_pdf.write_flattened``:
page images with the regions blacked out, no text layer) and kept beside the
document's other renditions under a name that changes with the regions, so a
new or lifted redaction makes a new copy and an old one is never served.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from pathlib import Path

from docstore.redaction_text import tag
from docstore.services.extract_jobs import JobPage
from storage import ObjectStore, derived_key

from .extract_pdf import Quality, write_flattened

VERSION = 2
"""Of the way regions are blacked out: a copy made by an earlier way is made again."""
_making: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def flattened_copy(
    store: ObjectStore, sha256: str, pages: tuple[JobPage, ...], quality: Quality
) -> tuple[str, int]:
    """The stored key and size of the copy, made now if it is not there yet (once per
    worker: a second request for the same copy waits for the first)."""
    regions = "|".join(f"{p.number}:{tag(p.regions)}" for p in pages if p.regions)
    name = hashlib.sha256(f"{VERSION}|{regions}|{quality}".encode()).hexdigest()[:24]
    key = derived_key(sha256, f"flattened/{name}.pdf")
    with _guard:
        making = _making.setdefault(key, threading.Lock())
    with making:
        try:
            return key, store.stat(key).size
        except FileNotFoundError:
            pass
        with tempfile.TemporaryDirectory(prefix="bauakte-flatten-") as tmp:
            out = Path(tmp) / "flattened.pdf"
            write_flattened(store, pages, out, quality)
            return key, store.put_file(key, out).size
