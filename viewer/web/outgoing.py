"""The one place a page's pixels pass on their way to a user: the viewer's mark is drawn here.

Every route that sends a page image, thumbnail or IIIF tile calls
:func:`current_mark` and hands the pixels to :func:`mark_rendition` or
:func:`mark_region`; who gets a mark is docstore's rule
(``docstore.services.marking``), how it looks is ``viewer.watermark``.
"""

from __future__ import annotations

import datetime as dt

from flask_login import current_user

from docstore.services.marking import ViewerMark, viewer_mark
from ingest.vips import probe
from viewer import watermark

from .context import instance

RENDITION_QUALITY = 80
"""As the renditions were stored (``ingest.render.jpeg``)."""


def current_mark() -> ViewerMark | None:
    today = dt.datetime.now(instance().config.tz).date()
    return viewer_mark(current_user.user, today)


def mark_rendition(data: bytes, mark: ViewerMark) -> bytes:
    """A stored JPEG rendition (a whole page) with the mark over it."""
    image = probe().Image.new_from_buffer(data, "")
    return watermark.apply(image, mark).jpegsave_buffer(Q=RENDITION_QUALITY, keep=0)


def mark_region(image, mark: ViewerMark, region: tuple[int, int, int, int]):  # pyvips.Image
    """An IIIF region, scaled to ``image``'s size, with the mark where it lies on the page
    at this zoom (neighbouring tiles continue one pattern)."""
    x, y, w, h = region
    scale_x, scale_y = image.width / max(w, 1), image.height / max(h, 1)
    return watermark.apply(image, mark, (x * scale_x, y * scale_y))
