"""Fee notices at approval and the payments that open the access, on both databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from docstore import fees, payment_reference
from docstore.errors import PermissionDenied, UsageError
from docstore.fee_models import FeeNotice, NoticeStatus, PaymentMethod, PaymentStatus
from docstore.fees import FeeSchedule
from docstore.models import AuditEvent, DocumentKind, Grant, MailMessage, Role
from docstore.services import access, fee_notices, grants, payments, review
from docstore.services.archive import Hidden
from docstore.services.fee_notices import FeeDecision, FeeTerms, Letterhead, NoticeLetter
from docstore.services.payments import Received

from .conftest import make_file, make_user
from .test_applications import NOTICE, TZ, _apply, _citizen, _document

SCHEDULE = FeeSchedule(application_cents=1400, file_cents=250, half_hour_cents=3200,
                       exempt_domains=frozenset({"stadt.example"}))  # fmt: skip
MAIL = NOTICE.context


class Printer:
    """Records the letters it is given, as the real printer (ingest.printing) would store them."""

    def __init__(self) -> None:
        self.letters: list[NoticeLetter] = []

    def __call__(self, letter: NoticeLetter) -> str:
        self.letters.append(letter)
        return f"letters/sha256/test/{letter.number}"


def _terms(printer=None, schedule=SCHEDULE, **decision) -> FeeTerms:
    return FeeTerms(schedule, Letterhead("Bauaufsicht"), printer or Printer(),
                    FeeDecision(**decision))  # fmt: skip


def _approved(s: Session, terms: FeeTerms, email: str = "erika@example.de", days: int = 30):
    clerk = make_user(s, "clerk", Role.CLERK)
    citizen = _citizen(s)
    citizen.email = email
    bf = make_file(s, "BA-1990-0042")
    doc = _document(s, bf, DocumentKind.STATIK, "statik.pdf")
    request = _apply(s, citizen, aktenzeichen="BA-1990-0042")
    grant = review.approve(s, clerk, request.id, review.Approval(bf.id, days), NOTICE, TZ, terms)
    notice = s.scalar(select(FeeNotice).where(FeeNotice.request_id == request.id))
    return clerk, citizen, doc, grant, notice


def _sees(s: Session, user, doc) -> bool:
    return access.visibility(s, user).covers(doc)


def test_an_approval_issues_a_notice_and_the_access_waits_for_it(session: Session) -> None:
    printer = Printer()
    _, citizen, doc, grant, notice = _approved(session, _terms(printer, minutes=45))
    assert grant.awaiting_payment and not _sees(session, citizen, doc)
    assert notice.total_cents == 1400 + 250 + 2 * 3200  # two started half hours
    assert payment_reference.is_valid(notice.reference)
    assert payment_reference.notice_numbers(notice.reference) == {notice.id}
    assert notice.due_on == dt.datetime.now(TZ).date() + dt.timedelta(days=30)
    assert notice.pdf_key == f"letters/sha256/test/{notice.id}"
    (letter,) = printer.letters
    assert letter.reference == notice.reference and letter.total_cents == notice.total_cents
    assert letter.aktenzeichen == "BA-1990-0042" and letter.recipient
    mails = session.scalars(select(MailMessage)).all()
    assert any("80,50 €" in m.body and "sobald die Zahlung" in m.body for m in mails)
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"fee.notice", "application.approved"} <= actions


def test_paid_in_full_opens_the_access_for_the_days_granted(session: Session) -> None:
    _, citizen, doc, grant, notice = _approved(session, _terms(), days=10)
    grant.valid_from -= dt.timedelta(days=4)  # approved four days ago; paid today
    grant.valid_until -= dt.timedelta(days=4)
    part = Received(1000, PaymentMethod.TRANSFER, "camt:test:1")
    payments.record(session, notice, part, actor=None, zone=TZ, context=MAIL)
    assert notice.status == NoticeStatus.OPEN.value and notice.open_cents == 650
    assert not _sees(session, citizen, doc)  # part-paid: still waiting
    rest = Received(650, PaymentMethod.TRANSFER, "camt:test:2")
    payments.record(session, notice, rest, actor=None, zone=TZ, context=MAIL)
    assert notice.status == NoticeStatus.PAID.value and _sees(session, citizen, doc)
    today = dt.datetime.now(TZ).date()
    assert grant.valid_from.astimezone(TZ).date() == today
    assert grant.valid_until.astimezone(TZ).date() == today + dt.timedelta(days=10)
    paid_mail = session.scalars(select(MailMessage).order_by(MailMessage.id.desc())).first()
    assert "ist eingegangen" in paid_mail.subject


def test_the_same_payment_twice_changes_nothing(session: Session) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    once = Received(500, PaymentMethod.ONLINE, "online:pay-1")
    assert payments.record(session, notice, once, actor=None, zone=TZ, context=MAIL)
    assert payments.record(session, notice, once, actor=None, zone=TZ, context=MAIL) is None
    assert notice.paid_cents == 500


def test_an_overpayment_is_shown_for_a_refund(session: Session) -> None:
    clerk, _, _, _, notice = _approved(session, _terms())
    too_much = Received(2000, PaymentMethod.TRANSFER, "camt:test:over")
    payments.record(session, notice, too_much, actor=None, zone=TZ, context=MAIL)
    assert notice.status == NoticeStatus.PAID.value and notice.surplus_cents == 350
    assert payments.to_resolve(session, clerk) == [notice]


def test_a_desk_payment_needs_its_receipt_once(session: Session) -> None:
    clerk, citizen, doc, _, notice = _approved(session, _terms())
    payment = payments.at_desk(session, clerk, notice.id, 1650, PaymentMethod.CASH, " K-17 ",
                               TZ, MAIL)  # fmt: skip
    assert payment.receipt == "K-17" and _sees(session, citizen, doc)
    with pytest.raises(UsageError, match="booked already"):
        payments.at_desk(session, clerk, notice.id, 1650, PaymentMethod.CASH, "K-17", TZ, MAIL)
    with pytest.raises(UsageError, match="receipt"):
        payments.at_desk(session, clerk, notice.id, 100, PaymentMethod.CARD, "  ", TZ, MAIL)
    with pytest.raises(UsageError, match="cash or card"):
        payments.at_desk(session, clerk, notice.id, 100, PaymentMethod.ONLINE, "K-18", TZ, MAIL)
    with pytest.raises(PermissionDenied):
        payments.at_desk(session, citizen, notice.id, 1650, PaymentMethod.CASH, "K-19", TZ, MAIL)


@pytest.mark.parametrize("cents", [0, -100, fees.MAX_CENTS + 1])
def test_a_payment_of_no_amount_is_refused(session: Session, cents: int) -> None:
    clerk, _, _, _, notice = _approved(session, _terms())
    with pytest.raises(UsageError, match="between"):
        payments.at_desk(session, clerk, notice.id, cents, PaymentMethod.CASH, "K-1", TZ, MAIL)
    assert notice.paid_cents == 0


def test_a_payment_cancelled_in_error_holds_the_access_again(session: Session) -> None:
    clerk, citizen, doc, _, notice = _approved(session, _terms())
    payment = payments.at_desk(session, clerk, notice.id, 1650, PaymentMethod.CARD, "K-2",
                               TZ, MAIL)  # fmt: skip
    with pytest.raises(UsageError, match="reason"):
        payments.cancel(session, clerk, payment.id, "")
    payments.cancel(session, clerk, payment.id, "falsche Akte gebucht")
    assert payment.status == PaymentStatus.CANCELLED.value
    assert notice.status == NoticeStatus.OPEN.value and notice.paid_cents == 0
    assert not _sees(session, citizen, doc)


def test_a_cancelled_notice_opens_the_access_and_stays_on_record(session: Session) -> None:
    clerk, citizen, doc, _, notice = _approved(session, _terms())
    with pytest.raises(UsageError, match="reason"):
        fee_notices.cancel(session, clerk, notice.id, " ")
    fee_notices.cancel(session, clerk, notice.id, "Gebührenfreiheit nach Landesrecht")
    assert notice.status == NoticeStatus.CANCELLED.value and _sees(session, citizen, doc)
    with pytest.raises(UsageError, match="cancelled"):
        payments.at_desk(session, clerk, notice.id, 1650, PaymentMethod.CASH, "K-3", TZ, MAIL)
    assert session.get(FeeNotice, notice.id) is not None


def test_pay_afterwards_opens_at_once(session: Session) -> None:
    later = FeeSchedule(application_cents=1400, pay_afterwards=True)
    _, citizen, doc, grant, notice = _approved(session, _terms(schedule=later))
    assert notice.total_cents == 1400 and not grant.awaiting_payment
    assert _sees(session, citizen, doc)


def test_an_authority_pays_nothing_and_gets_no_notice(session: Session) -> None:
    _, citizen, doc, grant, notice = _approved(session, _terms(), email="amt@bauamt.stadt.example")
    assert notice is None and not grant.awaiting_payment and _sees(session, citizen, doc)


def test_the_clerk_changes_the_fee_only_with_a_reason(session: Session) -> None:
    with pytest.raises(UsageError, match="reason"):
        _approved(session, _terms(total_cents=1000))
    session.rollback()


def test_an_adjusted_fee_keeps_the_computed_items(session: Session) -> None:
    printer = Printer()
    _, _, _, _, notice = _approved(session, _terms(printer, total_cents=1000, reason="Härtefall"))
    codes = [i["code"] for i in notice.items]
    assert codes == ["application", "file", "adjustment"] and notice.total_cents == 1000
    assert printer.letters[0].adjustment_reason == "Härtefall"


def test_a_fee_waived_by_the_clerk_issues_no_notice(session: Session) -> None:
    _, citizen, doc, grant, notice = _approved(session, _terms(total_cents=0, reason="Amtshilfe"))
    assert notice is None and not grant.awaiting_payment and _sees(session, citizen, doc)
    waived = session.scalars(select(AuditEvent).where(AuditEvent.action == "fee.waived")).one()
    details = json.loads(waived.details)
    assert details == {"reason": "Amtshilfe", "computed_cents": 1400 + 250}


def test_a_notice_is_only_its_addressees_and_the_reviewers(session: Session) -> None:
    clerk, citizen, _, _, notice = _approved(session, _terms())
    assert fee_notices.readable(session, notice.id, actor=citizen) is notice
    assert fee_notices.readable(session, notice.id, actor=clerk) is notice
    stranger = make_user(session, "stranger", Role.CITIZEN)
    auditor = make_user(session, "auditor", Role.AUDITOR)
    for other in (stranger, auditor, None):
        with pytest.raises(Hidden):
            fee_notices.readable(session, notice.id, actor=other)


def test_an_unmatched_transfer_is_assigned_by_a_clerk(session: Session) -> None:
    clerk, citizen, doc, _, notice = _approved(session, _terms())
    stray = Received(1650, PaymentMethod.TRANSFER, "camt:test:stray", remittance="Bauakte")
    payment = payments.record(session, None, stray, actor=None, zone=TZ, context=MAIL)
    assert payments.unmatched(session, clerk) == [payment]
    payments.assign(session, clerk, payment.id, notice.id, TZ, MAIL)
    assert payment.resolved_by_id == clerk.id and _sees(session, citizen, doc)
    with pytest.raises(UsageError, match="assigned already"):
        payments.assign(session, clerk, payment.id, notice.id, TZ, MAIL)
    assert session.get(Grant, notice.grant_id).awaiting_payment is False


def test_a_grant_revoked_while_its_fee_is_open_stays_shut_when_paid(session: Session) -> None:
    clerk, citizen, doc, grant, notice = _approved(session, _terms())
    assert grants.revoke_access(session, citizen, doc.building_file, actor=clerk) == 1
    assert grant.revoked_at is not None
    paid = Received(notice.total_cents, PaymentMethod.TRANSFER, "camt:test:revoked")
    payments.record(session, notice, paid, actor=None, zone=TZ, context=MAIL)
    assert notice.status == NoticeStatus.PAID.value and not _sees(session, citizen, doc)
