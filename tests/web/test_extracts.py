"""Extracts on the web: ordered, made by the worker, paid, downloaded with the stamp on every
page; refused for pages outside the grant; the owner's alone; the clerk's plan consent."""

from __future__ import annotations

import io
import re
import uuid

import pypdfium2
from sqlalchemy import func, select

from docstore.extract_models import ExtractOrder, PlanConsent
from docstore.fee_models import FeeNotice, PaymentMethod
from docstore.models import BuildingFile, Document, Role
from docstore.services import grants, mail, payments, users
from docstore.services.actors import CONSOLE
from ingest import extracts as worker

from .conftest import GRANTED, OTHER, PASSWORD, Archive, csrf_token


def _citizen(archive: Archive, download: bool = True) -> str:
    """A citizen of their own with a grant on GRANTED (with or without the download right)."""
    name = f"auszug.{uuid.uuid4().hex[:6]}"
    with archive.instance.db.transaction() as s:
        user = users.create_user(s, name, PASSWORD, Role.CITIZEN, actor=CONSOLE)
        user.display_name = "Erika Auszug"
        user.email = f"{name}@example.de"
        bf = s.get(BuildingFile, archive.files[GRANTED])
        grants.grant_access(s, user, bf, actor=CONSOLE, may_download=download)
    return name


def _order(client, archive: Archive, data: dict) -> object:
    file_id = archive.files[GRANTED]
    form = client.get(f"/files/{file_id}/extract")
    assert form.status_code == 200
    return client.post(f"/files/{file_id}/extract",
                       data={"csrf_token": csrf_token(form.text), **data})  # fmt: skip


def _orders(archive: Archive) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(select(func.count()).select_from(ExtractOrder))


