"""Rebuild a page's preview and thumbnail from the stored original, when they are lost.

Renditions are derived objects: a restore that brought back only the
originals, or a cleaned-up bucket, must not leave pages that answer 404.
The page is rendered again with the same code as at ingest (pdfium for a PDF
page, Pillow for an image frame, within the same pixel limit) and stored
where the viewer looks for it.
"""

from __future__ import annotations

import io
import logging
import threading
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from docstore.errors import ServiceUnavailable
from storage import ObjectStore, derived_key

from .images import check_pixels, decode_frame, open_image
from .originals import local_copy
from .pdf import PDFIUM, page_renditions
from .process import page_prefix
from .render import renditions_from_image

log = logging.getLogger(__name__)


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def rebuild_page(
    store: ObjectStore, sha256: str, mime_type: str, number: int, max_pixels: int
) -> None:
    """Render page ``number`` of the original again and store its preview and thumbnail.

    One rebuild per document at a time in this process: the many thumbnail
    requests of a document whose renditions are lost queue up instead of
    copying its original side by side.  A missing original is FileNotFoundError
    (the page then answers 404); any other failure is ServiceUnavailable.
    """
    with _locks_guard:
        lock = _locks.setdefault(sha256, threading.Lock())
    with lock:
        prefix = page_prefix(number)
        made = [derived_key(sha256, f"{prefix}/{name}") for name in ("thumb.jpg", "preview.jpg")]
        if all(store.exists(key) for key in made):
            return  # another request rebuilt it while this one waited
        try:
            _rebuild(store, sha256, mime_type, number, max_pixels)
        except (FileNotFoundError, MemoryError):
            raise
        except Exception as exc:
            log.exception("renditions of %s page %d cannot be rebuilt", sha256[:12], number)
            raise ServiceUnavailable("the page image cannot be made now: try again later") from exc


def _rebuild(store: ObjectStore, sha256: str, mime_type: str, number: int, max_pixels: int) -> None:
    log.warning("renditions of %s page %d are missing: rebuilding them", sha256[:12], number)
    with local_copy(store, sha256) as path:
        if mime_type == "application/pdf":
            renditions = _pdf_page(path, number)
        else:
            renditions = _image_frame(path, number, max_pixels)
    for name, data in renditions.items():
        store.put_stream(derived_key(sha256, f"{page_prefix(number)}/{name}"), io.BytesIO(data))


def _pdf_page(path: Path, number: int) -> dict[str, bytes]:
    with PDFIUM:  # this runs in the web server's threads
        return _render_pdf_page(path, number)


def _render_pdf_page(path: Path, number: int) -> dict[str, bytes]:
    doc = pdfium.PdfDocument(str(path))
    try:
        page = doc[number - 1]
        try:
            return page_renditions(page)
        finally:
            page.close()
    finally:
        doc.close()


def _image_frame(path: Path, number: int, max_pixels: int) -> dict[str, bytes]:
    with open_image(path, max_pixels) as image:
        image.seek(number - 1)
        check_pixels(image.size, max_pixels, number)
        frame: Image.Image = decode_frame(image)
    return renditions_from_image(frame)
