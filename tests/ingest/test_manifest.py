"""Manifests and the file-name convention: metadata in, bad rows reported, the rest goes on."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

import ingest
from docstore.models import BuildingFile, Document
from ingest.metadata import load_manifest, metadata_from_name
from ingest.model import Outcome
from tests.ingest import samples

HEADER = (
    "file,aktenzeichen,street,house_number,postcode,municipality,gemarkung,flur,flurstueck,"
    "kind,title,date,issuer,issued_on,valid_until\n"
)


def test_file_name_convention() -> None:
    m = metadata_from_name("63-BA-2019-0457_baugenehmigung_2019-05-14_Neubau_Einfamilienhaus.pdf")
    assert (
        m.assignment.aktenzeichen,
        m.description.kind,
        m.description.date,
        m.description.title,
    ) == (
        "63-BA-2019-0457",
        "baugenehmigung",
        dt.date(2019, 5, 14),
        "Neubau Einfamilienhaus",
    )
    m = metadata_from_name("63-BA-1962-0031_statik.tif")
    assert m.assignment.aktenzeichen == "63-BA-1962-0031"
    assert (m.description.kind, m.description.date, m.description.title) == ("statik", None, None)
    for name in (
        "scan0001.pdf",
        "63-BA-2019-0457_unknownkind_x.pdf",
        "Brief_an_Amt.pdf",
        "63-BA-2019-0457_statik_2019-13-45_x.pdf",
    ):
        assert metadata_from_name(name).assignment is None, name


def test_csv_rows_are_checked_one_by_one(tmp_path) -> None:
    (tmp_path / "manifest.csv").write_text(
        HEADER
        + "a.pdf,63-BA-2001-0001,Hauptstraße,3,50667,Köln,Altstadt,2,17/4,statik,Statik,"
        + "2001-03-04,,,\n"
        + "b.pdf,63-BA-2001-0001,,,,,,,,Fensterbank,,,,,\n"
        + "c.pdf,,,,,,,,,,,31.12.2001,,,\n"
        + ",63-BA-2001-0001,,,,,,,,,,,,,\n"
        + "a.pdf,63-BA-2001-0002,,,,,,,,,,,,,\n"
        + "d.pdf,63-BA-2001-0001,,,,,,,,bescheinigung,Prüfbericht,,TÜV,2020-01-01,2019-01-01\n"
        + "e.pdf,,Nebenweg,1,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    m = load_manifest(tmp_path / "manifest.csv")
    a = m.rows[tmp_path / "a.pdf"]
    place, what = a.assignment, a.description
    assert (place.aktenzeichen, place.street, place.flurstueck, what.kind, what.date) == (
        "63-BA-2001-0001",
        "Hauptstraße",
        "17/4",
        "statik",
        dt.date(2001, 3, 4),
    )
    problems = {p.row: p.reason for p in m.problems}
    assert "Fensterbank" in problems[3]
    assert "YYYY-MM-DD" in problems[4]
    assert "'file' is empty" in problems[5]
    assert "earlier row" in problems[6]
    assert "valid_until lies before issued_on" in problems[7]
    assert "needs an aktenzeichen" in problems[8]
    assert set(m.bad_rows) == {tmp_path / n for n in ("b.pdf", "c.pdf", "d.pdf", "e.pdf")}


def test_unreadable_manifest_is_one_problem(tmp_path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    m = load_manifest(tmp_path / "manifest.json")
    assert len(m.problems) == 1 and "cannot be read" in m.problems[0].reason
    (tmp_path / "m.csv").write_text("name,kind\nx.pdf,statik\n")
    assert "no column 'file'" in load_manifest(tmp_path / "m.csv").problems[0].reason


@pytest.mark.parametrize("form", ["csv", "json"])
def test_manifest_metadata_reaches_the_database(instance, tmp_path, form) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for i, name in enumerate(
        ["antrag.pdf", "genehmigung.pdf", "pruef.pdf", "falsch.pdf", "frei.pdf"]
    ):
        samples.text_pdf(folder / name, pages=1, marker=f"Dokument {i}")
    rows = [
        dict(
            file="batch/antrag.pdf",
            aktenzeichen="63-BA-1999-0815",
            street="Gartenstraße",
            house_number="12a",
            postcode="50939",
            municipality="Köln",
            gemarkung="Sülz",
            flur="4",
            flurstueck="112/3",
            kind="bauantrag",
            title="Bauantrag Anbau",
            date="1999-02-01",
        ),
        dict(
            file="batch/genehmigung.pdf",
            aktenzeichen="63-BA-1999-0815",
            kind="Baugenehmigung",
            title="Baugenehmigung mit Auflagen",
            date="1999-06-30",
        ),
        dict(
            file="batch/pruef.pdf",
            aktenzeichen="63-BA-1999-0815",
            kind="bescheinigung",
            title="Prüfbescheinigung Brandschutz",
            issuer="Prüfingenieur Dr. Kaya",
            issued_on="2015-03-01",
            valid_until="2025-02-28",
        ),
        dict(file="batch/falsch.pdf", aktenzeichen="63-BA-1999-0815", kind="Gutachten"),
        dict(file="batch/fehlt.pdf", aktenzeichen="63-BA-1999-0815"),
    ]
    manifest = tmp_path / f"meta.{form}"
    if form == "json":
        manifest.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        columns = HEADER.strip().split(",")
        lines = [";".join(columns)] + [";".join(r.get(c, "") for c in columns) for r in rows]
        manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = ingest.run([folder], instance, manifest=manifest)
    files = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert files["antrag.pdf"].outcome is Outcome.ACCEPTED
    assert files["antrag.pdf"].building_file == "63-BA-1999-0815"
    assert files["frei.pdf"].outcome is Outcome.ACCEPTED and "inbox" in files["frei.pdf"].flags
    falsch = files["falsch.pdf"]
    assert falsch.outcome is Outcome.REJECTED
    first_row = 2 if form == "csv" else 1  # CSV rows as a spreadsheet shows them; JSON from 1
    assert f"row {first_row + 3}:" in falsch.reason and "Gutachten" in falsch.reason
    assert not instance.config.quarantine_dir.exists() or not any(
        instance.config.quarantine_dir.iterdir()
    )  # the file was fine; the manifest was wrong
    problems = report.summary()["manifest_problems"]
    assert f"meta.{form} row {first_row + 4}: batch/fehlt.pdf is not among the files" in problems

    with instance.db.session() as s:
        bf = s.scalar(select(BuildingFile).where(BuildingFile.aktenzeichen == "63-BA-1999-0815"))
        assert (bf.street, bf.house_number, bf.postcode, bf.municipality) == (
            "Gartenstraße",
            "12a",
            "50939",
            "Köln",
        )
        assert [(p.gemarkung, p.flur, p.flurstueck) for p in bf.parcels] == [("Sülz", "4", "112/3")]
        docs = {d.original_name: d for d in s.scalars(select(Document)).all()}
        assert docs["genehmigung.pdf"].kind == "baugenehmigung"
        assert docs["genehmigung.pdf"].building_file_id == bf.id
        cert = docs["pruef.pdf"]
        assert (cert.issuer, cert.issued_on, cert.valid_until) == (
            "Prüfingenieur Dr. Kaya",
            dt.date(2015, 3, 1),
            dt.date(2025, 2, 28),
        )
        assert docs["frei.pdf"].building_file_id is None
        assert "falsch.pdf" not in docs
