"""The upload page: a manifest template the pipeline reads, and results that link onward."""

from __future__ import annotations

from ingest import spool
from ingest.metadata import MANIFEST_COLUMNS, load_manifest

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
