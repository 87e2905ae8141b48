"""The last steps of an IIIF image request: mirror, rotate, quality, the viewer's mark, then
the file format."""

from __future__ import annotations

from .params import FORMATS, ImageRequest

JPEG_QUALITY = 85
BITONAL_THRESHOLD = 128


def encode(image, request: ImageRequest, mark=None) -> tuple[bytes, str]:  # pyvips.Image
    """The response body and its media type.

    ``mark`` (a function of the image) draws the viewer's mark after the quality is
    made: a mark drawn before would vanish in the bitonal threshold.  A bitonal image
    is thresholded again after it, so it stays black and white with the mark in it.
    """
    image = _quality(_turned(image, request), request)
    if mark is not None:
        image = _quality(mark(image), request)
    if request.format == "jpg":
        data = image.jpegsave_buffer(Q=JPEG_QUALITY, keep=0)
    elif request.format == "png":
        data = image.pngsave_buffer(compression=6, keep=0)
    else:
        data = image.webpsave_buffer(Q=JPEG_QUALITY, keep=0)
    return data, FORMATS[request.format]


def _turned(image, request: ImageRequest):
    if request.mirror:
        image = image.fliphor()
    if request.rotation:
        image = image.rot(f"d{request.rotation}")
    return image


def _quality(image, request: ImageRequest):
    if request.quality in ("gray", "bitonal") and image.bands != 1:
        image = image.colourspace("b-w")
    if request.quality == "bitonal":
        image = (image >= BITONAL_THRESHOLD).ifthenelse(255, 0).cast("uchar")
    if request.quality == "color" and image.bands == 1:
        image = image.colourspace("srgb")
    return image