def test_ordered_made_paid_and_downloaded_with_the_stamp(archive, own_session_as) -> None:
    name = _citizen(archive)
    client = own_session_as(name)
    letter, _statik = archive.documents[GRANTED][:2]
    page = client.get(f"/files/{archive.files[GRANTED]}")
    assert "Auszug bestellen" in page.text
    answer = _order(client, archive, {"documents": [str(letter)], f"pages-{letter}": "1, 3"})
    assert answer.status_code == 303
    order_id = int(re.search(r"/extracts/(\d+)$", answer.headers["Location"]).group(1))
    status = client.get(f"/extracts/{order_id}")
    assert "wird erstellt" in status.text and "0,60" in status.text  # 2 A4 pages
    assert worker.make_pending(archive.instance) >= 1
    ready = client.get(f"/extracts/{order_id}")
    assert "sobald die Gebühr bezahlt ist" in ready.text
    held = client.get(f"/extracts/{order_id}.pdf")
    assert held.status_code == 303  # not before the fee is paid
    with archive.instance.db.transaction() as s:
        order = s.get(ExtractOrder, order_id)
        clerk = users.get_user(s, "clerk")
        payments.at_desk(s, clerk, order.fee_notice_id, 60, PaymentMethod.CARD, "K-7",
                         archive.instance.config.tz,
                         mail.context_of(archive.instance.config))  # fmt: skip
    assert "Auszug herunterladen" in client.get(f"/extracts/{order_id}").text
    pdf = client.get(f"/extracts/{order_id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    document = pypdfium2.PdfDocument(pdf.data)
    assert len(document) == 2
    for number, p in enumerate(document, 1):
        text = p.get_textpage().get_text_range()
        assert "Nur zur Einsichtnahme" in text and GRANTED in text and "Erika Auszug" in text
        assert f"Seite {number} von 2" in text
    assert client.get("/extracts/").status_code == 200


def test_an_extract_is_its_owners_alone(archive, own_session_as) -> None:
    owner, stranger = _citizen(archive), _citizen(archive)
    letter = archive.documents[GRANTED][0]
    answer = _order(own_session_as(owner), archive, {"documents": [str(letter)]})
    order_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    worker.make_pending(archive.instance)
    other = own_session_as(stranger)
    assert other.get(f"/extracts/{order_id}").status_code == 404
    assert other.get(f"/extracts/{order_id}.pdf").status_code == 404
    assert own_session_as("clerk").get(f"/extracts/{order_id}.pdf").status_code == 404


def test_pages_outside_the_grant_are_refused_and_nothing_is_ordered(
    archive, own_session_as
) -> None:
    before = _orders(archive)
    viewer = own_session_as(_citizen(archive, download=False))
    letter = archive.documents[GRANTED][0]
    form = viewer.get(f"/files/{archive.files[GRANTED]}/extract")
    assert "keine Kopien" in form.text
    data = {"csrf_token": csrf_token(form.text), "documents": [str(letter)]}
    refused = viewer.post(f"/files/{archive.files[GRANTED]}/extract", data=data)
    assert refused.status_code == 403
    client = own_session_as(_citizen(archive))
    foreign = archive.documents[OTHER][0]
    assert _order(client, archive, {"documents": [str(foreign)]}).status_code == 404
    wrong = _order(client, archive, {"documents": [str(letter)], f"pages-{letter}": "4"})
    assert wrong.status_code == 303 and wrong.headers["Location"].endswith("/extract")
    assert own_session_as(None).get(f"/files/{archive.files[GRANTED]}/extract").status_code == 302
    assert _orders(archive) == before


def test_only_staff_leave_the_stamp_off(archive, own_session_as) -> None:
    letter = archive.documents[GRANTED][0]
    citizen = own_session_as(_citizen(archive))
    assert _order(citizen, archive, {"documents": [str(letter)], "unstamped": "yes"}
                  ).status_code == 403  # fmt: skip
    clerk = own_session_as("clerk")
    answer = _order(clerk, archive, {"documents": [str(letter)], "unstamped": "yes"})
    order_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    worker.make_pending(archive.instance)
    pdf = clerk.get(f"/extracts/{order_id}.pdf")
    assert pdf.status_code == 200
    document = pypdfium2.PdfDocument(pdf.data)
    text = document[0].get_textpage().get_text_range()
    assert "Einsichtnahme" not in text and "Seite 1" in text  # the original page itself
    with archive.instance.db.session() as s:
        assert s.get(ExtractOrder, order_id).fee_notice_id is None


def test_the_clerk_records_and_withdraws_a_plan_authors_consent(archive, own_session_as) -> None:
    doc = archive.documents[GRANTED][1]
    clerk = own_session_as("clerk")
    edit = clerk.get(f"/documents/{doc}/edit")
    token = csrf_token(edit.text)
    with archive.instance.db.transaction() as s:
        s.get(Document, doc).kind = "bauzeichnung"
    try:
        assert "Zustimmung des Urhebers" in clerk.get(f"/documents/{doc}/edit").text
        url = f"/documents/{doc}/plan-consent"
        bad = clerk.post(url, data={"csrf_token": token, "consented_on": "gestern", "note": "x"})
        assert bad.status_code == 303
        form = {"csrf_token": token, "consented_on": "2026-11-02", "note": "Brief vom 2.11."}
        done = clerk.post(url, data=form)
        assert done.status_code == 303
        citizen = own_session_as(_citizen(archive))
        token_c = csrf_token(citizen.get("/").text)
        assert citizen.post(f"/documents/{doc}/plan-consent", data={
            "csrf_token": token_c, "consented_on": "2026-11-02", "note": "ich"}
        ).status_code == 403  # fmt: skip
        clerk.post(f"/documents/{doc}/plan-consent/withdraw",
                   data={"csrf_token": token, "reason": "widerrufen"})  # fmt: skip
        with archive.instance.db.session() as s:
            rows = s.scalars(select(PlanConsent).where(PlanConsent.document_id == doc)).all()
            assert [(r.note, r.withdrawn_at is not None) for r in rows] == [
                ("Brief vom 2.11.", True)]  # fmt: skip
    finally:
        with archive.instance.db.transaction() as s:
            s.get(Document, doc).kind = "statik"


def test_a_fee_notice_of_an_extract_reads_as_one(archive, own_session_as) -> None:
    client = own_session_as(_citizen(archive))
    letter = archive.documents[GRANTED][0]
    answer = _order(client, archive, {"documents": [str(letter)]})
    order_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    with archive.instance.db.session() as s:
        notice = s.get(FeeNotice, s.get(ExtractOrder, order_id).fee_notice_id)
        notice_id = notice.id
    pdf = client.get(f"/fee-notices/{notice_id}.pdf")
    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(
        io.BytesIO(pdf.data).getvalue()))  # fmt: skip
    assert "Für Ihren Auszug E-" in text and "Auszug, je Seite bis DIN A4" in text


def test_hostile_form_values_are_refused_not_a_server_error(archive, own_session_as) -> None:
    client = own_session_as(_citizen(archive))
    letter = archive.documents[GRANTED][0]
    before = _orders(archive)
    for data in ({"documents": ["99999999999999999999999"]}, {"documents": ["²"]},
                 {"documents": [str(letter)], f"pages-{letter}": "²"},
                 {"documents": [str(letter)], f"pages-{letter}": "1-3," * 5000}):  # fmt: skip
        answer = _order(client, archive, data)
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/extract")
    foreign = archive.documents[OTHER][0]  # of another file than the form's: not there
    assert _order(client, archive, {"documents": [str(foreign)]}).status_code == 404
    assert _orders(archive) == before
