"""The one place a page's pixels pass on their way to a user: redactions are blacked out and
the viewer's mark is drawn here.

Every route that sends a page image, thumbnail or IIIF tile calls
:func:`current_mark`, asks docstore for the page's regions to black out
(``docstore.services.redactions``: none for staff) and hands the pixels to
:func:`prepare_rendition` or :func:`black_out_region` and :func:`mark_region`;
who gets a mark is docstore's rule (``docstore.services.marking``), how it
looks is ``viewer.watermark``, how a region goes is ``viewer.blackout``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask_login import current_user

from docstore.redaction_text import Box
from docstore.redaction_text import tag as regions_tag
from docstore.services.marking import ViewerMark, viewer_mark
from ingest.blackout import black_out, region_rects, whole_image_rects
from ingest.vips import probe
from viewer import watermark
from viewer.iiif.params import ImageRequest

from .context import instance

RENDITION_QUALITY = 80
"""As the renditions were stored (``ingest.render.jpeg``)."""


def current_mark() -> ViewerMark | None:
    today = dt.datetime.now(instance().config.tz).date()
    return viewer_mark(current_user.user, today)


def outgoing_tag(mark: ViewerMark | None, regions: tuple[Box, ...]) -> str:
    """What the mark and the redactions add to an ETag: a new region changes it."""
    return f"{watermark.tag(mark)}:{regions_tag(regions)}"


def prepare_rendition(
    data: bytes,
    mark: ViewerMark | None,
    regions: tuple[Box, ...],
    raster: tuple[float, float] | None = None,
) -> bytes:
    """A stored JPEG rendition (a whole page) as this viewer gets it: the regions blacked
    out, the mark over it; the stored bytes themselves for a clean image.  ``raster``: a
    scanned PDF page's width in points and its picture's resolution."""
    if mark is None and not regions:
        return data
    image = probe().Image.new_from_buffer(data, "")
    scale = image.width / raster[0] * 72 / raster[1] if raster else 1.0
    image = black_out(image, whole_image_rects(regions, image.width, image.height, scale))
    if mark is not None:
        image = watermark.apply(image, mark, key=_noise_key())
    return image.jpegsave_buffer(Q=RENDITION_QUALITY, keep=0)


def black_out_region(
    image, regions: tuple[Box, ...], page_size, wanted: ImageRequest, source_px=None
):
    """An IIIF region, cut and scaled, with the page's redacted regions blacked out (before
    it is turned: the regions are placed in the page's own orientation)."""
    rects = region_rects(regions, page_size, wanted.region, wanted.size, source_px)
    return black_out(image, rects)


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
