"""The one place a page's pixels pass on their way to a user: the viewer's mark is drawn here.

Every route that sends a page image, thumbnail or IIIF tile calls
:func:`current_mark` and hands the pixels to :func:`mark_rendition` or
:func:`mark_region`; who gets a mark is docstore's rule
(``docstore.services.marking``), how it looks is ``viewer.watermark``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask_login import current_user

from docstore.services.marking import ViewerMark, viewer_mark
from ingest.vips import probe
from viewer import watermark
from viewer.iiif.params import ImageRequest

from .context import instance

RENDITION_QUALITY = 80
"""As the renditions were stored (``ingest.render.jpeg``)."""


def current_mark() -> ViewerMark | None:
    today = dt.datetime.now(instance().config.tz).date()
    return viewer_mark(current_user.user, today)


def mark_rendition(data: bytes, mark: ViewerMark) -> bytes:
    """A stored JPEG rendition (a whole page) with the mark over it."""
    image = probe().Image.new_from_buffer(data, "")
    marked = watermark.apply(image, mark, key=_noise_key())
    return marked.jpegsave_buffer(Q=RENDITION_QUALITY, keep=0)


def _noise_key() -> bytes:
    """The seed of the mark's noise: from the instance's secret, never sent anywhere."""
    secret = instance().config.secret_key
    return hmac.new(secret.encode(), b"bauakte viewer mark", hashlib.sha256).digest()


def mark_region(image, mark: ViewerMark, wanted: ImageRequest):  # pyvips.Image
    """An IIIF region, scaled (and turned) as asked, with the mark where it lies on the page
    at this zoom, so neighbouring tiles continue one pattern (a turned image starts its own)."""
    x, y, w, h = wanted.region
    origin = (0.0, 0.0)
    if not wanted.rotation and not wanted.mirror:
        origin = (x * wanted.size[0] / max(w, 1), y * wanted.size[1] / max(h, 1))
    if wanted.quality == "bitonal":  # black and whole: it survives the threshold
        return watermark.apply(image, mark, origin, ink=0, opaque=True)
    return watermark.apply(image, mark, origin, key=_noise_key())


def upscaled(wanted: ImageRequest) -> bool:
    """More output pixels than the region has: each source pixel spread over a block."""
    _x, _y, w, h = wanted.region
    return wanted.size[0] > w or wanted.size[1] > h
