"""The upload page: a manifest template the pipeline reads, and results that link onward."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from docstore.models import AuditEvent, Document, UploadBatch, UploadFile
from ingest import held, spool
from ingest.metadata import MANIFEST_COLUMNS, load_manifest

from .conftest import csrf_token
from .test_clerk import _pdf, _upload


def test_the_manifest_template_is_a_manifest_the_pipeline_reads(client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    page = clerk.get("/upload").text
    assert 'href="/upload/manifest-vorlage.csv"' in page and 'class="drop-zone"' in page
    template = clerk.get("/upload/manifest-vorlage.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    header = template.data.decode("utf-8-sig").splitlines()[0].split(";")
    assert tuple(header) == MANIFEST_COLUMNS
    path = tmp_path / "manifest.csv"
    path.write_bytes(template.data)
    manifest = load_manifest(path)
    assert manifest.problems == [] and len(manifest.rows) == 1
    [row] = manifest.rows.values()
    assert row.assignment.aktenzeichen and row.description.kind == "baugenehmigung"
    assert client_as("citizen.active").get("/upload/manifest-vorlage.csv").status_code == 403


def test_a_duplicate_links_to_the_copy_already_held(archive, client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    scan = _pdf(tmp_path, "dup.pdf", "Kellerabdichtung Nordseite")
    first = _upload(clerk, [(scan, "erstes.pdf")])
    spool.process_pending(archive.instance)
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    held = clerk.get(f"/upload/{first_id}/status.json").get_json()["files"][0]["document_id"]
    again = _upload(clerk, [(scan, "nochmal.pdf")])
    spool.process_pending(archive.instance)
    page = clerk.get(again.headers["Location"]).text
    assert "vorhandenes Dokument ansehen" in page
    assert page.count(f'href="/documents/{held}"') >= 2  # the name and the copy held


def test_a_bad_manifest_row_is_explained_in_german(archive, client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    scan = _pdf(tmp_path, "row.pdf", "Zeilenfehler Beispiel")
    manifest = b"file;aktenzeichen;kind;date\nzeile.pdf;63-BA-2026-0301;statik;31.1.2020\n"
    sent = _upload(clerk, [(scan, "zeile.pdf")], (manifest, "manifest.csv"))
    spool.process_pending(archive.instance)
    page = clerk.get(sent.headers["Location"]).text
    reason = page.split('class="reason">')[1].split("</td>")[0]
    assert "Manifest manifest.csv, Zeile 2:" in reason
    assert "„31.1.2020“ in der Spalte date ist kein Datum" in reason
    assert "YYYY-MM-DD" not in page and "is not a date" not in page
    status = clerk.get(sent.headers["Location"] + "/status.json").get_json()
    assert "ist kein Datum" in status["files"][0]["reason"]


def test_a_refused_type_is_named_in_german_without_console_advice(archive, client_as) -> None:
    clerk = client_as("clerk")
    sent = _upload(clerk, [(b"<html><body>kein Scan</body></html>", "seite.pdf")])
    spool.process_pending(archive.instance)
    page = clerk.get(sent.headers["Location"]).text
    reason = page.split('class="reason">')[1].split("</td>")[0]
    assert reason.startswith("Dateityp nicht unterstützt (text/")
    assert "allowed are" not in page


def _refused_row(archive, clerk, tmp_path, marker: str, row: str, name: str = "zeile.pdf"):
    """An upload whose one file is refused for its manifest row; (status url, file id)."""
    scan = _pdf(tmp_path, name, marker)
    manifest = f"file;aktenzeichen;kind;date;title\n{name};{row}\n".encode()
    sent = _upload(clerk, [(scan, name)], (manifest, "manifest.csv"))
    spool.process_pending(archive.instance)
    status = sent.headers["Location"]
    [entry] = clerk.get(status + "/status.json").get_json()["files"]
    assert entry["outcome"] == "rejected" and entry["correct_url"], entry
    return status, int(entry["correct_url"].split("/files/")[1].split("/")[0])


def test_a_refused_row_is_corrected_in_place_and_the_file_goes_again(
    archive, client_as, tmp_path
) -> None:
    clerk = client_as("clerk")
    az = "63-BA-2026-0311"
    status, file_id = _refused_row(
        archive, clerk, tmp_path, "Korrektur Zeile Tiefgarage", f"{az};statik;31.1.2020;Statik TG"
    )
    page = clerk.get(status).text
    correct_url = f"{status}/files/{file_id}/correct"
    assert f'href="{correct_url}"' in page and "Zeile korrigieren" in page
    form = clerk.get(correct_url)
    assert form.status_code == 200
    html = form.text
    assert f'value="{az}"' in html and 'value="2020-01-31"' in html  # German date read for the form
    assert '<option selected value="statik">' in html
    date_field = html.split('id="date"')[0].rsplit("<p", 1)[1]
    assert "invalid" in date_field  # the field at fault is marked
    sent = clerk.post(correct_url, data={
        "csrf_token": csrf_token(html), "aktenzeichen": az, "kind": "statik",
        "date": "2020-01-31", "title": "Statik TG",
    })  # fmt: skip
    assert sent.status_code == 302
    new_status = sent.headers["Location"]
    assert new_status != status
    old = clerk.get(status + "/status.json").get_json()["files"][0]
    assert old["outcome"] == "corrected" and old["correct_url"] is None
    assert old["corrected_in"] == int(new_status.rsplit("/", 1)[1])
    assert f'href="{new_status}"' in clerk.get(status).text
    spool.process_pending(archive.instance)
    [done] = clerk.get(new_status + "/status.json").get_json()["files"]
    assert done["outcome"] == "accepted", done
    with archive.instance.db.session() as s:
        doc = s.get(Document, done["document_id"])
        assert doc.building_file.aktenzeichen == az
        assert doc.date == dt.date(2020, 1, 31) and doc.kind == "statik"
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "upload"))
        assert "upload.correct" in set(actions)
    assert not (spool.spool_dir(archive.instance) / held.HELD / _token(archive, status)).exists()
    again = clerk.post(correct_url, data={"csrf_token": csrf_token(html), "aktenzeichen": az})
    assert again.status_code == 400 and "wartet nicht auf eine korrigierte" in again.text


def test_a_correction_still_wrong_is_refused_and_the_file_stays_held(
    archive, client_as, tmp_path
) -> None:
    clerk = client_as("clerk")
    status, file_id = _refused_row(
        archive, clerk, tmp_path, "Korrektur noch falsch", "63-BA-2026-0312;gutachten;;"
    )
    url = f"{status}/files/{file_id}/correct"
    html = clerk.get(url).text
    assert '<option selected value="">' in html  # an unknown kind is not guessed
    wrong = clerk.post(url, data={"csrf_token": csrf_token(html), "kind": "",
                                  "street": "Venloer Str.", "house_number": "4a"})  # fmt: skip
    assert wrong.status_code == 400
    alert = wrong.text.split('role="alert">')[1].split("</p>")[0]
    assert "Eine Adresse oder ein Flurstück braucht ein Aktenzeichen" in alert
    field = wrong.text.split('<label for="aktenzeichen">')[1].split("</p>")[0]
    assert 'aria-invalid="true"' in field and 'value=""' in field
    assert 'value="Venloer Str."' in wrong.text  # what was typed stays
    held_copy = held.held_file(spool.spool_dir(archive.instance), _token(archive, status),
                               "zeile.pdf")  # fmt: skip
    assert held_copy is not None  # nothing moved
    assert clerk.get(status + "/status.json").get_json()["files"][0]["outcome"] == "rejected"


def test_a_refused_file_can_be_discarded_and_the_trail_says_so(
    archive, client_as, tmp_path
) -> None:
    clerk = client_as("clerk")
    status, file_id = _refused_row(
        archive, clerk, tmp_path, "Verwerfen Beispiel", "63-BA-2026-0313;plan;2020-13-01;Plan"
    )
    token = _token(archive, status)
    html = clerk.get(f"{status}/files/{file_id}/correct").text
    gone = clerk.post(f"{status}/files/{file_id}/discard", data={"csrf_token": csrf_token(html)})
    assert gone.status_code == 302
    [entry] = clerk.get(status + "/status.json").get_json()["files"]
    assert entry["outcome"] == "discarded" and entry["correct_url"] is None
    assert "verworfen" in clerk.get(status).text
    assert held.held_file(spool.spool_dir(archive.instance), token, "zeile.pdf") is None
    twice = clerk.post(f"{status}/files/{file_id}/discard", data={"csrf_token": csrf_token(html)},
                       follow_redirects=True)  # fmt: skip
    assert "wartet nicht auf eine korrigierte Manifestzeile" in twice.text
    with archive.instance.db.session() as s:
        details = s.scalars(select(AuditEvent.details).where(AuditEvent.action == "upload.discard"))
        assert any("zeile.pdf" in str(d) for d in details)


def test_only_clerks_correct_rows_and_only_of_refused_rows(archive, client_as, tmp_path) -> None:
    clerk = client_as("clerk")
    status, file_id = _refused_row(
        archive, clerk, tmp_path, "Nur Sachbearbeitung", "63-BA-2026-0314;statik;gestern;X"
    )
    url = f"{status}/files/{file_id}/correct"
    for who in ("citizen.active", "auditor", "architect"):
        outsider = client_as(who)
        assert outsider.get(url).status_code == 403
        token = csrf_token(outsider.get("/account").text)
        refused = outsider.post(f"{status}/files/{file_id}/discard", data={"csrf_token": token})
        assert refused.status_code == 403
    assert client_as(None).get(url).status_code == 302
    other = archive.upload  # an accepted file of another upload
    assert clerk.get(f"/upload/{other}/files/{file_id}/correct").status_code == 404
    with archive.instance.db.session() as s:
        accepted = s.scalar(select(UploadFile.id).where(UploadFile.batch_id == other))
    assert clerk.get(f"/upload/{other}/files/{accepted}/correct").status_code == 400
    assert held.held_file(spool.spool_dir(archive.instance), _token(archive, status),
                          "zeile.pdf") is not None  # fmt: skip


def _token(archive, status_url: str) -> str:
    with archive.instance.db.session() as s:
        return s.get(UploadBatch, int(status_url.rsplit("/", 1)[1])).token
