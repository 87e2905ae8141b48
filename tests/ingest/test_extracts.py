"""The extract worker on real originals, on both stacks: the stamp is in the text and in the
pixels of every page (read back with tesseract), a plan without consent is absent, staff get
the pages as they are, and a failed try leaves the order to be made again."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from sqlalchemy import select

from docstore import fees
from docstore.extract_models import ExtractOrder, ExtractStatus
from docstore.fee_models import FeeNotice, NoticeStatus
from docstore.instance import Instance
from docstore.models import BuildingFile, Document, Role
from docstore.services import extracts, fee_notices, grants, plan_consents, users
from docstore.services.actors import CONSOLE
from docstore.services.extracts import OrderTerms, Selection
from ingest import extracts as worker
from ingest import ocr
from ingest.printing import store_fee_notice
from ingest.runner import run

from . import samples

AZ = "63-BA-2019-0457"


def _terms(inst: Instance) -> OrderTerms:
    config = inst.config
    return OrderTerms(fees.schedule_of(config), fee_notices.letterhead_of(config),
                      lambda letter: store_fee_notice(inst.store, letter),
                      plan_consents.plan_kinds(config), 300, config.tz)  # fmt: skip


@pytest.fixture
def filed(instance: Instance, tmp_path: Path) -> tuple[Instance, dict[str, int]]:
    """A letter (PDF, 2 pages), a plan (TIFF, 2 pages) and a scan (JPEG) in one file; a citizen
    who may download it."""
    src = tmp_path / "batch"
    src.mkdir()
    samples.text_pdf(src / f"{AZ}_baugenehmigung_2019-05-14_Genehmigung.pdf", pages=2)
    samples.multipage_tiff(src / f"{AZ}_bauzeichnung_2019-05-14_Grundrisse.tif", pages=2)
    samples.save_image(src / f"{AZ}_schriftverkehr_2019-06-01_Brief.jpg",
                       samples.scan_image("Schreiben an den Bauherrn"), "JPEG")  # fmt: skip
    report = run([src], instance)
    assert all(f.outcome.value == "accepted" for f in report.files), report.summary()
    with instance.db.transaction() as s:
        ids = {d.kind: d.id for d in s.scalars(select(Document))}
        user = users.create_user(s, "erika", "Ein-sehr-langes-Passwort-1", Role.CITIZEN,
                                 actor=CONSOLE)  # fmt: skip
        user.display_name = "Erika Mustermann"
        bf = s.scalar(select(BuildingFile).where(BuildingFile.aktenzeichen == AZ))
        grants.grant_access(s, user, bf, actor=CONSOLE, may_download=True)
        ids["erika"] = user.id
        ids["clerk"] = users.create_user(s, "clerk", "Ein-sehr-langes-Passwort-1", Role.CLERK,
                                         actor=CONSOLE).id  # fmt: skip
    return instance, ids


def _order(inst: Instance, who: int, kinds: list[str], ids, **options) -> int:
    with inst.db.transaction() as s:
        user = s.get(users.User, who)
        chosen = [Selection(ids[k]) for k in kinds]
        return extracts.order(s, user, chosen, _terms(inst), **options).id


def _made(inst: Instance, order_id: int) -> PdfReader:
    worker.make_pending(inst)
    with inst.db.session() as s:
        order = s.get(ExtractOrder, order_id)
        assert order.status == ExtractStatus.READY.value, order.error
        return PdfReader(io.BytesIO(inst.store.read_bytes(order.object_key)))


def _band_text(image: Image.Image) -> str:
    """What tesseract reads in the bottom strip of a page image (the stamp's band)."""
    band = image.crop((0, int(image.height * 0.93), image.width, image.height))
    return ocr.recognise(band, "deu+eng", dpi=150).text


def test_every_page_carries_the_stamp_in_its_text_and_its_pixels(filed) -> None:
    inst, ids = filed
    order_id = _order(inst, ids["erika"], ["baugenehmigung", "schriftverkehr"], ids)
    pdf = _made(inst, order_id)
    assert len(pdf.pages) == 3
    for number, page in enumerate(pdf.pages, 1):
        text = page.extract_text()
        assert "Nur zur Einsichtnahme" in text and AZ in text and "Erika Mustermann" in text
        assert f"Seite {number} von 3" in text
        images = page.images
        assert len(images) == 1  # nothing beneath the stamped image to lift out
        read = _band_text(images[0].image)
        assert "Einsichtnahme" in read and AZ in read.replace(" ", ""), read


def test_a_plan_without_consent_is_absent_and_with_the_declaration_present(filed) -> None:
    inst, ids = filed
    without = _made(inst, _order(inst, ids["erika"], ["baugenehmigung", "bauzeichnung"], ids))
    texts = " ".join(p.extract_text() for p in without.pages)
    assert len(without.pages) == 2 and "Seite 2 von 2" in texts  # the letter only
    declared = _order(inst, ids["erika"], ["bauzeichnung"], ids, proceedings_declared=True)
    plan = _made(inst, declared)
    assert len(plan.pages) == 2
    read = ocr.recognise(plan.pages[0].images[0].image, "deu+eng", dpi=150).text
    assert "Bauzeichnung Blatt 1" in read  # the plan itself, under its stamp


def test_staff_get_the_pages_as_they_are(filed) -> None:
    inst, ids = filed
    order_id = _order(inst, ids["clerk"], ["baugenehmigung", "bauzeichnung"], ids, stamped=False)
    pdf = _made(inst, order_id)
    assert len(pdf.pages) == 4
    assert "Einsichtnahme" not in " ".join(p.extract_text() for p in pdf.pages)
    assert "Seite 1" in pdf.pages[0].extract_text()  # the original text layer
    scan = pdf.pages[2].images[0].image.convert("L")
    original = samples.scan_image("Bauzeichnung Blatt 1")
    assert scan.size == original.size
    assert ImageChops.difference(scan, original).getbbox() is None  # without loss


def test_a_failed_try_leaves_the_order_to_be_made_again(filed, monkeypatch) -> None:
    inst, ids = filed
    order_id = _order(inst, ids["erika"], ["baugenehmigung"], ids)

    def broken(*_args, **_kw):
        raise OSError("no space left on device")

    monkeypatch.setattr(worker, "write", broken)
    assert worker.make_pending(inst) == 1
    with inst.db.transaction() as s:
        order = s.get(ExtractOrder, order_id)
        assert order.status == ExtractStatus.QUEUED.value and "no space" in order.error
        assert not inst.store.exists(f"extracts/{order_id}.pdf")
        order.claimed_until = None  # the retry delay has passed
    monkeypatch.undo()
    assert len(_made(inst, order_id).pages) == 2


def test_an_expired_extract_is_deleted_and_its_order_kept(filed) -> None:
    inst, ids = filed
    order_id = _order(inst, ids["erika"], ["schriftverkehr"], ids)
    _made(inst, order_id)
    with inst.db.transaction() as s:
        order = s.get(ExtractOrder, order_id)
        key = order.object_key
        order.expires_at = order.ready_at
        notice_id = order.fee_notice_id
    assert notice_id is not None and inst.store.exists(key)
    assert worker.sweep(inst) == 0  # its fee is open: kept, paying starts its link
    with inst.db.transaction() as s:
        s.get(FeeNotice, notice_id).status = NoticeStatus.CANCELLED.value
    assert worker.sweep(inst) == 1
    assert not inst.store.exists(key)
    with inst.db.session() as s:
        assert s.get(ExtractOrder, order_id).status == ExtractStatus.EXPIRED.value
