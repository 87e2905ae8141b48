"""The demo archive: realistic, deterministic, and ingested without a single reject."""

from __future__ import annotations

import csv
import hashlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from docstore.fee_models import FeeNotice
from docstore.models import BuildingFile, Document, Grant, Page, User
from ingest.demo import build_archive, run_demo
from ingest.model import Outcome
from tests.ingest.conftest import make_instance


def digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def image_facts(path) -> tuple[tuple[int, int], int]:
    with Image.open(path) as image:
        return image.size, getattr(image, "n_frames", 1)


@pytest.mark.slow
def test_archive_is_deterministic_and_varied(tmp_path) -> None:
    manifest = build_archive(tmp_path / "a")
    build_archive(tmp_path / "b")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")

    with manifest.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    files = {r["aktenzeichen"] for r in rows}
    assert len(files) >= 12
    kinds = {r["kind"] for r in rows}
    assert {"bauantrag", "baugenehmigung", "statik", "schriftverkehr", "bescheinigung"} <= kinds
    suffixes = {r["file"].rsplit(".", 1)[1] for r in rows}
    assert suffixes == {"pdf", "tif", "jpg"}
    certs = [r for r in rows if r["kind"] == "bescheinigung"]
    assert certs and all(r["valid_until"] > r["issued_on"] for r in certs)
    span = sorted(r["date"] for r in rows if r["aktenzeichen"] == "63-BA-1962-0031")
    assert span[0] < "1965" and span[-1] >= "2025"
    plans = [image_facts(tmp_path / "a" / r["file"]) for r in rows if r["kind"] == "lageplan"]
    assert any(w >= 9000 and h >= 6000 for (w, h), _ in plans)
    tiffs = [image_facts(tmp_path / "a" / r["file"]) for r in rows if r["file"].endswith(".tif")]
    assert any(frames > 1 for _, frames in tiffs)


@pytest.mark.slow
def test_demo_ingests_completely_and_reruns_as_duplicates(tmp_path) -> None:
    inst = make_instance(tmp_path / "instance")
    people, report = run_demo(inst)
    assert len(people.users) == 5
    assert report.count(Outcome.ACCEPTED) == len(report.files) > 40
    assert report.summary()["ocr_pages"] > 10
    with inst.db.session() as s:
        assert s.scalar(select(func.count()).select_from(BuildingFile)) >= 12
        assert (
            s.scalar(
                select(func.count())
                .select_from(Document)
                .where(Document.building_file_id.is_(None))
            )
            == 0
        )
        assert s.scalar(select(func.count()).select_from(User)) == 5
        assert s.scalar(select(func.count()).select_from(Grant)) == 3
        (waiting,) = s.scalars(select(Grant).where(Grant.awaiting_payment)).all()
        (notice,) = s.scalars(select(FeeNotice)).all()
        assert notice.status == "open" and notice.grant_id == waiting.id and notice.pdf_key
    assert "fee notice of 16,50" in people.applications[0]
    assert len(people.redactions) == 1  # the 2019 applicant's name
    with inst.db.session() as s:
        [redacted] = s.scalars(select(Page).where(Page.redacted_text.is_not(None))).all()
        assert "Bauherr" in redacted.text and "Bauherr: ███" in redacted.redacted_text
    again_people, again = run_demo(inst)
    assert again.count(Outcome.DUPLICATE) == len(again.files)
    assert again_people.applications == [] and again_people.redactions == []
    with inst.db.session() as s:
        assert s.scalar(select(func.count()).select_from(FeeNotice)) == 1
    inst.close()
