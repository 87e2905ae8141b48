"""Online payment through the XBezahldienste adapter and the test Bezahldienst, on both
databases: only the provider's own state answer books money, once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from docstore.config import Config
from docstore.db import Database
from docstore.errors import ConfigError, UsageError
from docstore.fee_models import FeeNotice, NoticeStatus, OnlinePayment, OnlineStatus, Payment
from docstore.models import AuditEvent, Grant, Role, User
from docstore.payment_provider import NotificationRefused, Order, ProviderUnavailable
from docstore.services import online_payments, payments
from docstore.services.archive import Hidden
from docstore.services.online_payments import Booking
from docstore.xbezahldienste import XBezahldienst, cents_of, euros, payment_request, provider_of
from tests.xbezahldienste_provider import TestBezahldienst

from .conftest import make_user
from .test_applications import TZ
from .test_payments import MAIL, _approved, _terms

BOOKING = Booking(TZ, MAIL)


@pytest.fixture(scope="module")
def paydienst() -> Iterator[TestBezahldienst]:
    provider = TestBezahldienst().start()
    yield provider
    provider.stop()


@pytest.fixture
def adapter(paydienst: TestBezahldienst) -> XBezahldienst:
    paydienst.down = False
    return XBezahldienst(Config(values={**paydienst.settings(), "paydienst_timeout_seconds": 5}))


@dataclass
class Case:
    notice_id: int
    citizen: User
    grant_id: int


@pytest.fixture
def case(db: Database) -> Case:
    with db.transaction() as s:
        _, citizen, _, grant, notice = _approved(s, _terms())
        s.expunge(citizen)
        return Case(notice.id, citizen, grant.id)


def _start(db: Database, case: Case, adapter: XBezahldienst) -> str | None:
    return online_payments.start(db, case.notice_id, actor=case.citizen, provider=adapter,
                                 return_url=lambda r: f"https://bauakte.example/back/{r}",
                                 booking=BOOKING)  # fmt: skip


def _state(db: Database, case: Case) -> tuple[str, bool, int, list[str]]:
    with db.session() as s:
        notice = s.get(FeeNotice, case.notice_id)
        grant = s.get(Grant, case.grant_id)
        booked = s.scalar(select(func.count()).select_from(Payment))
        attempts = list(s.scalars(select(OnlinePayment.status).order_by(OnlinePayment.id)))
        return notice.status, grant.awaiting_payment, booked, attempts


def test_the_payer_pays_and_comes_back(db, case, adapter, paydienst) -> None:
    url = _start(db, case, adapter)
    tx = paydienst.last
    assert url == f"{paydienst.url}/pay/{tx.id}"
    with db.session() as s:
        notice = s.get(FeeNotice, case.notice_id)
        assert tx.amount_cents == notice.total_cents
        assert tx.request["purpose"].replace(" ", "") == notice.reference
        request_id = s.scalar(select(OnlinePayment.request_id))
    assert tx.request["redirectUrl"] == f"https://bauakte.example/back/{request_id}"
    assert _state(db, case) == ("open", True, 0, ["started"])

    paydienst.pay(tx.id, notify=False)
    attempt = online_payments.returned(db, request_id, actor=case.citizen, provider=adapter,
                                       booking=BOOKING)  # fmt: skip
    assert attempt.status == OnlineStatus.PAID.value
    assert _state(db, case) == ("paid", False, 1, ["paid"])
    with db.session() as s:
        payment = s.scalar(select(Payment))
        assert payment.method == "online" and payment.receipt == tx.id
        assert payment.amount_cents == tx.amount_cents
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"payment.online_start", "payment.online_paid", "payment.receive", "fee.paid"} <= actions


def test_a_payer_who_closed_the_browser_gets_access_by_the_notification(
    db, case, adapter, paydienst
) -> None:
    _start(db, case, adapter)
    paydienst.pay(paydienst.last.id, notify=False)
    body, headers = paydienst.notification(paydienst.last.id)
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    assert _state(db, case) == ("paid", False, 1, ["paid"])


def test_a_replayed_notification_changes_nothing_even_after_a_cancellation(
    db, case, adapter, paydienst
) -> None:
    _start(db, case, adapter)
    paydienst.pay(paydienst.last.id, notify=False)
    body, headers = paydienst.notification(paydienst.last.id)
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    assert _state(db, case) == ("paid", False, 1, ["paid"])
    with db.transaction() as s:
        clerk = make_user(s, "kasse", Role.CLERK)
        payments.cancel(s, clerk, s.scalar(select(Payment.id)), "Rückbuchung der Kartenfirma")
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    assert _state(db, case) == ("open", True, 1, ["paid"])


@pytest.mark.parametrize(
    "forgery",
    [
        {"key": "x" * 40},  # signed by someone else
        {"amount_cents": 1},  # for another amount
        {"signed_at": int(time.time()) - 3600},  # an old one, replayed
    ],
    ids=["bad-signature", "other-amount", "stale"],
)
def test_a_forged_notification_changes_nothing(db, case, adapter, paydienst, forgery) -> None:
    _start(db, case, adapter)
    paydienst.pay(paydienst.last.id, notify=False)
    body, headers = paydienst.notification(paydienst.last.id, **forgery)
    with pytest.raises(NotificationRefused):
        online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    assert _state(db, case) == ("open", True, 0, ["started"])
    with db.session() as s:
        assert s.scalar(select(AuditEvent).where(
            AuditEvent.action == "payment.notification_refused"))  # fmt: skip


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Bezahldienst-Signature": "t=abc,v1=00"}, {"X-Bezahldienst-Signature": "garbage"}],
)
def test_an_unsigned_or_garbled_notification_is_refused(db, case, adapter, headers) -> None:
    with pytest.raises(NotificationRefused):
        online_payments.notified(db, b'{"transactionId": "x"}', headers, provider=adapter,
                                 booking=BOOKING)  # fmt: skip
    assert _state(db, case)[2] == 0


def test_a_signed_notification_of_a_strange_transaction_is_refused(
    db, case, adapter, paydienst
) -> None:
    _start(db, case, adapter)
    body, headers = paydienst.notification(paydienst.last.id)
    body = body.replace(paydienst.last.id.encode(), b"not-ours")
    from docstore.xbezahldienste import signature

    headers["X-Bezahldienst-Signature"] = signature(paydienst.key, int(time.time()), body)
    with pytest.raises(NotificationRefused, match="no transaction of ours"):
        online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)


def test_paid_for_another_amount_waits_for_a_clerk(db, case, adapter, paydienst) -> None:
    _start(db, case, adapter)
    tx = paydienst.last
    paydienst.pay(tx.id, notify=False)
    tx.reported_cents = tx.amount_cents - 100
    body, headers = paydienst.notification(tx.id)  # honest about what we asked for
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    assert _state(db, case) == ("open", True, 0, ["disputed"])
    with db.transaction() as s:
        clerk = make_user(s, "pruefer", Role.CLERK)
        (listed,) = online_payments.disputed(s, clerk)
        assert "asked" in listed.detail


def test_a_cancelled_payment_can_be_tried_again(db, case, adapter, paydienst) -> None:
    _start(db, case, adapter)
    paydienst.last.status = "CANCELED"
    body, headers = paydienst.notification(paydienst.last.id)
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    first = paydienst.last.id
    _start(db, case, adapter)
    assert paydienst.last.id != first
    assert _state(db, case) == ("open", True, 0, ["cancelled", "started"])


def test_a_second_click_goes_back_to_the_same_pay_page(db, case, adapter, paydienst) -> None:
    before = len(paydienst.transactions)
    assert _start(db, case, adapter) == _start(db, case, adapter)
    assert len(paydienst.transactions) == before + 1
    paydienst.pay(paydienst.last.id, notify=False)
    assert _start(db, case, adapter) is None  # paid meanwhile: booked, nothing more to pay
    assert _state(db, case) == ("paid", False, 1, ["paid"])
    with pytest.raises(UsageError, match="nothing left"):
        _start(db, case, adapter)


def test_an_unreachable_provider_loses_nothing(db, case, adapter, paydienst) -> None:
    paydienst.down = True
    with pytest.raises(ProviderUnavailable, match="503"):
        _start(db, case, adapter)
    assert _state(db, case) == ("open", True, 0, ["failed"])
    paydienst.down = False
    _start(db, case, adapter)
    paydienst.pay(paydienst.last.id, notify=False)
    paydienst.down = True
    with db.session() as s:
        request_id = s.scalars(select(OnlinePayment.request_id).order_by(OnlinePayment.id)).all()[
            -1
        ]
    with pytest.raises(ProviderUnavailable):
        online_payments.returned(db, request_id, actor=case.citizen, provider=adapter,
                                 booking=BOOKING)  # fmt: skip
    assert _state(db, case) == ("open", True, 0, ["failed", "started"])
    paydienst.down = False
    report = online_payments.check_pending(db, provider=adapter, booking=BOOKING,
                                           now=online_payments.utcnow()
                                           + online_payments.CHECK_AFTER * 2)  # fmt: skip
    assert (report.checked, report.paid, report.unreachable) == (1, 1, 0)
    assert _state(db, case) == ("paid", False, 1, ["failed", "paid"])


def test_nobody_else_pays_or_looks(db, case, adapter, paydienst) -> None:
    with db.transaction() as s:
        other = make_user(s, "nachbar", Role.CITIZEN)
        clerk = make_user(s, "sachbearbeiter", Role.CLERK)
        s.expunge_all()
    for intruder in (other, clerk):
        with pytest.raises(Hidden):
            online_payments.start(db, case.notice_id, actor=intruder, provider=adapter,
                                  return_url=str, booking=BOOKING)  # fmt: skip
    _start(db, case, adapter)
    with db.session() as s:
        request_id = s.scalar(select(OnlinePayment.request_id))
    with pytest.raises(Hidden):
        online_payments.returned(db, request_id, actor=other, provider=adapter, booking=BOOKING)


def test_amounts_never_pass_through_a_float() -> None:
    assert euros(1650) == "16.50" and euros(5) == "0.05" and euros(100000) == "1000.00"
    assert cents_of("16.5") == 1650 and cents_of(14) == 1400
    for bad in ("0.305", "-1", "abc", True):
        with pytest.raises(ValueError):
            cents_of(bad)
    hostile = (float("inf"), Decimal("1e999999999"), Decimal("1E+5000"), Decimal("NaN"),
               " 16.50 ", "1_650", None, [16])  # fmt: skip
    for bad in hostile:  # what a broken or hostile provider may send: refused, never raised on
        with pytest.raises(ValueError):
            cents_of(bad)
    text = payment_request(Order("r-1", 1999, "RF18 BA00 0004 2", "Gebühr BA/1990-0042 <b>",
                                 "https://x.example/back"), "2026-12-04T10:00:00Z")  # fmt: skip
    assert '"grosAmount": 19.99' in text and "<b>" not in text and "/" not in text.split(
        '"description"')[1].split(",")[0]  # fmt: skip


def test_the_provider_settings_are_checked(paydienst) -> None:
    settings = paydienst.settings()
    assert provider_of(Config(values={**settings, "payment_provider": ""})) is None
    for broken, message in [({"payment_provider": "paypal"}, "unknown"),
                            ({"paydienst_url": ""}, "paydienst_url"),
                            ({"paydienst_endpoint_id": "a/b"}, "endPointId|paydienst_endpoint"),
                            ({"paydienst_notification_key": "short"}, "32")]:  # fmt: skip
        with pytest.raises(ConfigError, match=message):
            provider_of(Config(values={**settings, "paydienst_timeout_seconds": 5, **broken}))


def test_the_probe_names_what_is_wrong(paydienst) -> None:
    values = {**paydienst.settings(), "paydienst_timeout_seconds": 5}
    XBezahldienst(Config(values=values)).probe()
    with pytest.raises(ProviderUnavailable, match="403"):
        XBezahldienst(Config(values={**values, "paydienst_password": "wrong"})).probe()
    with pytest.raises(ProviderUnavailable, match="does not answer"):
        XBezahldienst(Config(values={**values, "paydienst_url": "http://127.0.0.1:9"})).probe()


def test_nothing_is_booked_on_a_notice_cancelled_meanwhile(db, case, adapter, paydienst) -> None:
    _start(db, case, adapter)
    with db.transaction() as s:
        clerk = make_user(s, "leitung", Role.CLERK)
        from docstore.services import fee_notices

        fee_notices.cancel(s, clerk, case.notice_id, "irrtümlich erlassen")
    paydienst.pay(paydienst.last.id, notify=False)
    body, headers = paydienst.notification(paydienst.last.id)
    online_payments.notified(db, body, headers, provider=adapter, booking=BOOKING)
    with db.session() as s:
        assert s.get(FeeNotice, case.notice_id).status == NoticeStatus.CANCELLED.value
        (payment,) = s.scalars(select(Payment))
        assert payment.status == "unmatched"  # the money came: a clerk refunds it
