"""The clerk's desk: uploads through the spool, the inbox, metadata edits."""

from __future__ import annotations

import io
import threading
import time

import pytest
from sqlalchemy import select, update

from docstore.models import Document, UploadBatch, UploadStatus
from docstore.services import uploads, users
from ingest import spool
from tests.ingest.samples import multipage_tiff, text_pdf

from .conftest import GRANTED, csrf_token


def _upload(client, files: list[tuple[bytes, str]], manifest: tuple[bytes, str] | None = None):
    data = {
        "csrf_token": csrf_token(client.get("/upload").text),
        "files": [(io.BytesIO(b), n) for b, n in files],
    }
    if manifest:
        data["manifest"] = (io.BytesIO(manifest[0]), manifest[1])
    return client.post("/upload", data=data, content_type="multipart/form-data")


def _pdf(tmp_path, name: str, marker: str) -> bytes:
    return text_pdf(tmp_path / name, pages=1, marker=marker).read_bytes()


def test_upload_goes_through_the_spool_with_a_status_per_file(archive, client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    good = _pdf(tmp_path, "a.pdf", "Ortsbesichtigung Hinterhaus")
    response = _upload(
        clerk,
        [
            (good, f"{GRANTED}_schriftverkehr_2021-02-03_Ortstermin.pdf"),
            (b"MZ\x90\x00 not a pdf", "rechnung.pdf"),
            (good, "copy-of-the-same.pdf"),
        ],
    )
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    waiting = clerk.get(f"/upload/{batch_id}/status.json").get_json()
    assert waiting["status"] == "queued" and {f["outcome"] for f in waiting["files"]} == {None}
    assert spool.process_pending(archive.instance) == 1  # the worker, outside the request
    done = clerk.get(f"/upload/{batch_id}/status.json").get_json()
    outcomes = {f["name"]: (f["outcome"], f["reason"]) for f in done["files"]}
    assert done["status"] == "done"
    assert outcomes[f"{GRANTED}_schriftverkehr_2021-02-03_Ortstermin.pdf"][0] == "accepted"
    assert outcomes["rechnung.pdf"][0] == "rejected"
    assert outcomes["rechnung.pdf"][1].startswith("Dateityp nicht unterstützt (")  # German label
    assert outcomes["copy-of-the-same.pdf"][0] == "duplicate"
    page = clerk.get(f"/upload/{batch_id}").text
    assert "abgewiesen" in page and "übernommen" in page and "schon vorhanden" in page
    assert list(spool.spool_dir(archive.instance).iterdir()) == []  # nothing left behind
    hits = clerk.get("/search?q=Hinterhaus").text
    assert "1 Dokument gefunden" in hits  # indexed by the ingest's own sync


def test_a_long_file_shows_its_pages_while_the_worker_is_on_it(archive, client_as, tmp_path):
    clerk = client_as("clerk")
    scan = multipage_tiff(tmp_path / "scan.tif", pages=3).read_bytes()
    response = _upload(clerk, [(scan, "plan.tif")])
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with archive.instance.db.transaction() as s:  # as the spool worker records it
        uploads.record_pages(s, batch_id, "plan.tif", 1, 3)
    page = clerk.get(f"/upload/{batch_id}").text
    assert "in Arbeit" in page and "1 von 3 Seiten fertig" in page
    assert '<progress max="3" value="1"' in page
    token = csrf_token(page)
    clerk.post("/language", data={"lang": "en", "csrf_token": token, "next": "/upload"})
    assert "1 of 3 pages done" in clerk.get(f"/upload/{batch_id}").text
    assert spool.process_pending(archive.instance) == 1
    [done] = clerk.get(f"/upload/{batch_id}/status.json").get_json()["files"]
    assert (done["outcome"], done["pages_done"], done["pages_total"]) == ("accepted", 3, 3)
    assert "3 of 3 pages done" not in clerk.get(f"/upload/{batch_id}").text  # the outcome instead


def test_a_broken_manifest_refuses_the_upload(archive, client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    with archive.instance.db.session() as s:
        before = len(s.scalars(select(UploadBatch.id)).all())
    response = _upload(
        clerk,
        [(_pdf(tmp_path, "b.pdf", "x"), "b.pdf")],
        manifest=(b"\xff\xfe\x00garbage", "manifest.csv"),
    )
    assert response.status_code == 400 and "manifest" in response.text
    with archive.instance.db.session() as s:
        assert len(s.scalars(select(UploadBatch.id)).all()) == before


def test_a_batch_interrupted_by_a_crash_is_finished_without_duplicates(
    archive, client_as, tmp_path
):
    clerk = client_as("clerk")
    response = _upload(clerk, [(_pdf(tmp_path, "c.pdf", "Nachtrag Garage"), "nachtrag.pdf")])
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with archive.instance.db.transaction() as s:  # a worker took it and died
        s.execute(
            update(UploadBatch)
            .where(UploadBatch.id == batch_id)
            .values(status=UploadStatus.RUNNING.value)
        )
    assert spool.process_pending(archive.instance) == 0  # not taken from a live worker
    assert spool.process_pending(archive.instance, recover=True) == 1  # at start-up
    status = clerk.get(f"/upload/{batch_id}/status.json").get_json()
    assert [f["outcome"] for f in status["files"]] == ["accepted"]


def test_inbox_assignment_moves_the_document_and_search_follows(archive, client_as, tmp_path):
    clerk = client_as("clerk")
    response = _upload(clerk, [(_pdf(tmp_path, "d.pdf", "Zufahrt Feuerwehr"), "eingang-17.pdf")])
    spool.process_pending(archive.instance)
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    doc_id = clerk.get(f"/upload/{batch_id}/status.json").get_json()["files"][0]["document_id"]
    inbox = clerk.get("/inbox").text
    assert "eingang-17.pdf" in inbox
    assert (
        "Feuerwehr"
        not in client_as("citizen.active").get("/search?q=Feuerwehr").text.split("</form>")[-1]
    )
    moved = clerk.post(
        f"/documents/{doc_id}/assign",
        data={"aktenzeichen": GRANTED, "csrf_token": csrf_token(inbox)},
    )
    assert moved.status_code == 302
    assert f"/documents/{doc_id}/assign" not in clerk.get("/inbox").text
    assert (
        f"/documents/{doc_id}"
        in client_as("citizen.active").get(f"/files/{archive.files[GRANTED]}").text
    )
    found = client_as("citizen.active").get("/search?q=Feuerwehr").text
    assert "1 Dokument gefunden" in found  # the grant now covers it, search knows at once
    unknown = clerk.post(
        f"/documents/{doc_id}/assign",
        follow_redirects=True,
        data={"aktenzeichen": "63-XX-0000", "csrf_token": csrf_token(inbox)},
    )
    assert unknown.status_code == 400 and "liegt schon in der Bauakte" in unknown.text


def test_editing_metadata_updates_the_page_and_search(archive, client_as) -> None:
    clerk = client_as("clerk")
    doc = archive.documents[GRANTED][1]
    form = clerk.get(f"/documents/{doc}/edit").text
    saved = clerk.post(
        f"/documents/{doc}/edit",
        data={
            "csrf_token": csrf_token(form),
            "kind": "statik",
            "title": "Dachstuhlprüfung Anbau",
            "date": "2019-05-01",
            "issuer": "",
            "issued_on": "",
            "valid_until": "",
        },
    )
    assert saved.status_code == 302
    assert "Dachstuhlprüfung Anbau" in clerk.get(f"/documents/{doc}").text
    assert "1 Dokument gefunden" in clerk.get("/search?q=Dachstuhlprüfung").text
    with archive.instance.db.session() as s:
        assert s.get(Document, doc).title == "Dachstuhlprüfung Anbau"
    bad = clerk.post(
        f"/documents/{doc}/edit", data={"csrf_token": csrf_token(form), "kind": "rakete"}
    )
    assert (bad.status_code == 200 and "Not a valid choice" in bad.text) or "gültig" in bad.text


def test_a_spool_folder_the_server_never_queued_is_adopted(archive, client_as, tmp_path) -> None:
    """The request renamed its folder and died before the database row: nothing is lost."""
    import os

    folder = spool.spool_dir(archive.instance) / "0123456789abcdef0123456789abcdef"
    (folder / spool.FILES).mkdir(parents=True)
    (folder / spool.FILES / "verwaist.pdf").write_bytes(_pdf(tmp_path, "o.pdf", "Verwaiste Akte"))
    old = os.stat(folder).st_mtime - 3600
    os.utime(folder, (old, old))
    stale = spool.spool_dir(archive.instance) / "deadbeef.part"
    stale.mkdir()
    os.utime(stale, (old - 86_400, old - 86_400))
    assert spool.process_pending(archive.instance) == 0  # only at start-up
    assert spool.process_pending(archive.instance, recover=True) == 1
    assert not folder.exists() and not stale.exists()
    assert "1 Dokument gefunden" in client_as("clerk").get("/search?q=Verwaiste").text
    with archive.instance.db.session() as s:
        batch = s.scalar(select(UploadBatch).where(UploadBatch.token == folder.name))
        assert batch.uploader_id is None and batch.files[0].outcome == "accepted"


@pytest.mark.slow
def test_a_long_upload_does_not_hold_up_another_clerks(archive, tmp_path) -> None:
    """Two lanes: a short batch queued after a long one is done while the long one runs."""
    inst = archive.instance
    with inst.db.session() as s:
        clerk = users.get_user(s, "clerk")
    long_scan = multipage_tiff(tmp_path / "long.tif", pages=4)  # OCR, page by page
    short = text_pdf(tmp_path / "short.pdf", pages=1, marker="Kurzer Brief Fallrohr")
    with long_scan.open("rb") as f:
        first = spool.receive(inst, clerk, [("long.tif", f)])
    with short.open("rb") as f:
        second = spool.receive(inst, clerk, [("short.pdf", f)])
    stop = threading.Event()
    worker = threading.Thread(
        target=spool.work, args=(inst, stop), kwargs={"poll": 0.2, "lanes": 2}
    )
    worker.start()
    try:
        deadline = time.monotonic() + 120
        statuses = {}
        while time.monotonic() < deadline:
            with inst.db.session() as s:
                statuses = {b: s.get(UploadBatch, b).status for b in (first, second)}
            if statuses[second] == "done":
                break
            time.sleep(0.1)
        assert statuses == {first: "running", second: "done"}
    finally:
        stop.set()
        worker.join()
