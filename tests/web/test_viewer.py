"""The document viewer, page images and downloads, as a user with a grant sees them."""

from __future__ import annotations

import io
import json
import re

from PIL import Image
from sqlalchemy import select

from docstore.models import AuditEvent, BuildingFile, Document, Role
from docstore.services import grants, users
from docstore.services.actors import CONSOLE
from viewer.renditions import WIDTHS

from .conftest import GRANTED, MARKER, PASSWORD


def _doc(archive) -> int:
    return archive.documents[GRANTED][0]


def _events(archive, action: str) -> list[AuditEvent]:
    with archive.instance.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_building_file_lists_documents_by_kind_with_thumbnails(archive, client_as) -> None:
    page = client_as("citizen.active").get(f"/files/{archive.files[GRANTED]}").text
    assert GRANTED in page and "Baugenehmigung" in page and "Statik" in page
    for doc in archive.documents[GRANTED]:
        assert f"/documents/{doc}/pages/1/thumb.jpg" in page
    assert "3 Seiten" in page


def test_document_viewer_pages_text_and_navigation(archive, client_as) -> None:
    client = client_as("citizen.active")
    doc = _doc(archive)
    before = len(_events(archive, "document.view"))
    page = client.get(f"/documents/{doc}?page=2").text
    assert "Seite 2 " in page  # the page text beside the image
    assert f"/documents/{doc}/pages/2/image.jpg?w=800" in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert page.count("/thumb.jpg") == 3  # the thumbnail strip
    assert "Original herunterladen" not in page  # a view-only grant
    views = len(_events(archive, "document.view"))
    assert before <= views <= before + 1  # one visit: now, or earlier within its half hour
    last = client.get(f"/documents/{doc}?page=99").text  # clamped to the last page
    assert 'aria-current="page"' in last and 'rel="next"' not in last
    assert len(_events(archive, "document.view")) == views  # turning pages: the same visit


def test_search_inside_a_document_lists_hits_by_page(archive, client_as) -> None:
    before = len(_events(archive, "search"))
    page = client_as("citizen.active").get(f"/documents/{_doc(archive)}?q={MARKER}").text
    assert "Treffer auf 3 Seiten" in page
    assert len(re.findall(r"<mark>Dachgaube</mark>", page)) >= 3
    searches = _events(archive, "search")
    assert len(searches) == before + 1  # on record like every other search
    assert json.loads(searches[-1].details)["document"] == _doc(archive)


