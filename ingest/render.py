"""render: the thumbnail and the screen-size preview of a page, as JPEG bytes."""

from __future__ import annotations

import io

from PIL import Image

THUMB_BOX = 256
PREVIEW_BOX = 1600
RENDITIONS = ("thumb.jpg", "preview.jpg")


def fit_scale(width: float, height: float, box: int) -> float:
    """Scale that fits width x height into a box x box square (never enlarging above 1:1 of box)."""
    return box / max(width, height, 1)


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def renditions_from_image(image: Image.Image) -> dict[str, bytes]:
    """Preview and thumbnail of a decoded page image (reduced in steps, not resampled in full)."""
    preview = image.copy()
    preview.thumbnail((PREVIEW_BOX, PREVIEW_BOX), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb = preview.copy()
    thumb.thumbnail((THUMB_BOX, THUMB_BOX), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return {"preview.jpg": jpeg(preview), "thumb.jpg": jpeg(thumb, quality=75)}
