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

from PIL import Image, ImageDraw, ImageFont

from docstore.services.marking import ViewerMark
from ingest.demo.render import FONT, FONT_BOLD
from ingest.vips import probe

FONT_PX = 15
ROWS = 4
"""Rows per cell, each shifted a quarter of the cell's width: a copy every quarter width."""
ROW_PX = 2 * FONT_PX + 16
MIN_WIDTH = 400
INK = 70
OPACITY = 110
"""Grey text at about 43 % cover: legible over a plan, the plan legible under it."""


def tag(mark: ViewerMark | None) -> str:
    """What the mark adds to an ETag ('' for a clean image)."""
    if mark is None:
        return ""
    return hashlib.sha256("\n".join(mark.lines).encode()).hexdigest()[:16]


def apply(image, mark: ViewerMark, origin: tuple[float, float] = (0.0, 0.0)):  # pyvips.Image
    """``image`` with the mark over it; ``origin`` is where the image's top left corner lies
    on the whole page at this zoom, in output pixels (0, 0 for a whole page).

    The text is pasted through its cover mask by Pillow (0.5 ms for a grey 512-pixel
    tile, a quarter of the same blend in libvips arithmetic, which works in floats).
    """
    cell = _cell(mark.lines)
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
    pixels.paste(INK if mode == "L" else (INK,) * 3, (0, 0),
                 Image.frombytes("L", size, cover.write_to_memory()))  # fmt: skip
    out = probe().Image.new_from_memory(pixels.tobytes(), *size, image.bands, "uchar")
    # evaluated into memory of its own while ``out`` (and the bytes it holds) still lives
    return out.copy(interpretation=image.interpretation).copy_memory()


@functools.lru_cache(maxsize=256)
def _cell(lines: tuple[str, str]):  # -> pyvips.Image: the cover (alpha) of the text
    """One repeat of the pattern: ``ROWS`` rows of the text, each a quarter width further
    right, drawn once more a cell to the left so that a copy crossing the right edge goes
    on at the left edge of the next cell."""
    bold = ImageFont.truetype(str(FONT_BOLD), FONT_PX)
    plain = ImageFont.truetype(str(FONT), FONT_PX)
    text = max(bold.getlength(lines[0]), plain.getlength(lines[1]))
    width = max(MIN_WIDTH, math.ceil(2 * text + 60))
    height = ROWS * ROW_PX
    cover = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(cover)
    for row in range(ROWS):
        x, y = row * width // ROWS + 6, row * ROW_PX + 6
        for shift in (0, -width):
            draw.text((x + shift, y), lines[0], fill=OPACITY, font=bold)
            draw.text((x + shift, y + FONT_PX + 3), lines[1], fill=OPACITY, font=plain)
    # the wrapper keeps the bytes alive (and the cache keeps the wrapper); copy_memory() of an
    # image that already is memory would return one that points at them without a reference
    return probe().Image.new_from_memory(cover.tobytes(), width, height, 1, "uchar")