def test_page_images_come_in_fixed_widths_with_etags(archive, client_as) -> None:
    client = client_as("citizen.active")
    url = f"/documents/{_doc(archive)}/pages/1/image.jpg"
    sizes = {}
    for width in WIDTHS:
        response = client.get(f"{url}?w={width}")
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"].startswith("private")
        sizes[width] = Image.open(io.BytesIO(response.data)).width
    assert sizes[400] == 400 and sizes[800] == 800
    assert sizes[1600] <= 1600  # never enlarged beyond the stored preview
    assert client.get(f"{url}?w=555").status_code == 404  # no arbitrary widths
    first = client.get(f"{url}?w=400")
    again = client.get(f"{url}?w=400", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_download_is_an_audited_attachment_with_ranges(archive, client_as) -> None:
    client = client_as("citizen.download")
    doc = _doc(archive)
    assert "Original herunterladen" in client.get(f"/documents/{doc}").text
    before = len(_events(archive, "document.download"))
    whole = client.get(f"/documents/{doc}/download")
    assert whole.status_code == 200 and whole.data.startswith(b"%PDF")
    assert whole.headers["Content-Disposition"].startswith("attachment;")
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(f"/documents/{doc}/download", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.data == whole.data[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(whole.data)}"
    beyond = client.get(f"/documents/{doc}/download", headers={"Range": "bytes=999999999-"})
    assert beyond.status_code == 416
    after = _events(archive, "document.download")
    assert len(after) - before <= 1  # ranges of one download are one event (test_serving)
    assert any(e.actor_name == "citizen.download" and e.target_id == str(doc) for e in after)


def test_active_content_is_never_served_as_its_own_type(archive, client_as) -> None:
    doc = archive.documents[GRANTED][1]
    with archive.instance.db.transaction() as s:
        s.get(Document, doc).active_content = True
    try:
        response = client_as("citizen.download").get(f"/documents/{doc}/download")
        assert response.mimetype == "application/octet-stream"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "sandbox" in response.headers["Content-Security-Policy"]
    finally:
        with archive.instance.db.transaction() as s:
            s.get(Document, doc).active_content = False


def test_search_page_groups_highlights_and_facets(client_as) -> None:
    page = client_as("clerk").get(f"/search?q={MARKER}").text
    assert "4 Dokumente gefunden" in page
    assert "<mark>Dachgaube</mark>" in page
    assert 'name="art" value="baugenehmigung"' in page  # a facet to narrow by
    narrowed = client_as("clerk").get(f"/search?q={MARKER}+art:statik").text
    assert "2 Dokumente gefunden" in narrowed
    assert (
        "<script"
        not in client_as("clerk")
        .get("/search?q=<script>alert(1)</script>")
        .text.split("</head>")[1]
    )


def test_download_names_cannot_break_the_header() -> None:
    from viewer.web.downloads import _attachment

    header = _attachment('Plan "A"\r\nSet-Cookie: x=1.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="Plan _A_Set-Cookie: x=1.pdf";')
    assert "filename*=UTF-8''Plan%20%22A%22Set-Cookie%3A%20x%3D1.pdf" in header


def test_sizes_and_dates_follow_the_language(app) -> None:
    import datetime as dt

    from flask_babel import force_locale

    from viewer.web.formatting import dateformat, filesize

    with app.test_request_context():
        with force_locale("de"):
            assert (filesize(1_734), filesize(999), dateformat(dt.date(2020, 3, 1))) == (
                "1,7 kB", "999 B", "01.03.2020")  # fmt: skip
        with force_locale("en"):
            assert (filesize(1_734), dateformat(dt.date(2020, 3, 1))) == ("1.7 kB", "Mar 1, 2020")


def test_a_lost_preview_is_rebuilt_from_the_original(archive, client_as) -> None:
    from storage import derived_key

    with archive.instance.db.session() as s:
        sha = s.get(Document, _doc(archive)).blob_sha256
    store = archive.instance.store
    lost = [derived_key(sha, f"p0002/{name}") for name in ("preview.jpg", "thumb.jpg", "w400.jpg")]
    for key in lost:
        if store.exists(key):
            store.delete(key)
    client = client_as("citizen.active")
    thumb = client.get(f"/documents/{_doc(archive)}/pages/2/thumb.jpg")
    image = client.get(f"/documents/{_doc(archive)}/pages/2/image.jpg?w=400")
    assert thumb.status_code == 200 and image.status_code == 200
    assert Image.open(io.BytesIO(image.data)).width == 400
    assert all(store.exists(key) for key in lost)  # stored again, not made on every request


def test_srcset_names_the_width_of_each_image_sent(archive, client_as) -> None:
    client = client_as("citizen.active")
    html = client.get(f"/documents/{_doc(archive)}").text
    srcset = re.search(r'srcset="([^"]+)"', html).group(1).replace("&amp;", "&")
    entries = [part.strip().rsplit(" ", 1) for part in srcset.split(",")]
    assert len(entries) >= 2
    for url, advertised in entries:
        image = Image.open(io.BytesIO(client.get(url).data))
        assert abs(image.width - int(advertised.removesuffix("w"))) <= 1, url  # pdfium rounds up
    assert entries[-1][1] != f"{WIDTHS[-1]}w"  # an A4 page's preview is narrower than 1600


def test_the_viewer_loads_openseadragon_on_the_pages_iiif_service(archive, client_as) -> None:
    html = client_as("citizen.active").get(f"/documents/{_doc(archive)}").text
    assert "/static/vendor/openseadragon/openseadragon.min.js" in html
    assert re.search(r'data-iiif-info="/iiif/3/[0-9a-f-]{36}/info.json"', html)
    assert 'id="deep-zoom-tools"' in html and "hidden" in html  # shown by the script only


def test_a_visit_is_one_view_event_however_many_pages_and_zoom_steps(
    archive, own_session_as
) -> None:
    """The trail answers "who saw what": opening a document is one event; turning its pages,
    zooming and its manifest within the half hour are the same visit; another document or
    another person is another."""
    with archive.instance.db.transaction() as s:
        clerk = users.get_user(s, "clerk")
        visitor = users.create_user(s, "visit.citizen", PASSWORD, Role.CITIZEN, actor=CONSOLE)
        bf = s.get(BuildingFile, archive.files[GRANTED])
        grants.grant_access(s, visitor, bf, actor=clerk)
    client = own_session_as("visit.citizen")
    first, second = archive.documents[GRANTED][:2]

    def mine() -> list[str]:
        return [e.target_id for e in _events(archive, "document.view")
                if e.actor_name == "visit.citizen"]  # fmt: skip

    client.get(f"/documents/{first}")
    assert mine() == [str(first)]
    for url in (f"/documents/{first}?page=2", f"/documents/{first}?page=3&zoom=2",
                f"/iiif/presentation/3/documents/{first}/manifest.json"):  # fmt: skip
        assert client.get(url).status_code == 200
    assert mine() == [str(first)]
    client.get(f"/documents/{second}")
    assert mine() == [str(first), str(second)]
