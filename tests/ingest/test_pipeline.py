"""The whole pipeline on real files, on both stacks: hostile input, dedupe, inbox, renditions."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import func, select

import ingest
from docstore.models import AuditEvent, Blob, Document, IndexOutbox, Page
from docstore.services import audit
from ingest.index_sync import search_backend
from ingest.model import Outcome
from storage import derived_key, original_key
from tests.ingest.conftest import BAD, GOOD, copy_of


def by_name(report) -> dict[str, object]:
    return {Path(f.path).name: f for f in report.files}


def snapshot(folder: Path) -> dict[str, tuple[bytes, float]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime) for p in folder.iterdir()}


def test_hostile_batch(instance, hostile_batch, tmp_path) -> None:
    folder = copy_of(hostile_batch, tmp_path)
    before = snapshot(folder)
    report = ingest.run([folder], instance)
    files = by_name(report)
    assert set(files) == set(GOOD) | set(BAD)

    for name, reason in BAD.items():
        f = files[name]
        assert f.outcome is Outcome.REJECTED, (name, f)
        assert f.reason.startswith(reason), (name, f.reason)
        reason_file = instance.config.quarantine_dir / f.sha256 / "reason.json"
        record = json.loads(reason_file.read_text())
        assert record["reason"] == reason
        assert record["original_name"] == name
        copies = [p for p in reason_file.parent.iterdir() if p.name.startswith("original")]
        assert [c.read_bytes() for c in copies] == [(folder / name).read_bytes()]

    for name, what in GOOD.items():
        f = files[name]
        assert f.outcome is Outcome.ACCEPTED, (name, f)
        assert ("active-content" in f.flags) is (what == "active")
    assert files["plan.tif"].pages == 3
    assert files["plan.tif"].ocr_pages == 3
    assert files["scan.jpg"].ocr_pages == 1
    assert files["owner-only.pdf"].ocr_pages == 0
    assert snapshot(folder) == before  # sources untouched

    with instance.db.session() as s:
        docs = s.scalars(select(Document)).all()
        assert len(docs) == len(GOOD)
        for doc in docs:
            assert doc.page_count == len(doc.pages) > 0
            blob = s.get(Blob, doc.blob_sha256)
            assert (
                instance.store.read_bytes(blob.storage_key)
                == (folder / doc.original_name).read_bytes()
            )
            for page in doc.pages:
                for name in ("thumb.jpg", "preview.jpg"):
                    data = instance.store.read_bytes(
                        derived_key(blob.sha256, f"p{page.number:04d}/{name}")
                    )
                    assert data[:3] == b"\xff\xd8\xff"
                if page.text_source == "ocr":
                    words = json.loads(
                        instance.store.read_bytes(
                            derived_key(blob.sha256, f"p{page.number:04d}/words.json")
                        )
                    )
                    assert words["words"] and all(0 <= w[1] <= 1 for w in words["words"])
        scan = next(d for d in docs if d.original_name == "scan.jpg")
        assert "Baugenehmigung" in scan.pages[0].text
        assert scan.pages[0].ocr_confidence > 50
        text_doc = next(d for d in docs if d.original_name.startswith("63-BA"))
        assert text_doc.kind == "baugenehmigung"
        assert text_doc.building_file.aktenzeichen == "63-BA-2019-0457"
        assert text_doc.title == "Neubau Wohnhaus"
        assert str(text_doc.date) == "2019-05-14"
        assert text_doc.pages[0].text_source == "pdf"
        assert "Auflagen" in text_doc.pages[0].text
        inbox = [d for d in docs if d.building_file_id is None]
        assert len(inbox) == len(GOOD) - 1
        assert s.scalar(select(func.count()).select_from(IndexOutbox)) == 0  # synced
        pages = s.scalar(select(func.count()).select_from(Page))
        assert search_backend(instance).count() == pages  # one index entry per page
        ingested = s.scalars(select(AuditEvent).where(AuditEvent.action == "document.ingest")).all()
        assert len(ingested) == len(GOOD)
        assert audit.verify_chain(s).ok
        assert s.scalar(select(func.count()).select_from(Page)) == sum(d.page_count for d in docs)

    originals = {o.key for o in instance.store.list("blobs/")}
    assert originals == {original_key(d.blob_sha256) for d in docs}


def test_rerun_adds_nothing_and_copies_are_duplicates(instance, hostile_batch, tmp_path) -> None:
    folder = copy_of(hostile_batch, tmp_path, "scan.jpg", "owner-only.pdf", "locked.pdf")
    (folder / "scan (copy).jpg").write_bytes((folder / "scan.jpg").read_bytes())
    first = by_name(ingest.run([folder], instance))
    # folders are read in name order: "scan (copy).jpg" comes before "scan.jpg"
    assert first["scan (copy).jpg"].outcome is Outcome.ACCEPTED
    assert first["scan.jpg"].outcome is Outcome.DUPLICATE
    assert first["scan.jpg"].duplicate_of == first["scan (copy).jpg"].document_id

    second = by_name(ingest.run([folder], instance))
    assert second["scan.jpg"].outcome is Outcome.DUPLICATE
    assert second["scan.jpg"].duplicate_of == first["scan (copy).jpg"].document_id
    assert second["owner-only.pdf"].duplicate_of == first["owner-only.pdf"].document_id
    assert second["locked.pdf"].outcome is Outcome.REJECTED
    with instance.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 2
        assert s.scalar(select(func.count()).select_from(Blob)) == 2
    assert len(list(instance.store.list("blobs/"))) == 2
    assert len(list(instance.config.quarantine_dir.iterdir())) == 1


def test_hostile_file_names(instance, hostile_batch, tmp_path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    data = (hostile_batch / "owner-only.pdf").read_bytes()
    names = [
        "x..\u2215..\u2215etc\u2215passwd.pdf",  # division slashes, not separators
        "line\nbreak\r.pdf",
        "x" * 246 + ".pdf",
        "Baugenehmigung Straße Ä Ö Ü 日本.pdf",
        "-rf --no-preserve-root.pdf",
    ]
    for i, name in enumerate(names):
        (folder / name).write_bytes(data + b"%" + str(i).encode())
    (folder / "bad..pdf").write_bytes(b"%PDF-1.4 not really")
    (folder / ".~lock.scan.pdf#").write_bytes(b"an office program's lock file: hidden")
    (folder / "sub").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "given.pdf").write_bytes(data + b"%given")
    dotted = f"{folder}/sub/../../other/given.pdf"
    report = ingest.run([folder, dotted, folder / names[0]], instance)
    files = by_name(report)
    assert files[".~lock.scan.pdf#"].reason.startswith("unsupported type")  # hidden, reported
    assert files["given.pdf"].path == dotted  # reported as given
    assert files["given.pdf"].outcome is Outcome.ACCEPTED
    assert len(report.files) == len(names) + 3  # a file given twice is processed once
    for name in names:
        assert files[name].outcome is Outcome.ACCEPTED, files[name]
    with instance.db.session() as s:
        stored = set(s.scalars(select(Document.original_name)).all())
    assert set(names) <= stored
    bad = files["bad..pdf"]
    assert bad.outcome is Outcome.REJECTED
    assert sorted(p.name for p in (instance.config.quarantine_dir / bad.sha256).iterdir()) == [
        "original.pdf",
        "reason.json",
    ]
    assert not any(p.name.startswith("..") for p in instance.config.home.rglob("*"))


def test_missing_paths_and_symlinks_are_reported(instance, hostile_batch, tmp_path) -> None:
    folder = copy_of(hostile_batch, tmp_path, "scan.png")
    os.symlink(hostile_batch / "scan.jpg", folder / "link.jpg")
    report = ingest.run([folder, tmp_path / "nope.pdf", folder / "link.jpg"], instance)
    files = {f.path: f for f in report.files}
    assert files[str(tmp_path / "nope.pdf")].reason == "no such file or folder"
    assert "symbolic link" in files[str(folder / "link.jpg")].reason
    assert [f.outcome for f in report.files].count(Outcome.ACCEPTED) == 1
