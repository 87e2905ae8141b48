""" "Online bezahlen" on the application page, through the test Bezahldienst: the pay page,
the return, the notification; forgeries and strangers get nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from docstore.fee_models import FeeNotice, OnlinePayment, Payment
from docstore.instance import Instance
from docstore.models import Role
from docstore.services import sessions, users
from docstore.services.actors import CONSOLE
from docstore.xbezahldienste import signature
from tests.xbezahldienste_provider import TestBezahldienst
from viewer.web import create_app

from .conftest import GRANTED, PASSWORD, Archive, _unpaid_fee, csrf_token

PUBLIC = "http://bauakte.test"


@dataclass
class Paying:
    app: Flask
    instance: Instance
    paydienst: TestBezahldienst

    def client(self, username: str) -> FlaskClient:
        client = self.app.test_client()
        with self.instance.db.transaction() as s:
            key = sessions.start(s, users.get_user(s, username), sessions.Lifetime())
        with client.session_transaction() as cookie:
            cookie["_user_id"], cookie["_fresh"] = key, True
        return client


@pytest.fixture(scope="module")
def paying(archive: Archive) -> Iterator[Paying]:
    paydienst = TestBezahldienst().start()
    config = archive.instance.config
    values = {**config.values, **paydienst.settings(), "public_url": PUBLIC}
    inst = Instance(replace(config, values=values))
    yield Paying(create_app(inst, TESTING=True), inst, paydienst)
    inst.close()
    paydienst.stop()


def _applicant(archive: Archive) -> tuple[str, FeeNotice]:
    name = f"zahler.{uuid.uuid4().hex[:6]}"
    with archive.instance.db.transaction() as s:
        users.create_user(s, name, PASSWORD, Role.CITIZEN, actor=CONSOLE)
    notice_id = _unpaid_fee(archive.instance, archive.files[GRANTED], name)
    with archive.instance.db.session() as s:
        notice = s.get(FeeNotice, notice_id)
        s.expunge(notice)
    return name, notice


def _press_pay(client: FlaskClient, notice: FeeNotice):
    page = client.get(f"/applications/{notice.request_id}")
    assert "16,50\u00a0€ online bezahlen" in page.text
    assert "form-action 'self' http://127.0.0.1:" in page.headers["Content-Security-Policy"]
    return client.post(f"/fee-notices/{notice.id}/pay", data={"csrf_token": csrf_token(page.text)})


def _booked(paying: Paying, notice: FeeNotice) -> int:
    with paying.instance.db.session() as s:
        return s.scalar(select(func.count()).select_from(Payment)
                        .where(Payment.notice_id == notice.id))  # fmt: skip


def test_pay_online_and_come_back_to_open_files(archive: Archive, paying: Paying) -> None:
    name, notice = _applicant(archive)
    client = paying.client(name)
    sent = _press_pay(client, notice)
    tx = paying.paydienst.last
    assert (
        sent.status_code == 303
        and sent.headers["Location"] == f"{paying.paydienst.url}/pay/{tx.id}"
    )
    back = tx.request["redirectUrl"]
    assert back.startswith(f"{PUBLIC}/payments/online/")
    paying.paydienst.pay(tx.id, notify=False)
    shown = client.get(back.removeprefix(PUBLIC), follow_redirects=True)
    assert "die Zahlung ist eingegangen" in shown.text
    assert "Freigegebene Unterlagen ansehen" in shown.text and "online bezahlen" not in shown.text
    assert _booked(paying, notice) == 1


def test_a_closed_browser_is_paid_by_the_notification(archive: Archive, paying: Paying) -> None:
    name, notice = _applicant(archive)
    client = paying.client(name)
    _press_pay(client, notice)
    status = client.get(f"/applications/{notice.request_id}").text
    assert "online bezahlt oder damit begonnen" in status
    paying.paydienst.pay(paying.paydienst.last.id, notify=False)
    body, headers = paying.paydienst.notification(paying.paydienst.last.id)
    anonymous = paying.app.test_client()
    assert anonymous.post("/payments/online/notify", data=body, headers=headers).status_code == 204
    assert anonymous.post("/payments/online/notify", data=body, headers=headers).status_code == 204
    assert _booked(paying, notice) == 1
    assert (
        "Freigegebene Unterlagen ansehen" in client.get(f"/applications/{notice.request_id}").text
    )


def test_forged_notifications_are_refused_and_change_nothing(
    archive: Archive, paying: Paying
) -> None:
    name, notice = _applicant(archive)
    _press_pay(paying.client(name), notice)
    tx = paying.paydienst.last
    paying.paydienst.pay(tx.id, notify=False)
    anonymous = paying.app.test_client()
    forged = [
        paying.paydienst.notification(tx.id, key="k" * 40),
        paying.paydienst.notification(tx.id, amount_cents=1),
        paying.paydienst.notification(tx.id, signed_at=int(time.time()) - 7200),
        (b'{"transactionId": "%s"}' % tx.id.encode(), {}),
        (b"\xff" * 100, {"X-Bezahldienst-Signature": signature(paying.paydienst.key,
                                                             int(time.time()), b"\xff" * 100)}),
    ]  # fmt: skip
    for body, headers in forged:
        answer = anonymous.post("/payments/online/notify", data=body, headers=headers)
        assert answer.status_code == 400 and answer.text.startswith("refused")
    assert _booked(paying, notice) == 0


def test_a_return_address_typed_by_hand_books_nothing(archive: Archive, paying: Paying) -> None:
    name, notice = _applicant(archive)
    client = paying.client(name)
    _press_pay(client, notice)
    back = paying.paydienst.last.request["redirectUrl"].removeprefix(PUBLIC)
    shown = client.get(back, follow_redirects=True)  # not paid at the provider
    assert "noch nicht bestätigt" in shown.text and _booked(paying, notice) == 0
    other, _ = _applicant(archive)
    assert paying.client(other).get(back).status_code == 404
    assert paying.client(other).get("/payments/online/" + "x" * 40 + "/return").status_code == 404


def test_nobody_else_starts_a_payment(archive: Archive, paying: Paying) -> None:
    _, notice = _applicant(archive)
    other, _ = _applicant(archive)
    client = paying.client(other)
    token = csrf_token(client.get("/").text)
    before = len(paying.paydienst.transactions)
    sent = client.post(f"/fee-notices/{notice.id}/pay", data={"csrf_token": token})
    assert sent.status_code == 404 and len(paying.paydienst.transactions) == before
    assert paying.client(other).post(f"/fee-notices/{notice.id}/pay").status_code == 400  # no CSRF


def test_a_provider_that_is_down_is_said_so(archive: Archive, paying: Paying) -> None:
    name, notice = _applicant(archive)
    client = paying.client(name)
    paying.paydienst.down = True
    try:
        shown = client.get(_press_pay(client, notice).headers["Location"])
    finally:
        paying.paydienst.down = False
    assert "nicht erreichbar" in shown.text and shown.status_code == 200
    with paying.instance.db.session() as s:
        assert s.scalar(select(OnlinePayment.status).where(
            OnlinePayment.notice_id == notice.id)) == "failed"  # fmt: skip


def test_without_a_provider_there_is_no_button(archive: Archive, own_session_as) -> None:
    name, notice = _applicant(archive)
    client = own_session_as(name)
    assert "online bezahlen" not in client.get(f"/applications/{notice.request_id}").text
    token = csrf_token(client.get("/").text)
    assert (
        client.post(f"/fee-notices/{notice.id}/pay", data={"csrf_token": token}).status_code == 404
    )
    assert client.post("/payments/online/notify", data=b"{}").status_code == 404


def test_a_payment_for_another_amount_waits_for_the_clerk(archive: Archive, paying: Paying) -> None:
    name, notice = _applicant(archive)
    client = paying.client(name)
    _press_pay(client, notice)
    tx = paying.paydienst.last
    paying.paydienst.pay(tx.id, notify=False)
    tx.reported_cents = 1
    shown = client.get(tx.request["redirectUrl"].removeprefix(PUBLIC), follow_redirects=True)
    assert "passt nicht zum Bescheid" in shown.text and _booked(paying, notice) == 0
    assert "Freigegebene Unterlagen ansehen" not in shown.text
    listed = paying.client("clerk").get("/payments").text
    assert tx.id in listed and "paid 1 EUR, asked 1650 EUR" in listed
