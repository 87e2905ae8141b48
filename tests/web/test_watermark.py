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
from docstore.services.marking import ViewerMark, viewer_mark
from ingest.ocr import recognise
from ingest.vips import probe
from viewer import watermark

from .conftest import GRANTED

MARK = ViewerMark(("Nur zur Einsichtnahme", "Erika Mustermann · 06.12.2026"))


def _image(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.data)).convert("L")


def _mark_of(marked: Image.Image, clean: Image.Image, threshold: int = 45) -> Image.Image:
    """The mark alone: dark where the two images differ (by more than JPEG's noise)."""
    return ImageOps.invert(
        ImageChops.difference(marked, clean).point(lambda v: 255 if v > threshold else 0)
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
    assert _blocks_without(_mark_of(marked, clean), 128) == []  # no part of the page free of it
    assert clean.tobytes() == _image(client_as("auditor"), url).tobytes()  # staff: clean
    assert citizen.get(url).headers["ETag"] != clerk.get(url).headers["ETag"]
    # what it says, read off the difference of lossless images
    png = f"/iiif/3/{_page_id(archive)}/full/800,/0/default.png"
    mark = _mark_of(_image(citizen, png), _image(clerk, png), threshold=20)
    words = " ".join(w.text for w in recognise(mark, "deu").words)
    today = dt.datetime.now(archive.instance.config.tz).date().strftime("%d.%m.%Y")
    assert "Einsichtnahme" in words and "citizen.active" in words and today in words, words


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


def _page_id(archive) -> str:
    with archive.instance.db.session() as s:
        return s.scalar(select(Page.iiif_id).where(
            Page.document_id == archive.documents[GRANTED][0], Page.number == 1))  # fmt: skip


def test_bitonal_keeps_the_mark_and_stays_black_and_white(archive, client_as) -> None:
    url = f"/iiif/3/{_page_id(archive)}/full/max/0/bitonal.png"
    marked, clean = _image(client_as("citizen.active"), url), _image(client_as("clerk"), url)
    assert set(marked.tobytes()) <= {0, 255}
    mark = ImageChops.difference(marked, clean)
    assert sum(1 for v in mark.tobytes() if v) > 5000  # black letters on the white paper
    assert _blocks_without(_mark_of(marked, clean), 400) == []


def test_the_mark_cannot_be_subtracted_without_the_servers_key(archive, client_as) -> None:
    """An outsider knows the text, the font, the ink and the rule, not the key of the cover's
    noise: undoing the mark with the best guess leaves marked pixels visibly wrong."""
    url = f"/iiif/3/{_page_id(archive)}/0,0,1024,1024/max/0/gray.png"
    marked, clean = _image(client_as("citizen.active"), url), _image(client_as("clerk"), url)
    today = dt.datetime.now(archive.instance.config.tz).date()
    lines = viewer_mark_of("citizen.active", today).lines
    guess = watermark._cell(lines, b"a guessed key", False)
    cover = bytes(guess.replicate(8, 8).crop(0, 0, 1024, 1024).write_to_memory())
    marked_px, clean_px = marked.tobytes(), clean.tobytes()
    errors = [
        abs(round((marked_px[i] - watermark.INK * a / 255) / (1 - a / 255)) - clean_px[i])
        for i, a in enumerate(cover)
        if a > 40
    ]
    assert errors and sum(e > 8 for e in errors) > len(errors) // 4
    assert watermark._cell(lines, b"one key", False).write_to_memory() != watermark._cell(
        lines, b"another key", False).write_to_memory()  # fmt: skip


def viewer_mark_of(username: str, today: dt.date) -> ViewerMark:
    from docstore.models import Role, User

    return viewer_mark(User(username=username, role=Role.CITIZEN.value), today)


def test_upscaling_is_refused_to_marked_viewers(archive, client_as) -> None:
    url = f"/iiif/3/{_page_id(archive)}/100,100,10,10/^600,600/0/default.png"
    assert client_as("citizen.active").get(url).status_code == 400
    assert client_as("clerk").get(url).status_code == 200


def test_the_mark_names_the_account_whatever_name_it_gave() -> None:
    from docstore.models import Role, User

    user = User(username="b-7f3a9c", display_name="Erika Mustermann", role=Role.CITIZEN.value)
    mark = viewer_mark(user, dt.date(2026, 12, 6))
    assert mark.lines == ("Nur zur Einsichtnahme · 06.12.2026", "Erika Mustermann (b-7f3a9c)")
    staff = User(username="clerk", role=Role.CLERK.value)
    assert viewer_mark(staff, dt.date(2026, 12, 6)) is None


def test_a_thin_region_at_a_tiny_size_is_an_image_not_an_error(archive, client_as) -> None:
    with archive.instance.db.session() as s:
        width = s.scalar(select(Page.width_px).where(
            Page.document_id == archive.documents[GRANTED][0], Page.number == 1))  # fmt: skip
    full = round(width * 400 / 72)  # the PDF page's pixels at the service's 400 dpi
    cases = (
        (f"0,0,{full},1", "1,1"),
        (f"0,0,{full},2", "3,1"),
        ("1051,168,279,100", "1,1"),
        ("1051,168,279,100", "2,1"),
    )  # the last two: pdfium's crop rounded to nothing
    for region, size in cases:
        url = f"/iiif/3/{_page_id(archive)}/{region}/{size}/0/default.jpg"
        assert client_as("citizen.active").get(url).status_code == 200, url


def test_info_json_offers_upscaling_only_to_those_who_get_it(archive, client_as) -> None:
    url = f"/iiif/3/{_page_id(archive)}/info.json"
    assert "sizeUpscaling" not in client_as("citizen.active").get(url).json["extraFeatures"]
    assert "sizeUpscaling" in client_as("clerk").get(url).json["extraFeatures"]
