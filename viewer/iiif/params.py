"""An IIIF Image API 3.0 request line, checked against one image, as exact pixel numbers.

``{region}/{size}/{rotation}/{quality}.{format}`` (https://iiif.io/api/image/3.0/).
Everything a client may write is parsed here, and every refusal is an
:class:`ImageRequestError` with the reason (a 400 for the client): no other
module sees the raw strings.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

_NUMBER = r"\d+(?:\.\d+)?"
_PIXELS = re.compile(r"(\d+),(\d+),(\d+),(\d+)")
_PERCENT = re.compile(rf"pct:({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})")
_SIZE = re.compile(r"(\^)?(!)?(\d+)?,(\d+)?")
_SIZE_PERCENT = re.compile(rf"(\^)?pct:({_NUMBER})")
_ROTATION = re.compile(rf"(!)?({_NUMBER})")
MAX_DIGITS = 9
"""Longer numbers are refused before they are parsed (no 10,000-digit integers)."""


class ImageRequestError(ValueError):
    """The request cannot be served; the message says why."""


@dataclass(frozen=True)
class Limits:
    """The largest image served (declared in info.json as maxWidth, maxHeight, maxArea)."""

    max_width: int
    max_height: int
    max_area: int


@dataclass(frozen=True)
class ImageRequest:
    region: tuple[int, int, int, int]
    """x, y, width, height in the full image's pixels, within the image."""
    size: tuple[int, int]
    mirror: bool
    rotation: int
    """0, 90, 180 or 270 (clockwise, after mirroring)."""
    quality: str
    format: str


def parse(
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
    full: tuple[int, int],
    limits: Limits,
) -> ImageRequest:
    for part in (region, size, rotation):
        if any(len(number) > MAX_DIGITS for number in re.findall(r"\d+", part)):
            raise ImageRequestError("a number in the request is too long")
    quality, dot, extension = quality_format.rpartition(".")
    if not dot or quality not in QUALITIES:
        raise ImageRequestError(f"quality must be one of {', '.join(QUALITIES)}")
    if extension not in FORMATS:
        raise ImageRequestError(f"format must be one of {', '.join(FORMATS)}")
    box = parse_region(region, full)
    mirror, degrees = parse_rotation(rotation)
    return ImageRequest(box, parse_size(size, box[2:], limits), mirror, degrees, quality, extension)


def parse_region(text: str, full: tuple[int, int]) -> tuple[int, int, int, int]:
    width, height = full
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if match := _PIXELS.fullmatch(text):
        x, y, w, h = (int(v) for v in match.groups())
    elif match := _PERCENT.fullmatch(text):
        px, py, pw, ph = (float(v) for v in match.groups())
        x, y = round(px * width / 100), round(py * height / 100)
        w, h = round(pw * width / 100), round(ph * height / 100)
    else:
        raise ImageRequestError("region must be full, square, x,y,w,h or pct:x,y,w,h")
    if w <= 0 or h <= 0:
        raise ImageRequestError("the region has no width or no height")
    if x >= width or y >= height:
        raise ImageRequestError("the region lies outside the image")
    return x, y, min(w, width - x), min(h, height - y)


def parse_size(text: str, region: tuple[int, int], limits: Limits) -> tuple[int, int]:
    """The output size for a region; without ``^`` never larger than the region."""
    rw, rh = region
    upscale = text.startswith("^")
    if text in ("max", "^max"):
        w, h = _largest(rw, rh, limits, upscale)
    elif match := _SIZE_PERCENT.fullmatch(text):
        factor = float(match.group(2)) / 100
        w, h = round(rw * factor), round(rh * factor)
    elif match := _SIZE.fullmatch(text):
        _, confined, w_text, h_text = match.groups()
        w, h = _sized(rw, rh, w_text, h_text, bool(confined))
    else:
        raise ImageRequestError("size must be max, w,, ,h, pct:n, w,h or !w,h (each may take ^)")
    if w <= 0 or h <= 0:
        raise ImageRequestError("the requested size is empty")
    if not upscale and (w > rw or h > rh):
        raise ImageRequestError("a size larger than the region needs the ^ prefix")
    if w > limits.max_width or h > limits.max_height or w * h > limits.max_area:
        raise ImageRequestError(
            f"the largest image served is {limits.max_width} x {limits.max_height} pixels "
            f"({limits.max_area:,} in all)"
        )
    return w, h


def _sized(rw: int, rh: int, w_text: str | None, h_text: str | None, confined: bool):
    if w_text is None and h_text is None:
        raise ImageRequestError("the size names neither a width nor a height")
    if confined:
        if w_text is None or h_text is None:
            raise ImageRequestError("!w,h needs both a width and a height")
        scale = min(int(w_text) / rw, int(h_text) / rh)
        return max(1, math.floor(rw * scale)), max(1, math.floor(rh * scale))
    if h_text is None:
        w = int(w_text)  # type: ignore[arg-type]
        return w, max(1, round(rh * w / rw))
    if w_text is None:
        h = int(h_text)
        return max(1, round(rw * h / rh)), h
    return int(w_text), int(h_text)


def _largest(rw: int, rh: int, limits: Limits, upscale: bool) -> tuple[int, int]:
    """``max``: the region itself, or (``^max``) as large as the limits allow, keeping its shape."""
    scale = min(limits.max_width / rw, limits.max_height / rh, (limits.max_area / (rw * rh)) ** 0.5)
    if not upscale:
        scale = min(scale, 1.0)
    return max(1, math.floor(rw * scale)), max(1, math.floor(rh * scale))


def parse_rotation(text: str) -> tuple[bool, int]:
    match = _ROTATION.fullmatch(text)
    if not match:
        raise ImageRequestError("rotation must be a number of degrees, optionally after !")
    degrees = float(match.group(2))
    if degrees > 360:
        raise ImageRequestError("rotation must be between 0 and 360 degrees")
    if degrees % 90:
        raise ImageRequestError("only rotations by multiples of 90 degrees are served")
    return bool(match.group(1)), int(degrees) % 360
