"""The clerk's payments page: a bank statement uploaded, the access it opens, a bad file
refused with the reason and nothing booked."""

from __future__ import annotations

import io
import uuid

from sqlalchemy import func, select

from docstore.fee_models import BankStatement, FeeNotice
from docstore.models import Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from tests.camt_samples import Booking, statement

from .conftest import GRANTED, PASSWORD, Archive, _unpaid_fee, csrf_token


def _neighbour_with_a_fee(archive: Archive) -> tuple[str, FeeNotice]:
    name = f"nachbar.{uuid.uuid4().hex[:6]}"
    with archive.instance.db.transaction() as s:
        users.create_user(s, name, PASSWORD, Role.CITIZEN, actor=CONSOLE)
    notice_id = _unpaid_fee(archive.instance, archive.files[GRANTED], name)
    with archive.instance.db.session() as s:
        notice = s.get(FeeNotice, notice_id)
        s.expunge(notice)
    return name, notice


def _upload(clerk, data: bytes, name: str = "auszug.xml"):
    page = clerk.get("/payments")
    assert page.status_code == 200
    return clerk.post("/payments/statements", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "statement": (io.BytesIO(data), name)},
        follow_redirects=True)  # fmt: skip


def _statements(archive: Archive) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(select(func.count()).select_from(BankStatement))


def test_a_statement_pays_the_notice_and_opens_the_access(
    archive: Archive, client_as, own_session_as
) -> None:
    name, notice = _neighbour_with_a_fee(archive)
    neighbour = own_session_as(name)
    status = f"/applications/{notice.request_id}"
    assert "sobald die Gebühr bezahlt ist" in neighbour.get(status).text
    clerk = client_as("clerk")
    data = statement([Booking("16.50", f"Bauakte {notice.reference}", payer="Max Nachbar"),
                      Booking("9.99", "Spende", payer="Unbekannt")],
                     statement_id=f"stmt-{uuid.uuid4().hex[:8]}")  # fmt: skip
    done = _upload(clerk, data)
    assert "1 zugeordnet, 1 zu prüfen" in done.text
    assert "Spende" in done.text and "Unbekannt" in done.text  # the unmatched one, to assign
    shown = neighbour.get(status).text
    assert "Freigegebene Unterlagen ansehen" in shown and "Vielen Dank" in shown
    assert "schon eingelesen" in _upload(clerk, data).text


def test_a_bad_statement_is_refused_with_its_reason(archive: Archive, client_as) -> None:
    clerk = client_as("clerk")
    before = _statements(archive)
    bomb = b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;&a;</x>"
    shown = _upload(clerk, bomb)
    assert shown.status_code == 200 and "nicht eingelesen" in shown.text and "DTD" in shown.text
    assert "nicht eingelesen" in _upload(clerk, b"\x89PNG\r\n\x1a\n", "auszug.png").text
    assert _statements(archive) == before


def test_a_citizen_cannot_import(client_as) -> None:
    citizen = client_as("citizen.active")
    token = csrf_token(citizen.get("/").text)
    data = statement([Booking("1.00")])
    sent = citizen.post(
        "/payments/statements",
        content_type="multipart/form-data",
        data={"csrf_token": token, "statement": (io.BytesIO(data), "a.xml")},
    )
    assert sent.status_code == 403
    assert citizen.get("/payments").status_code == 403
