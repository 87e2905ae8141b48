"""The viewer's mark: every page image, thumbnail and IIIF tile an external user receives
carries their name, the day and "Nur zur Einsichtnahme", everywhere on it; staff get clean
images; the stored renditions stay clean and shared."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image, ImageChops, ImageOps
from sqlalchemy import select

from docstore.models import Page
from docstore.services.marking import ViewerMark
from ingest.ocr import recognise
from ingest.vips import probe
from viewer import watermark

from .conftest import GRANTED

MARK = ViewerMark(("Nur zur Einsichtnahme", "Erika Mustermann · 06.12.2026"))


def _image(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.data)).convert("L")


def _mark_of(marked: Image.Image, clean: Image.Image) -> Image.Image:
    """The mark alone: dark where the two images differ."""
    return ImageOps.invert(
        ImageChops.difference(marked, clean).point(lambda v: 255 if v > 45 else 0)
    )


def _blocks_without(mark: Image.Image, block: int) -> list[tuple[int, int]]:
    empty = []
    for top in range(0, mark.height - block + 1, block):
        for left in range(0, mark.width - block + 1, block):
            if mark.crop((left, top, left + block, top + block)).getextrema()[0] == 255:
                empty.append((left, top))
    return empty


def test_an_external_users_page_image_carries_the_mark_staff_see_it_clean(archive, client_as):
    url = f"/documents/{archive.documents[GRANTED][0]}/pages/1/image.jpg?w=800"
    citizen, clerk = client_as("citizen.active"), client_as("clerk")
    marked, clean = _image(citizen, url), _image(clerk, url)
    mark = _mark_of(marked, clean)
    words = " ".join(w.text for w in recognise(mark.convert("L"), "deu").words)
    today = dt.datetime.now(archive.instance.config.tz).date().strftime("%d.%m.%Y")
    assert "Einsichtnahme" in words and "citizen.active" in words and today in words, words
    assert _blocks_without(mark, 128) == []  # no part of the page free of it
    assert clean.tobytes() == _image(client_as("auditor"), url).tobytes()  # staff: clean
    assert citizen.get(url).headers["ETag"] != clerk.get(url).headers["ETag"]


def test_thumbnails_carry_the_mark_too(archive, client_as) -> None:
    url = f"/documents/{archive.documents[GRANTED][0]}/pages/1/thumb.jpg"
    mark = _mark_of(_image(client_as("citizen.active"), url), _image(client_as("clerk"), url))
    assert mark.getextrema()[0] < 255


@pytest.mark.parametrize("region", ["0,0,512,512", "512,512,512,512", "900,1300,200,150", "full"])
def test_every_iiif_tile_and_crop_carries_the_mark(archive, client_as, region) -> None:
    with archive.instance.db.session() as s:
        page = s.scalar(select(Page.iiif_id).where(
            Page.document_id == archive.documents[GRANTED][0], Page.number == 1))  # fmt: skip
    url = f"/iiif/3/{page}/{region}/max/0/default.png"
    mark = _mark_of(_image(client_as("citizen.active"), url), _image(client_as("clerk"), url))
    assert mark.getextrema()[0] < 255 and _blocks_without(mark, 200) == []


def test_neighbouring_tiles_continue_one_pattern() -> None:
    vips = probe()
    white = (vips.Image.black(1024, 768) + 255).cast("uchar")
    whole = watermark.apply(white, MARK, (512, 256))
    for x, y in ((0, 0), (512, 0), (0, 512), (512, 512)):
        tile = watermark.apply(white.crop(x, y, 512, 256), MARK, (512 + x, 256 + y))
        assert bytes(tile.write_to_memory()) == bytes(whole.crop(x, y, 512, 256).write_to_memory())


def test_colour_pages_keep_their_bands_and_a_long_name_wraps() -> None:
    vips = probe()
    colour = (vips.Image.black(600, 400, bands=3) + 200).cast("uchar").copy(interpretation="srgb")
    long = ViewerMark(
        ("Nur zur Einsichtnahme", "Maximiliane Musterfrau-Beispielhausen · 06.12.2026")
    )
    out = watermark.apply(colour, long)
    assert (out.bands, out.format, out.width, out.height) == (3, "uchar", 600, 400)
    assert out.min() < 200  # drawn
