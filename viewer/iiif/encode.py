"""The last steps of an IIIF image request: mirror, rotate, quality, then the file format."""

from __future__ import annotations

from .params import FORMATS, ImageRequest

JPEG_QUALITY = 85
BITONAL_THRESHOLD = 128


def encode(image, request: ImageRequest) -> tuple[bytes, str]:  # image: pyvips.Image
    """The response body and its media type."""
    if request.mirror:
        image = image.fliphor()
    if request.rotation:
        image = image.rot(f"d{request.rotation}")
    if request.quality in ("gray", "bitonal") and image.bands != 1:
        image = image.colourspace("b-w")
    if request.quality == "bitonal":
        image = (image >= BITONAL_THRESHOLD).ifthenelse(255, 0).cast("uchar")
    if request.quality == "color" and image.bands == 1:
        image = image.colourspace("srgb")
    if request.format == "jpg":
        data = image.jpegsave_buffer(Q=JPEG_QUALITY, keep=0)
    elif request.format == "png":
        data = image.pngsave_buffer(compression=6, keep=0)
    else:
        data = image.webpsave_buffer(Q=JPEG_QUALITY, keep=0)
    return data, FORMATS[request.format]
