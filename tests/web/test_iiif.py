"""The IIIF Image API on the web archive's text PDFs: what is served, to whom, and refusals.

The validator's run against a real server is in test_iiif_validator.py; the
pyramid source is tested in tests/ingest/test_pyramid.py.
"""

from __future__ import annotations

import io
import json

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from sqlalchemy import select

from docstore.models import Document, Page
from storage import original_key
from viewer.iiif.sources import PDF_DPI

from .conftest import GRANTED, OTHER


def iiif_id(archive, document_id: int, number: int = 1) -> str:
    with archive.instance.db.session() as s:
        return s.scalar(
            select(Page.iiif_id).where(Page.document_id == document_id, Page.number == number)
        )


def _image(response) -> Image.Image:
    assert response.status_code == 200, response.text
    return Image.open(io.BytesIO(response.data))


def test_info_json_describes_the_page_at_zoom_resolution(archive, client_as) -> None:
    ident = iiif_id(archive, archive.documents[GRANTED][0])
    response = client_as("clerk").get(f"/iiif/3/{ident}/info.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    info = json.loads(response.data)
    assert info["type"] == "ImageService3" and info["profile"] == "level2"
    assert info["id"] == f"http://localhost/iiif/3/{ident}"
    assert (info["width"], info["height"]) == (
        round(595.28 * PDF_DPI / 72),
        round(841.89 * PDF_DPI / 72),
    )
    factors = info["tiles"][0]["scaleFactors"]
    assert factors[0] == 1 and max(info["width"], info["height"]) / factors[-1] <= 512
    linked = client_as("clerk").get(
        f"/iiif/3/{ident}/info.json", headers={"Accept": "application/ld+json"}
    )
    assert linked.headers["Content-Type"].startswith("application/ld+json")


def test_the_base_uri_redirects_to_info_json(archive, client_as) -> None:
    ident = iiif_id(archive, archive.documents[GRANTED][0])
    response = client_as("clerk").get(f"/iiif/3/{ident}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/iiif/3/{ident}/info.json")


def test_regions_sizes_rotations_and_qualities(archive, client_as) -> None:
    client = client_as("clerk")
    base = f"/iiif/3/{iiif_id(archive, archive.documents[GRANTED][0])}"
    assert _image(client.get(f"{base}/full/400,/0/default.jpg")).size == (400, 566)
    assert _image(client.get(f"{base}/0,0,512,512/256,/0/default.jpg")).size == (256, 256)
    assert _image(client.get(f"{base}/square/!300,300/0/default.png")).size == (300, 300)
    assert _image(client.get(f"{base}/pct:0,0,50,50/pct:10/0/default.jpg")).size == (165, 234)
    turned = _image(client.get(f"{base}/full/400,/90/default.jpg"))
    assert turned.size == (566, 400)
    assert _image(client.get(f"{base}/full/200,/0/gray.png")).mode == "L"
    bitonal = _image(client.get(f"{base}/full/200,/0/bitonal.png"))
    histogram = bitonal.convert("L").histogram()
    assert {value for value, count in enumerate(histogram) if count} <= {0, 255}
    assert _image(client.get(f"{base}/full/200,/!0/color.webp")).mode == "RGB"


def test_a_tile_is_pdfium_s_own_rendering_of_that_region(archive, client_as) -> None:
    """The deepest zoom is rendered from the PDF, not enlarged from a preview: the tile
    equals pdfium's whole page at PDF_DPI, cut at the same place."""
    doc_id = archive.documents[GRANTED][0]
    with archive.instance.db.session() as s:
        sha = s.get(Document, doc_id).blob_sha256
    pdf = pdfium.PdfDocument(archive.instance.store.read_bytes(original_key(sha)))
    try:
        whole = pdf[0].render(scale=PDF_DPI / 72).to_pil().convert("RGB")
    finally:
        pdf.close()
    left, top, _, _ = ImageChops.invert(whole.convert("L")).getbbox()  # where the text begins
    tile = _image(
        client_as("clerk").get(
            f"/iiif/3/{iiif_id(archive, doc_id)}/{left},{top},512,512/max/0/default.png"
        )
    )
    expected = whole.crop((left, top, left + 512, top + 512))
    assert ImageStat.Stat(expected.convert("L")).extrema[0][0] < 100  # there is text in it
    difference = ImageStat.Stat(ImageChops.difference(tile.convert("RGB"), expected)).mean
    assert max(difference) < 6, difference


def test_a_repeated_tile_is_a_304(archive, client_as) -> None:
    client = client_as("clerk")
    url = (
        f"/iiif/3/{iiif_id(archive, archive.documents[GRANTED][0])}/0,0,512,512/256,/0/default.jpg"
    )
    first = client.get(url)
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


BAD = [
    "full/max/0/default.gif",
    "full/max/0/fancy.jpg",
    "full/max/0/default",
    "full/max/45/default.jpg",
    "full/max/361/default.jpg",
    "full/max/-90/default.jpg",
    "0,0,0,10/max/0/default.jpg",
    "99999,0,10,10/max/0/default.jpg",
    "pct:101,0,10,10/max/0/default.jpg",
    "pct:0,0,0,0/max/0/default.jpg",
    "a,b,c,d/max/0/default.jpg",
    "full/0,/0/default.jpg",
    "full/,/0/default.jpg",
    "full/!100,/0/default.jpg",
    "full/pct:0/0/default.jpg",
    "full/pct:101/0/default.jpg",
    "full/9999,/0/default.jpg",
    "full/^9999,/0/default.jpg",
    "full/^max/0/default.jpg/",
    f"full/{'9' * 40},/0/default.jpg",
    f"{'1' * 400},0,1,1/max/0/default.jpg",
    "full/max/1e3/default.jpg",
    "full/max/nan/default.jpg",
]


@pytest.mark.parametrize("request_line", BAD)
def test_a_bad_request_line_is_a_400_or_404_with_a_reason(request_line, archive, client_as) -> None:
    ident = iiif_id(archive, archive.documents[GRANTED][0])
    response = client_as("clerk").get(f"/iiif/3/{ident}/{request_line}")
    assert response.status_code in (400, 404), (request_line, response.status_code)
    if response.status_code == 400:
        assert len(response.text.strip()) > 10


def test_upscaling_needs_the_caret_and_stays_within_the_limits(archive, client_as) -> None:
    client = client_as("clerk")
    base = f"/iiif/3/{iiif_id(archive, archive.documents[GRANTED][0])}"
    assert client.get(f"{base}/0,0,100,100/200,/0/default.jpg").status_code == 400
    assert _image(client.get(f"{base}/0,0,100,100/^200,/0/default.jpg")).size == (200, 200)
    assert _image(client.get(f"{base}/0,0,100,200/^max/0/default.jpg")).size == (2048, 4096)


@pytest.mark.parametrize("who", ["citizen.none", "citizen.revoked", "citizen.expired", "architect"])
def test_a_page_without_a_grant_does_not_exist(who, archive, client_as) -> None:
    client = client_as(who)
    for az in (GRANTED, OTHER):
        ident = iiif_id(archive, archive.documents[az][0])
        for path in ("", "/info.json", "/full/max/0/default.jpg", "/full/100,/0/default.png"):
            assert client.get(f"/iiif/3/{ident}{path}").status_code == 404, (who, az, path)


def test_an_unknown_or_malformed_identifier_is_a_404(archive, client_as) -> None:
    client = client_as("clerk")
    for ident in ("00000000-0000-0000-0000-000000000000", "1", "../../etc", "x" * 300):
        assert client.get(f"/iiif/3/{ident}/info.json").status_code == 404


def test_signed_out_is_sent_to_sign_in(archive, client_as) -> None:
    ident = iiif_id(archive, archive.documents[GRANTED][0])
    assert client_as(None).get(f"/iiif/3/{ident}/full/max/0/default.jpg").status_code == 302


def test_a_documents_grant_shows_only_its_documents(archive, client_as) -> None:
    client = client_as("citizen.documents")
    listed, unlisted = archive.documents[GRANTED][:2]
    assert client.get(f"/iiif/3/{iiif_id(archive, listed)}/info.json").status_code == 200
    assert client.get(f"/iiif/3/{iiif_id(archive, unlisted)}/info.json").status_code == 404
