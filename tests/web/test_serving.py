"""How bytes leave: revalidated images, If-Range, one audit event per download, honest names."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select, update

from docstore.models import AuditEvent, BuildingFile, Document, Role
from docstore.services import grants, users
from docstore.services.actors import CONSOLE
from ingest import spool
from tests.ingest.samples import text_pdf
from viewer.web.downloads import download_name

from .conftest import GRANTED, PASSWORD, csrf_token, signin


def _citizen(archive, app, name: str, *, download: bool = True):
    with archive.instance.db.transaction() as s:
        user = users.create_user(s, name, PASSWORD, Role.CITIZEN, actor=CONSOLE)
        bf = s.get(BuildingFile, archive.files[GRANTED])
        grants.grant_access(s, user, bf, actor=CONSOLE, may_download=download)
    client = app.test_client()
    assert signin(client, name).status_code == 302
    return client


def test_page_images_are_revalidated_so_a_revocation_counts_at_once(archive, app) -> None:
    client = _citizen(archive, app, "serving.revoked")
    url = f"/documents/{archive.documents[GRANTED][0]}/pages/1/thumb.jpg"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with archive.instance.db.transaction() as s:
        user = users.get_user(s, "serving.revoked")
        grants.revoke_access(s, user, s.get(BuildingFile, archive.files[GRANTED]), actor=CONSOLE)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_if_range_with_another_validator_sends_the_whole_file(archive, client_as) -> None:
    clerk = client_as("clerk")
    url = f"/documents/{archive.documents[GRANTED][0]}/download"
    whole = clerk.get(url)
    etag = whole.headers["ETag"]
    part = {"Range": "bytes=10-19"}
    assert clerk.get(url, headers={**part, "If-Range": etag}).status_code == 206
    for validator in ('"not-the-etag"', f"W/{etag}", "Wed, 21 Oct 2015 07:28:00 GMT", "junk"):
        response = clerk.get(url, headers={**part, "If-Range": validator})
        assert response.status_code == 200, validator
        assert response.data == whole.data


def _downloads(archive, username: str, doc: int) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "document.download",
                AuditEvent.actor_name == username,
                AuditEvent.target_id == str(doc),
            )
        )


def test_one_download_in_ranges_is_one_audit_event(archive, app) -> None:
    client = _citizen(archive, app, "serving.ranges")
    doc = archive.documents[GRANTED][1]
    url = f"/documents/{doc}/download"
    for start in (0, 100, 200, 300):
        assert client.get(url, headers={"Range": f"bytes={start}-{start + 99}"}).status_code == 206
    assert client.get(url).status_code == 200
    assert _downloads(archive, "serving.ranges", doc) == 1


def test_a_pdf_uploaded_as_html_downloads_as_pdf(archive, client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    pdf = text_pdf(tmp_path / "x.pdf", pages=1, marker="Falsch benannt Regenrinne").read_bytes()
    data = {
        "csrf_token": csrf_token(clerk.get("/upload").text),
        "files": [(io.BytesIO(pdf), "brief.html")],
    }
    sent = clerk.post("/upload", data=data, content_type="multipart/form-data")
    spool.process_pending(archive.instance)
    status = clerk.get(sent.headers["Location"] + "/status.json").get_json()
    doc = status["files"][0]["document_id"]
    response = clerk.get(f"/documents/{doc}/download")
    disposition = response.headers["Content-Disposition"]
    assert 'filename="brief.pdf"' in disposition and ".html" not in disposition
    assert response.mimetype == "application/pdf"


def test_download_names_follow_the_sniffed_type() -> None:
    assert download_name("plan.PDF", "application/pdf") == "plan.PDF"
    assert download_name("plan", "application/pdf") == "plan.pdf"
    assert download_name("scan.tiff", "image/tiff") == "scan.tiff"
    assert download_name("foto.exe", "image/jpeg") == "foto.jpg"
    assert download_name("a.b.html", "application/pdf") == "a.b.pdf"
    assert download_name(".pdf", "image/png") == ".pdf.png"


def test_bidi_controls_never_reach_a_page_or_the_api(archive, client_as) -> None:
    doc = archive.documents[GRANTED][0]
    with archive.instance.db.transaction() as s:
        original = s.get(Document, doc).title
        s.execute(update(Document).where(Document.id == doc).values(title="Rechnung\u202efdp.exe"))
    try:
        clerk = client_as("clerk")
        page = clerk.get(f"/documents/{doc}").text
        assert "\u202e" not in page and "Rechnungfdp.exe" in page
        listed = clerk.get(f"/files/{archive.files[GRANTED]}").text
        assert "\u202e" not in listed
        api = clerk.get(f"/api/v1/documents/{doc}")
        assert "\u202e" not in api.get_data(as_text=True)
        assert json.loads(api.data)["title"] == "Rechnungfdp.exe"
    finally:
        with archive.instance.db.transaction() as s:
            s.execute(update(Document).where(Document.id == doc).values(title=original))
