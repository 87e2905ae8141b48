"""The stamp of an extract page, burnt into its pixels.

A stamp drawn over an image in the PDF would come off with any tool that
extracts the images (``pdfimages``), so it is part of the image itself: a
band below the page with where the copy comes from, who took it and when,
and the same words across the page, translucent, so a cut-off band does not
leave a clean copy.  The PDF repeats the band's words as invisible text over
it (as an OCR layer does), so the stamp is also in the text a reader copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from docstore.services.extract_jobs import Stamp

from .fonts import FONT, FONT_BOLD

BAND_SHARE = 0.075
"""Height of the band as a share of the page width (about 16 mm on A4)."""
MIN_BAND_PX = 64
MIN_WIDTH_PX = 600
"""A narrower page is enlarged first, so the band's three lines stay readable."""
MAX_RECIPIENT = 60
WATERMARK_ALPHA = 64
"""Of 255: readable across the page, the drawing still readable beneath it."""


@dataclass(frozen=True)
class StampText:
    heading: str
    source: str
    recipient: str
    page: str

    @property
    def lines(self) -> tuple[str, str]:
        """The two lines below the heading and the page number."""
        return self.source, self.recipient


def text_of(stamp: Stamp, position: int, total: int) -> StampText:
    name = stamp.recipient if len(stamp.recipient) <= MAX_RECIPIENT else (
        stamp.recipient[: MAX_RECIPIENT - 1].rstrip() + "…")  # fmt: skip
    return StampText(
        heading="Nur zur Einsichtnahme",
        source=f"Auszug {stamp.number} aus der Bauakte {stamp.aktenzeichen}",
        recipient=f"für {name} · {stamp.day:%d.%m.%Y}",
        page=f"Seite {position} von {total}",
    )


def band_height(width_px: int) -> int:
    return max(MIN_BAND_PX, round(width_px * BAND_SHARE))


def stamped(page: Image.Image, text: StampText) -> Image.Image:
    """The page with the translucent words across it and the band below it (RGB)."""
    page = page.convert("RGB")
    if page.width < MIN_WIDTH_PX:
        factor = MIN_WIDTH_PX / page.width
        page = page.resize((MIN_WIDTH_PX, max(1, round(page.height * factor))),
                           Image.Resampling.NEAREST)  # fmt: skip
    _watermark(page, f"{text.heading} · {text.source} · {text.recipient}")
    band = band_height(page.width)
    out = Image.new("RGB", (page.width, page.height + band), "white")
    out.paste(page, (0, 0))
    draw = ImageDraw.Draw(out)
    rule = max(1, band // 40)
    draw.rectangle((0, page.height, page.width, page.height + rule), fill="black")
    size = max(10, band * 22 // 100)
    top = page.height + rule + band // 12
    bold = _font(FONT_BOLD, size)
    draw.text((size, top), text.heading, font=bold, fill="black")
    draw.text((page.width - size, top), text.page, font=bold, fill="black", anchor="ra")
    for n, line in enumerate(text.lines, 1):
        font = _font(FONT, _fitting(line, size, page.width))
        draw.text((size, top + n * size * 5 // 4), line, font=font, fill="black")
    return out


def _fitting(line: str, size: int, width: int) -> int:
    """The font size at which the line fits the page's width (smaller on a narrow page)."""
    room = width - 2 * size
    length = _font(FONT, size).getlength(line)
    return max(8, min(size, int(size * room / max(length, 1))))


def _watermark(page: Image.Image, words: str) -> None:
    """The words along the page's diagonal, translucent grey, drawn into ``page``."""
    diagonal = math.hypot(page.width, page.height)
    size = max(12, int(diagonal * 0.8 / max(_font(FONT_BOLD, 100).getlength(words), 1) * 100))
    font = _font(FONT_BOLD, size)
    left, top, right, bottom = font.getbbox(words)
    layer = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    ImageDraw.Draw(layer).text((-left + 1, -top + 1), words, font=font, fill=WATERMARK_ALPHA)
    angle = math.degrees(math.atan2(page.height, page.width))
    layer = layer.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    x, y = (page.width - layer.width) // 2, (page.height - layer.height) // 2
    grey = Image.new("RGB", layer.size, (90, 90, 90))
    page.paste(grey, (x, y), layer)


@cache
def _font(path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)
