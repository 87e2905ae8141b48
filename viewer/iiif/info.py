"""info.json: what a page's image service offers (IIIF Image API 3.0, level 2)."""

from __future__ import annotations

import math

from .params import FORMATS, QUALITIES, Limits

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE = "http://iiif.io/api/image/3/level2.json"
TILE = 512
"""The tile OpenSeadragon asks for: two by two of the pyramid's 256-pixel tiles."""
LIMITS = Limits(max_width=4096, max_height=4096, max_area=4096 * 4096)
"""A client gets at most 16 megapixels per request: a full plan comes as tiles."""


def scale_factors(size: tuple[int, int], tile: int = TILE) -> list[int]:
    """1, 2, 4, … until the whole page fits one tile."""
    factors = [1]
    while math.ceil(max(size) / factors[-1]) > tile:
        factors.append(factors[-1] * 2)
    return factors


def info(service_id: str, size: tuple[int, int], *, upscaling: bool = True) -> dict:
    """``upscaling``: whether this viewer may ask for more pixels than a region has (not
    those whose images carry the viewer's mark)."""
    width, height = size
    factors = scale_factors(size)
    sizes = [
        {"width": math.ceil(width / f), "height": math.ceil(height / f)} for f in reversed(factors)
    ]
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": width,
        "height": height,
        "maxWidth": LIMITS.max_width,
        "maxHeight": LIMITS.max_height,
        "maxArea": LIMITS.max_area,
        "sizes": [s for s in sizes if s["width"] * s["height"] <= LIMITS.max_area],
        "tiles": [{"width": TILE, "height": TILE, "scaleFactors": factors}],
        "extraQualities": [q for q in QUALITIES if q != "default"],
        "extraFormats": [f for f in FORMATS if f not in ("jpg", "png")],
        "extraFeatures": ["mirroring", "sizeUpscaling"] if upscaling else ["mirroring"],
    }
