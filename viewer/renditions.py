"""Page images for the viewer: a few fixed widths, made on first request, kept in derived storage.

Fixed widths keep the cache bounded (a client cannot ask for every width
from 1 to 10,000).  Every width is made from the screen-size preview the
ingest stored, never from the original: a 10,000-pixel scan is not decoded
in a web request when a 1,600-pixel image serves.  JPEG draft mode lets the
decoder scale by 1/2, 1/4 or 1/8 while decoding, so even that is cheap.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from ingest.process import page_prefix
from ingest.render import PREVIEW_BOX, jpeg
from storage import ObjectStore, StorageError, derived_key

WIDTHS = (400, 800, 1200, 1600)
"""The widths a page image is served at; a request is rounded up to the next one."""


@dataclass(frozen=True)
class Rendition:
    data: bytes
    key: str
    """Storage key of these bytes; with the original's hash it names the content (ETag)."""


def fixed_width(requested: int | None) -> int:
    """The smallest served width at least ``requested`` (the largest for anything bigger)."""
    if requested is None or requested <= 0:
        return WIDTHS[1]
    return next((w for w in WIDTHS if w >= requested), WIDTHS[-1])


def served_widths(width: int, height: int, *, enlarged: bool) -> list[tuple[int, int]]:
    """(width asked for, width sent) of each different image of a page, for ``srcset``.

    A page whose preview is narrower than a width is sent as the preview, so the
    browser is told the preview's width (an A4 scan's "1200" image is 1131
    pixels) and never asks for a larger one that is the same bytes.
    ``width`` and ``height`` are the page's pixels (points for a PDF page,
    whose preview is rendered to fill the box: ``enlarged``); the preview's
    width is worked out as the ingest made it, to a pixel.
    """
    longest = max(width, height, 1)
    preview = width if longest <= PREVIEW_BOX and not enlarged else width * PREVIEW_BOX / longest
    preview_width = max(1, round(preview))
    out: list[tuple[int, int]] = []
    for w in WIDTHS:
        if preview_width <= w:
            out.append((w, preview_width))
            break
        out.append((w, w))
    return out


def thumbnail(
    store: ObjectStore, sha256: str, number: int, rebuild: Callable[[], None]
) -> Rendition:
    key = derived_key(sha256, f"{page_prefix(number)}/thumb.jpg")
    return Rendition(_read_or_rebuild(store, key, rebuild), key)


def preview(store: ObjectStore, sha256: str, number: int, rebuild: Callable[[], None]) -> Rendition:
    """The screen-size preview the ingest stored (the largest rendition of a small page)."""
    key = derived_key(sha256, f"{page_prefix(number)}/preview.jpg")
    return Rendition(_read_or_rebuild(store, key, rebuild), key)


def page_image(
    store: ObjectStore, sha256: str, number: int, width: int, rebuild: Callable[[], None]
) -> Rendition:
    """The page at ``width`` (one of :data:`WIDTHS`), rendered and stored on first use.

    A page whose preview is no wider than ``width`` is served as the preview
    itself: nothing is enlarged and nothing is stored twice.  A lost preview
    is made again from the original by ``rebuild``.
    """
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {WIDTHS}")
    prefix = page_prefix(number)
    key = derived_key(sha256, f"{prefix}/w{width}.jpg")
    try:
        return Rendition(store.read_bytes(key), key)
    except FileNotFoundError:
        pass
    preview_key = derived_key(sha256, f"{prefix}/preview.jpg")
    preview = _read_or_rebuild(store, preview_key, rebuild)
    image = Image.open(io.BytesIO(preview))
    if image.width <= width:
        return Rendition(preview, preview_key)
    height = max(1, round(image.height * width / image.width))
    image.draft("RGB", (width, height))
    data = jpeg(image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=2.0))
    with contextlib.suppress(StorageError):  # the cache is an optimisation: serve it anyway
        store.put_stream(key, io.BytesIO(data))
    return Rendition(data, key)


def _read_or_rebuild(store: ObjectStore, key: str, rebuild: Callable[[], None]) -> bytes:
    try:
        return store.read_bytes(key)
    except FileNotFoundError:
        rebuild()  # made at ingest and lost since: made again, never a silent 404
        return store.read_bytes(key)
