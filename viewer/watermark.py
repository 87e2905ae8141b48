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
    on the whole page at this zoom, in output pixels (0, 0 for a whole page)."""
    cell = _cell(mark.lines)
    left, top = int(origin[0]) % cell.width, int(origin[1]) % cell.height
    across = math.ceil((left + image.width) / cell.width)
    down = math.ceil((top + image.height) / cell.height)
    pattern = cell.replicate(across, down).crop(left, top, image.width, image.height)
    if image.hasalpha():
        image = image.flatten(background=255)
    ink, cover = pattern.extract_band(0), pattern.extract_band(1)
    if image.bands == 3:
        ink = ink.bandjoin([ink, ink])
    # out = image * (1 - a) + ink * a, in integers: no colour space conversion, no alpha left
    marked = (image * (255 - cover) + ink * cover) / 255
    return marked.cast("uchar").copy(interpretation=image.interpretation)


@functools.lru_cache(maxsize=256)
def _cell(lines: tuple[str, str]):  # -> pyvips.Image: ink and cover bands
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
    vips = probe()
    ink = (vips.Image.black(width, height) + INK).cast("uchar")
    return ink.bandjoin(vips.Image.new_from_memory(cover.tobytes(), width, height, 1, "uchar"))
