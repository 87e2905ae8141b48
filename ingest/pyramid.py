"""Tiled pyramidal TIFFs for deep zoom: made once per large page, read a tile at a time.

A 512-pixel region cut from a plain 60-megapixel JPEG costs half a second and
half a gigabyte (the whole image is decoded); read from a pyramid of JPEG
tiles it costs a few milliseconds and a few megabytes.  So every page larger
than the preview gets one, stored beside its other renditions.  PDF pages do
not: pdfium renders the region a zoom needs directly (see viewer.iiif).

libvips reads the original itself, sequentially: a scan is never held in
memory whole, and the pyramid has the original's full resolution (the
OCR stage may have decoded a big JPEG at a reduced size).
"""

from __future__ import annotations

from pathlib import Path

from .render import PREVIEW_BOX
from .vips import probe

NAME = "pyramid.tif"
"""Its name beside the page's other renditions (``derived/<sha256>/pNNNN/pyramid.tif``)."""
TILE = 256
QUALITY = 85

IMAGE_TYPES = frozenset({"image/tiff", "image/jpeg", "image/png"})


class PyramidError(Exception):
    """libvips could not make the pyramid; the page is then served from its preview."""


def needs_pyramid(mime_type: str, width: int | None, height: int | None) -> bool:
    """Image pages larger than their preview; a smaller page's preview is the page itself."""
    return mime_type in IMAGE_TYPES and max(width or 0, height or 0) > PREVIEW_BOX


def build(original: Path, mime_type: str, number: int, out: Path, max_pixels: int) -> None:
    """Write the pyramid of page ``number`` of ``original`` to ``out``.

    The size is checked against ``max_pixels`` again: libvips reads the header
    itself and must not be talked into a bigger image than the one Pillow
    checked at ingest.
    """
    vips = probe()
    options = {"page": number - 1} if mime_type == "image/tiff" else {}
    try:
        image = vips.Image.new_from_file(str(original), access="sequential", fail=True, **options)
        if image.width * image.height > max_pixels:
            raise PyramidError(
                f"page {number} has {image.width} x {image.height} pixels, "
                f"above the limit of {max_pixels:,}"
            )
        viewable(image).tiffsave(
            str(out),
            tile=True,
            pyramid=True,
            compression="jpeg",
            Q=QUALITY,
            tile_width=TILE,
            tile_height=TILE,
            keep=0,
        )
    except vips.Error as exc:
        raise PyramidError(f"page {number}: {str(exc).strip()}") from None


def viewable(image):  # -> pyvips.Image (untyped library)
    """8-bit grey or sRGB without alpha: what JPEG tiles and every browser can take."""
    if image.hasalpha():
        image = image.flatten(background=255)
    grey = image.bands == 1 or image.interpretation in ("b-w", "grey16")
    target = "b-w" if grey else "srgb"
    if image.interpretation != target or image.format != "uchar":
        image = image.colourspace(target)
    if image.format != "uchar":
        image = image.cast("uchar")
    return image
