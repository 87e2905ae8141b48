"""Redacted regions blacked out of the pixels an external user receives.

A region's pixels are replaced, never covered: what leaves the server is
black where the region lies, and around it by a margin wide enough that no
trace of what was under it survives in neighbouring pixels.  Two things spread
a region's content outward: resampling (a few pixels of the kernel's reach)
and JPEG (the stored renditions and pyramid tiles are JPEG, whose 8-16 pixel
blocks carry a little of everything in them into every pixel of the block).
So a stored rendition is blacked out to whole blocks of its own grid, and an
IIIF region, cut and scaled from a JPEG pyramid, by a margin as wide as a
block and a kernel in the output.  A scanned PDF brings its own coarser
blocks: its embedded JPEG, rendered larger than the scanner made it, spreads a
region over its enlarged blocks, and the margin grows with them
(``source_scale``, from ``ingest.pdf_raster``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from docstore.redaction_text import Box

BLOCK = 16
"""A JPEG minimum coded unit with 4:2:0 chroma subsampling."""
KERNEL = 3
"""The reach of libvips' and Pillow's downsizing kernels (lanczos3), in output pixels."""
MARGIN = BLOCK + KERNEL
"""Around a region in an IIIF response (output pixels)."""

Rect = tuple[int, int, int, int]
"""left, top, right, bottom in pixels."""


def source_reach(source_scale: float) -> float:
    """How far (output pixels) content spreads from where it lies, beyond the output's own
    JPEG blocks: the kernel, or, where the output enlarges a coarser picture (a scanned
    PDF's embedded JPEG: ``source_scale`` output pixels to one of its pixels), that
    picture's blocks and kernel enlarged with it."""
    return max(KERNEL, (BLOCK + KERNEL) * source_scale) if source_scale > 1 else KERNEL


def whole_image_rects(
    regions: Sequence[Box], width: int, height: int, source_scale: float = 1.0
) -> list[Rect]:
    """The regions on a stored rendition of ``width`` x ``height``: widened by the reach of
    the content (:func:`source_reach`) and out to the JPEG block grid."""
    reach = source_reach(source_scale)
    rects = []
    for r in regions:
        left = _down(r.left * width - reach)
        top = _down(r.top * height - reach)
        right = _up((r.left + r.width) * width + reach)
        bottom = _up((r.top + r.height) * height + reach)
        rects.append(_clamped((left, top, right, bottom), width, height))
    return [r for r in rects if r[2] > r[0] and r[3] > r[1]]


def region_rects(
    regions: Sequence[Box],
    page_size: tuple[int, int],
    region: tuple[int, int, int, int],
    size: tuple[int, int],
    source_px: float | None = None,
) -> list[Rect]:
    """The regions on an IIIF response: ``region`` of a page of ``page_size`` pixels, scaled
    to ``size`` (before rotation).  ``source_px``: the page's pixels to one pixel of a
    coarser picture it shows (a scanned PDF's embedded JPEG), if any."""
    page_w, page_h = page_size
    x, y, w, h = region
    sx, sy = size[0] / max(w, 1), size[1] / max(h, 1)
    margin = max(MARGIN, math.ceil(source_reach(max(sx, sy) * (source_px or 0.0)) + BLOCK))
    rects = []
    for r in regions:
        left = math.floor((r.left * page_w - x) * sx) - margin
        top = math.floor((r.top * page_h - y) * sy) - margin
        right = math.ceil(((r.left + r.width) * page_w - x) * sx) + margin
        bottom = math.ceil(((r.top + r.height) * page_h - y) * sy) + margin
        rects.append(_clamped((left, top, right, bottom), *size))
    return [r for r in rects if r[2] > r[0] and r[3] > r[1]]


def black_out_picture(
    picture: Image.Image, regions: Sequence[Box], source_scale: float = 1.0
) -> Image.Image:
    """A whole page rendered with Pillow (an extract's, a flattened copy's) with the regions
    blacked out; the same picture when there are none."""
    rects = whole_image_rects(regions, picture.width, picture.height, source_scale)
    if not rects:
        return picture
    picture = picture.convert("RGB") if picture.mode not in ("L", "RGB") else picture.copy()
    draw = ImageDraw.Draw(picture)
    for left, top, right, bottom in rects:
        draw.rectangle(
            (left, top, right - 1, bottom - 1), fill=0 if picture.mode == "L" else (0, 0, 0)
        )
    return picture


def black_out(image, rects: Sequence[Rect]):  # pyvips.Image -> pyvips.Image
    """``image`` with every rect filled black (opaque, where it has alpha)."""
    if not rects:
        return image
    ink = [0] * image.bands
    if image.hasalpha():
        ink[-1] = 255 if image.format == "uchar" else 65535
    for left, top, right, bottom in rects:
        image = image.draw_rect(ink, left, top, right - left, bottom - top, fill=True)
    return image


def _down(value: float) -> int:
    return math.floor(value / BLOCK) * BLOCK


def _up(value: float) -> int:
    return math.ceil(value / BLOCK) * BLOCK


def _clamped(rect: Rect, width: int, height: int) -> Rect:
    left, top, right, bottom = rect
    return max(left, 0), max(top, 0), min(right, width), min(bottom, height)
