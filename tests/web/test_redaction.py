"""Redaction as an outsider receives it: a clerk blacks out a neighbour's name on a scan and
on a text PDF; then everything a citizen gets (page images, thumbnails, IIIF tiles, text,
API, search, hit boxes, the download, an extract) is read back, pixels and text, and the
name is in none of it, while staff still see it and what was redacted by whom.

A module of its own with its own archive: redactions change what the shared one shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageStat
from pypdf import PdfReader
from sqlalchemy import select

import ingest
from docstore.models import AuditEvent, Document
from docstore.redaction_text import Box
from docstore.services import extract_jobs, redactions, users
from docstore.services.extract_jobs import Job, Stamp
from ingest.extract_pdf import Quality, write
from ingest.index_sync import sync_index
from ingest.ocr import recognise
from ingest.runner import Outcome
from storage import original_key
from tests.ingest.samples import save_image, scan_image, text_pdf
from viewer.iiif.local_files import LocalFiles
from viewer.page_words import page_words
from viewer.web import create_app

from .conftest import GRANTED, build_archive, csrf_token, make_token

NAME = "Quenzel"
TWIN = "Wimbert"
"""The other name on a twin of the scan: what an outsider gets of the two must not differ."""
REASON = "Name der Nachbarin"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("redaction")
    arc = build_archive(root / "instance", root / "batch")
    more = root / "more"
    more.mkdir()
    save_image(more / f"{GRANTED}_schriftverkehr_2021-01-01_Brief.png",
               scan_image(f"Nachbarin Edeltraut {NAME}"), "PNG")  # fmt: skip
    text_pdf(more / f"{GRANTED}_bauantrag_2021-02-01_Antrag.pdf", pages=1,
             marker=f"Nachbarin {NAME} Gartenweg")  # fmt: skip
    save_image(more / f"{GRANTED}_sonstiges_2021-03-01_Zwilling.png",
               scan_image(f"Nachbarin Edeltraut {TWIN}"), "PNG")  # fmt: skip
    for name, tag in ((NAME, "Grob"), (TWIN, "Grobzwilling")):  # scanned at 75 dpi, as JPEG
        coarse = scan_image(f"Nachbarin Edeltraut {name}").resize((620, 877), Image.LANCZOS)
        coarse.save(more / f"{GRANTED}_sonstiges_2021-04-01_{tag}.pdf", "PDF", resolution=75)
    report = ingest.run([more], arc.instance)
    assert report.count(Outcome.ACCEPTED) == 5, report.summary()
    yield arc
    arc.instance.close()


@pytest.fixture(scope="module")
def app(archive):
    return create_app(archive.instance, TESTING=True)


@pytest.fixture(scope="module")
def signed_in_cookies() -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Redacted:
    scan: int
    pdf: int
    boxes: dict[int, Box]  # document -> the region over the name on page 1
    twins: dict[int, int]  # a scan -> its twin with the other name, redacted alike
    pair_boxes: dict[int, Box]  # a scan -> the region over both names of its pair


@pytest.fixture(scope="module")
def redacted(archive) -> Redacted:
    inst = archive.instance
    with inst.db.session() as s:
        docs = {d.original_name.rsplit(".", 1)[1]: (d.id, d.blob_sha256, d.blob.mime_type)
                for d in s.scalars(select(Document).where(Document.kind.in_(
                    ["schriftverkehr", "bauantrag"])))}  # fmt: skip
    boxes = {}
    for doc_id, sha, mime in docs.values():
        words = page_words(inst.store, LocalFiles(), sha, mime, 1)
        [word] = [w for w in words if w[0] == NAME]
        box = Box.checked(word[1] - 0.005, word[2] - 0.005, word[3] + 0.01, word[4] + 0.01)
        with inst.db.transaction() as s:
            clerk = users.get_user(s, "clerk")
            redactions.add(s, doc_id, 1, box, REASON, words, actor=clerk)
        boxes[doc_id] = box
    scan = docs["png"][0]
    with inst.db.session() as s:
        others = s.scalars(select(Document).where(Document.kind == "sonstiges"))
        named = {d.original_name.split("_")[-1].split(".")[0]: d for d in others}
        pairs = [(s.get(Document, scan), named["Zwilling"])]
        pairs.append((named["Grob"], named["Grobzwilling"]))
        words = {d.id: _words(inst, d) for pair in pairs for d in pair}
        found = [(_word(words[one.id], NAME), _word(words[other.id], TWIN), one.id, other.id)
                 for one, other in pairs]  # fmt: skip
    twins, pair_boxes = {}, {}
    with inst.db.transaction() as s:  # one region over both names of a pair
        clerk = users.get_user(s, "clerk")
        for name, twin, one, other in found:
            assert name is not None, "tesseract did not read the name on the scan"
            right = max(name[1] + name[3] * 1.5, twin[1] + twin[3] if twin else 0)
            box = Box.checked(name[1] - 0.005, name[2] - 0.005, right - name[1] + 0.01,
                              name[4] + 0.01)  # fmt: skip
            for doc_id in (one, other):
                redactions.add(s, doc_id, 1, box, REASON, words[doc_id], actor=clerk)
            twins[one], pair_boxes[one] = other, box
    sync_index(inst)
    return Redacted(scan, docs["pdf"][0], boxes, twins, pair_boxes)


def _words(inst, doc: Document) -> list[list]:
    return page_words(inst.store, LocalFiles(), doc.blob_sha256, doc.blob.mime_type, 1)


def _word(words: list[list], text: str) -> list | None:
    return next((w for w in words if w[0] == text), None)


def _image(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.data)).convert("L")


def _inside(image: Image.Image, box: Box) -> Image.Image:
    w, h = image.size
    right, bottom = box.left + box.width, box.top + box.height
    return image.crop(
        (round(box.left * w), round(box.top * h), round(right * w), round(bottom * h))
    )


def _mean(image: Image.Image) -> float:
    return ImageStat.Stat(image).mean[0]


def _read(image: Image.Image) -> str:
    return " ".join(w.text for w in recognise(image, "deu").words)


def _iiif_id(archive, document_id: int) -> str:
    with archive.instance.db.session() as s:
        return s.get(Document, document_id).pages[0].iiif_id


@pytest.mark.parametrize("which", ["scan", "pdf"])
def test_every_image_an_outsider_gets_is_black_where_the_name_was(
    archive, redacted, client_as, which
) -> None:
    doc = getattr(redacted, which)
    box = redacted.boxes[doc]
    citizen, clerk = client_as("citizen.active"), client_as("clerk")
    page = _iiif_id(archive, doc)
    urls = [f"/documents/{doc}/pages/1/image.jpg?w=1600", f"/documents/{doc}/pages/1/thumb.jpg",
            f"/iiif/3/{page}/full/max/0/default.png", f"/iiif/3/{page}/full/600,/0/gray.jpg",
            f"/iiif/3/{page}/full/max/0/bitonal.png"]  # fmt: skip
    for url in urls:
        seen, whole = _image(citizen, url), _image(clerk, url)
        assert _mean(_inside(seen, box)) < 45, url  # black (the mark's grey strokes over it)
        assert _mean(_inside(whole, box)) > 150, url  # staff: the paper and the name
    seen = _image(citizen, f"/iiif/3/{page}/full/max/0/default.png")
    whole = _image(clerk, f"/iiif/3/{page}/full/max/0/default.png")
    assert NAME in _read(whole) and NAME not in _read(seen)
    # a tile cut exactly around the name, at full resolution, is black too
    info = citizen.get(f"/iiif/3/{page}/info.json").json
    x, y = round(box.left * info["width"]), round(box.top * info["height"])
    w, h = round(box.width * info["width"]), round(box.height * info["height"])
    tile = _image(citizen, f"/iiif/3/{page}/{x},{y},{w},{h}/max/0/default.png")
    assert tile.getextrema()[1] < 140 and _mean(tile) < 45


@pytest.mark.parametrize("kind", ["PNG scan", "PDF scanned at 75 dpi"])
def test_nothing_an_outsider_gets_tells_the_name_under_the_region(
    archive, redacted, client_as, kind
) -> None:
    """A scan and its twin differ only under the region: every image of the two an outsider
    gets is the same, pixel for pixel (zoomed, stretched, beside the region, turned), and
    so is the download; a coarse scan in a PDF spreads its content over larger blocks."""
    citizen, clerk = client_as("citizen.active"), client_as("clerk")
    one = (
        redacted.scan
        if kind == "PNG scan"
        else next(d for d in redacted.twins if d != redacted.scan)
    )
    docs = (one, redacted.twins[one])
    pages = [_iiif_id(archive, d) for d in docs]
    box = redacted.pair_boxes[one]
    below = round((box.top + box.height) * 1754) + 1
    asks = ["full/max/0/default.png", "full/155,1754/0/default.png", "full/1240,200/0/gray.png",
            f"0,{below},1240,200/155,200/0/default.png", "808,0,432,1754/54,1754/0/default.png",
            "full/620,/90/default.png", "full/!300,300/0/bitonal.png", "square/77,/0/default.png",
            "pct:0,0,50,20/max/0/default.png"]  # fmt: skip
    for ask in asks:
        one, other = (_image(citizen, f"/iiif/3/{page}/{ask}") for page in pages)
        assert ImageChops.difference(one, other).getbbox() is None, ask
    for url in ("thumb.jpg", "image.jpg?w=400", "image.jpg?w=1200"):
        first, second = (_image(citizen, f"/documents/{d}/pages/1/{url}") for d in docs)
        assert ImageChops.difference(first, second).getbbox() is None, url
    whole = [_image(clerk, f"/iiif/3/{page}/full/max/0/default.png") for page in pages]
    assert ImageChops.difference(*whole).getbbox() is not None  # staff: two names
    downloaded = [client_as("citizen.download").get(f"/documents/{d}/download").data for d in docs]
    first, second = (pdfium.PdfDocument(data)[0].render(scale=2).to_pil().convert("L")
                     for data in downloaded)  # fmt: skip
    assert ImageChops.difference(first, second).getbbox() is None


def test_a_new_redaction_changes_the_etag_so_no_browser_keeps_the_old_image(
    archive, redacted, client_as
) -> None:
    url = f"/documents/{redacted.pdf}/pages/1/image.jpg?w=800"
    citizen = client_as("citizen.active")
    before = citizen.get(url).headers["ETag"]
    with archive.instance.db.transaction() as s:
        made = redactions.add(s, redacted.pdf, 1, Box(0.5, 0.5, 0.1, 0.1), "Test", [],
                              actor=users.get_user(s, "clerk"))  # fmt: skip
    assert citizen.get(url).headers["ETag"] != before
    with archive.instance.db.transaction() as s:
        words = page_words(archive.instance.store, LocalFiles(), *_blob(s, redacted.pdf), 1)
        redactions.lift(s, made.id, words, actor=users.get_user(s, "clerk"))
    sync_index(archive.instance)
    assert citizen.get(url).headers["ETag"] == before


def _blob(s, document_id: int) -> tuple[str, str]:
    doc = s.get(Document, document_id)
    return doc.blob_sha256, doc.blob.mime_type


def test_the_text_leaves_the_name_out_for_outsiders_staff_see_it_and_who_redacted(
    archive, redacted, client_as
) -> None:
    for doc in (redacted.scan, redacted.pdf):
        seen = client_as("citizen.active").get(f"/documents/{doc}?page=1").text
        assert NAME not in seen and "███" in seen and "geschwärzt" in seen
        whole = client_as("clerk").get(f"/documents/{doc}?page=1").text
        assert NAME in whole and REASON in whole and "clerk" in whole
        auditor = client_as("auditor").get(f"/documents/{doc}?page=1").text
        assert NAME in auditor and REASON in auditor and "Schwärzung aufheben" not in auditor
    api, token = client_as(None), make_token(archive.instance, "citizen.active")
    page = api.get(f"/api/v1/documents/{redacted.pdf}/pages/1",
                   headers={"Authorization": f"Bearer {token}"}).json  # fmt: skip
    assert NAME not in page["text"] and "Gartenweg" in page["text"]


def test_an_outsiders_search_for_the_name_finds_nothing_and_counts_nothing(
    archive, redacted, client_as
) -> None:
    citizen = client_as("citizen.active")
    page = citizen.get("/search", query_string={"q": NAME}).text
    assert "0 Dokumente gefunden" in page and "Brief" not in page and "Antrag" not in page
    token = make_token(archive.instance, "citizen.active")
    headers = {"Authorization": f"Bearer {token}"}
    for query in (NAME, "Quenzal", f"Gartenweg {NAME}"):  # exact, fuzzy, with a visible word
        assert client_as(None).get("/api/v1/search", query_string={"q": query},
                                   headers=headers).json["total"] == 0, query  # fmt: skip
    found = client_as(None).get("/api/v1/search", query_string={"q": "Gartenweg"},
                                headers=headers).json  # fmt: skip
    assert found["total"] == 1 and NAME not in str(found)  # the page, its snippet without it
    staff = client_as("clerk").get("/search", query_string={"q": NAME}).text
    assert "Brief" in staff and "Antrag" in staff
    for doc in (redacted.scan, redacted.pdf):
        hits = citizen.get(f"/documents/{doc}/pages/1/hits.json", query_string={"q": NAME})
        assert hits.json["hits"] == []
        inside = citizen.get(f"/documents/{doc}", query_string={"q": NAME}).text
        assert "Keine Treffer" in inside
        assert client_as("clerk").get(f"/documents/{doc}/pages/1/hits.json",
                                      query_string={"q": NAME}).json["hits"]  # fmt: skip


def test_the_download_is_a_flattened_copy_without_the_name(archive, redacted, client_as) -> None:
    for doc in (redacted.scan, redacted.pdf):
        response = client_as("citizen.download").get(f"/documents/{doc}/download")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert "geschw" in response.headers["Content-Disposition"]
        reader = PdfReader(io.BytesIO(response.data))
        assert NAME not in "".join(p.extract_text() or "" for p in reader.pages)
        pdf = pdfium.PdfDocument(response.data)
        picture = pdf[0].render(scale=150 / 72).to_pil().convert("L")
        assert NAME not in _read(picture) and _mean(_inside(picture, redacted.boxes[doc])) < 20
        original = client_as("clerk").get(f"/documents/{doc}/download").data
        with archive.instance.db.session() as s:
            sha = s.get(Document, doc).blob_sha256
        assert hashlib.sha256(original).hexdigest() == sha  # staff: the original
        assert original != response.data
    assert archive.instance.store.exists(original_key(sha))


def test_an_extract_blacks_out_the_region(archive, redacted, tmp_path) -> None:
    inst = archive.instance
    with inst.db.session() as s:
        doc = s.get(Document, redacted.scan)
        regions = redactions.regions_by_page(s, doc.id, actor=None)
        pages = extract_jobs.document_pages(doc, regions)
    stamp = Stamp(GRANTED, "Erika Mustermann", dt.date(2026, 12, 6), "2026-0001")
    write(inst.store, Job(1, stamp, pages), tmp_path / "extract.pdf", Quality())
    picture = pdfium.PdfDocument(tmp_path / "extract.pdf")[0].render(scale=2).to_pil()
    assert NAME not in _read(picture.convert("L")) and "Nachbarin" in _read(picture.convert("L"))


def test_clerks_redact_and_lift_in_the_viewer_outsiders_may_not(archive, redacted, client_as):
    clerk, citizen = client_as("clerk"), client_as("citizen.active")
    doc = redacted.pdf
    mine = csrf_token(clerk.get(f"/documents/{doc}?page=1").text)
    theirs = csrf_token(citizen.get(f"/documents/{doc}?page=1").text)
    form = {"left": "60", "top": "80", "width": "10,5", "height": "5", "reason": "Unterschrift"}
    url = f"/documents/{doc}/pages/1/redactions"
    assert citizen.post(url, data={**form, "csrf_token": theirs}).status_code == 403
    done = clerk.post(url, data={**form, "csrf_token": mine})
    assert done.status_code == 303 and done.headers["Location"].endswith("#redactions")
    assert "kein Wort des Seitentextes" in clerk.get(done.headers["Location"]).text  # blank there
    bad = clerk.post(url, data={**form, "left": "zwölf", "csrf_token": mine}, follow_redirects=True)
    assert "Prozent" in bad.text or "percent" in bad.text
    shown = clerk.get(f"/documents/{doc}?page=1").text
    assert "Unterschrift" in shown and "Schwärzung aufheben" in shown
    with archive.instance.db.session() as s:
        made = [r for r in redactions.history(s, doc, 1, actor=users.get_user(s, "clerk"))
                if r.reason == "Unterschrift"]  # fmt: skip
    assert len(made) == 1 and made[0].width == pytest.approx(0.105)
    lift = f"/redactions/{made[0].id}/lift"
    assert citizen.post(lift, data={"csrf_token": theirs}).status_code == 403
    assert clerk.post(lift, data={"csrf_token": mine}).status_code == 303
    with archive.instance.db.session() as s:
        ours = (AuditEvent.target_id == str(doc)) & AuditEvent.action.like("redaction.%")
        trail = s.scalars(select(AuditEvent.action).where(ours).order_by(AuditEvent.id)).all()
    assert trail[-2:] == ["redaction.add", "redaction.lift"]
