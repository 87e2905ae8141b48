"""The stamp's pixels: readable on any page shape, within the pixel budget, the name cut
before the date is lost."""

from __future__ import annotations

import datetime as dt

from PIL import Image

from docstore.services.extract_jobs import Stamp
from ingest import stamp
from ingest.extract_pdf import Quality, _scale

STAMP = Stamp("63-BA-1994-0063", "Erika Mustermann", dt.date(2026, 12, 4), "E-2026-00001")


def test_a_tiny_page_is_enlarged_so_the_band_has_room() -> None:
    text = stamp.text_of(STAMP, 1, 1)
    picture = stamp.stamped(Image.new("L", (7, 71), 255), text)
    assert picture.width == stamp.MIN_WIDTH_PX
    band = picture.crop((0, picture.height - stamp.band_height(picture.width), picture.width,
                         picture.height)).convert("L")  # fmt: skip
    assert band.getextrema()[0] < 100  # text drawn in the band


def test_a_long_name_is_shortened_and_the_date_kept() -> None:
    text = stamp.text_of(Stamp("A-1", "Erika " * 40, dt.date(2026, 12, 4), "E-1"), 2, 3)
    assert text.recipient.endswith("· 04.12.2026") and "…" in text.recipient
    assert len(text.recipient) <= stamp.MAX_RECIPIENT + 20


def test_the_band_counts_in_the_pixel_budget() -> None:
    quality = Quality(dpi=150, max_pixels=24_000_000)
    for width, height in ((60000, 2), (14400, 20), (2384, 3370), (595, 842)):
        scale = _scale(width, height, quality)
        w, h = width * scale, height * scale
        assert w * (h + w * stamp.BAND_SHARE) <= quality.max_pixels * 1.001
