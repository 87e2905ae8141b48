"""The visible mark composited onto every page image an external user receives.

One pattern lies over the whole page at the zoom being shown: the mark's
text repeated on a staggered grid in *output* pixels, so it reads at the
same size at every zoom and the tiles of one zoom level continue each other.
The grid is dense enough that every tile (512 px), every fixed-width
rendition and any crop a client asks for larger than a cell holds a whole
copy of the text, and every smaller crop a part of it.

Renditions and tiles stay shared and cached clean; the mark is drawn per
request (a few milliseconds: ``bench/tile_bench.py``) and is part of the
ETag, so a browser shared by two people never revalidates one's image into
the other's.
"""

from __future__ import annotations

import functools
import hashlib
import math

from PIL import Image, ImageChops, ImageDraw, ImageFont

from docstore.services.marking import ViewerMark
from ingest.fonts import FONT, FONT_BOLD
from ingest.vips import probe

FONT_PX = 15
ROWS = 4
"""Rows per cell, each shifted a quarter of the cell's width: a copy every quarter width."""
ROW_PX = 2 * FONT_PX + 16
MIN_WIDTH = 400
INK = 70
COVER = (60, 120)
"""The mark's cover ranges between these (of 255) from pixel to pixel, by a noise pattern
drawn from a key only the server knows: grey text at a quarter to a half, legible over a
plan with the plan legible under it.  A cover of one known value could be subtracted
again (an outsider's test recovered every marked pixel to within one level); with the
key unknown, the value under each stroke is off by up to a quarter of the ink's
contrast.  An opaque mark could not be subtracted at all, but hid the plan's smallest
lettering where a stroke crossed it."""


def tag(mark: ViewerMark | None) -> str:
    """What the mark adds to an ETag ('' for a clean image)."""
    if mark is None:
        return ""
    return hashlib.sha256("\n".join(mark.lines).encode()).hexdigest()[:16]


def apply(
    image,
    mark: ViewerMark,
    origin: tuple[float, float] = (0.0, 0.0),
    *,
    key: bytes = b"",
    ink: int = INK,
    opaque: bool = False,
):  # pyvips.Image -> pyvips.Image
    """``image`` with the mark over it; ``origin`` is where the image's top left corner lies
    on the whole page at this zoom, in output pixels (0, 0 for a whole page).

    ``key`` seeds the cover's noise (the server's secret, see :data:`COVER`); ``opaque``
    draws full strokes (for bitonal images, where a translucent mark would vanish in
    the threshold).  The text is pasted through its cover by Pillow (0.5 ms for a grey
    512-pixel tile, a quarter of the same blend in libvips arithmetic).
    """
    cell = _cell(mark.lines, key, opaque)
    left, top = int(origin[0]) % cell.width, int(origin[1]) % cell.height
    across = math.ceil((left + image.width) / cell.width)
    down = math.ceil((top + image.height) / cell.height)
    cover = cell.replicate(across, down).crop(left, top, image.width, image.height)
    if image.hasalpha():
        image = image.flatten(background=255)
    if image.format != "uchar":
        image = image.cast("uchar")
    mode = {1: "L", 3: "RGB"}[image.bands]
    size = (image.width, image.height)
    pixels = Image.frombytes(mode, size, image.write_to_memory())
    pixels.paste(ink if mode == "L" else (ink,) * 3, (0, 0),
                 Image.frombytes("L", size, cover.write_to_memory()))  # fmt: skip
    out = probe().Image.new_from_memory(pixels.tobytes(), *size, image.bands, "uchar")
    # evaluated into memory of its own while ``out`` (and the bytes it holds) still lives
    return out.copy(interpretation=image.interpretation).copy_memory()


@functools.lru_cache(maxsize=256)
def _cell(lines: tuple[str, str], key: bytes, opaque: bool):  # -> pyvips.Image: the cover
    """One repeat of the pattern: ``ROWS`` rows of the text, each a quarter width further
    right, drawn once more a cell to the left so that a copy crossing the right edge goes
    on at the left edge of the next cell."""
    bold = ImageFont.truetype(str(FONT_BOLD), FONT_PX)
    plain = ImageFont.truetype(str(FONT), FONT_PX)
    text = max(bold.getlength(lines[0]), plain.getlength(lines[1]))
    width = max(MIN_WIDTH, math.ceil(2 * text + 60))
    height = ROWS * ROW_PX
    strokes = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(strokes)
    for row in range(ROWS):
        x, y = row * width // ROWS + 6, row * ROW_PX + 6
        for shift in (0, -width):
            draw.text((x + shift, y), lines[0], fill=255, font=bold)
            draw.text((x + shift, y + FONT_PX + 3), lines[1], fill=255, font=plain)
    if opaque:
        cover = strokes.point(lambda v: 255 if v >= 96 else 0)
    else:
        seed = hashlib.sha256(key + "\n".join(lines).encode()).digest()
        noise = Image.frombytes("L", (width, height),
                                hashlib.shake_256(seed).digest(width * height))  # fmt: skip
        low, high = COVER
        level = noise.point(lambda n: low + (high - low) * n // 255)
        cover = ImageChops.multiply(strokes, level)  # strokes * level / 255
    # the wrapper keeps the bytes alive (and the cache keeps the wrapper); copy_memory() of an
    # image that already is memory would return one that points at them without a reference
    return probe().Image.new_from_memory(cover.tobytes(), width, height, 1, "uchar")
