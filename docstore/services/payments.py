"""Payments on fee notices, from every channel: bank transfer, online provider, the desk.

Each payment is one row keyed by what makes it unique at its source (the
bank's entry reference, the provider's payment id, the desk's receipt), so a
statement imported twice or a notification sent twice finds its row taken
and changes nothing.  Once a notice is paid in full its held-back grant
opens, for the full number of days from the day of payment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..fee_models import FeeNotice, NoticeStatus, Payment, PaymentMethod, PaymentStatus
from ..fees import MAX_CENTS
from ..models import AccessRequest, Grant, User, utcnow
from . import audit, days, extracts, mail, roles
from .archive import Hidden
from .roles import Capability

DESK_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD)


@dataclass(frozen=True)
class Received:
    """A payment as its channel reports it."""

    amount_cents: int
    method: PaymentMethod
    source_key: str
    receipt: str = ""
    payer: str = ""
    remittance: str = ""
    booked_on: dt.date | None = None


def record(
    session: Session,
    notice: FeeNotice | None,
    received: Received,
    *,
    actor: User | None,
    zone: ZoneInfo,
    context: mail.MailContext,
    statement_id: int | None = None,
) -> Payment | None:
    """Book ``received`` on ``notice`` (None: unmatched, for a clerk); None when the source key
    was booked before.  The caller holds ``notice`` locked (see :func:`locked_notice`)."""
    if not 0 < received.amount_cents <= MAX_CENTS:
        raise UsageError("a payment is between 0.01 and 100,000 euros", "payment.amount")
    if session.scalar(select(Payment.id).where(Payment.source_key == received.source_key)):
        return None
    payment = Payment(
        notice_id=notice.id if notice else None, amount_cents=received.amount_cents,
        method=received.method.value, source_key=received.source_key,
        receipt=received.receipt or None, payer=received.payer[:200] or None,
        remittance=received.remittance or None, booked_on=received.booked_on,
        statement_id=statement_id, recorded_by_id=actor.id if actor else None,
        status=(PaymentStatus.MATCHED if notice else PaymentStatus.UNMATCHED).value,
    )  # fmt: skip
    session.add(payment)
    session.flush()
    audit.record(session, "payment.receive", actor=actor, target_type="payment",
                 target_id=payment.id,
                 details={"notice": notice.id if notice else None, "method": payment.method,
                          "amount_cents": payment.amount_cents})  # fmt: skip
    if notice is not None:
        _book(session, notice, payment.amount_cents, zone, context)
    return payment


def locked_notice(session: Session, notice_id: int) -> FeeNotice | None:
    return session.get(FeeNotice, notice_id, with_for_update=True, populate_existing=True)


def _book(
    session: Session, notice: FeeNotice, cents: int, zone: ZoneInfo, context: mail.MailContext
) -> None:
    notice.paid_cents += cents
    if notice.status == NoticeStatus.OPEN.value and notice.paid_cents >= notice.total_cents:
        notice.status = NoticeStatus.PAID.value
        grant = session.get(Grant, notice.grant_id) if notice.grant_id else None
        opened = grant is not None and grant.awaiting_payment
        if opened:
            _open(grant, zone)
        extracts.start_link(session, notice.id, zone)
        audit.record(session, "fee.paid", actor=None, target_type="fee_notice",
                     target_id=notice.id, details={"opened_grant": opened})  # fmt: skip
        _thank(session, notice, grant, zone, context)


def _thank(
    session: Session,
    notice: FeeNotice,
    grant: Grant | None,
    zone: ZoneInfo,
    context: mail.MailContext,
) -> None:
    """The payer hears that the money arrived and what it opened (access, or an extract)."""
    applicant = session.get(User, notice.user_id)
    if applicant is None or not applicant.email or applicant.deleted_at is not None:
        return
    request = session.get(AccessRequest, notice.request_id) if notice.request_id else None
    extract = None if request else extracts.of_notice(session, notice.id)
    if extract is not None:
        mail.queue(session, applicant, "extract_paid", context,
                   number=extract.number, id=extract.id)  # fmt: skip
        return
    until = grant.valid_until.astimezone(zone).date() - dt.timedelta(days=1) if (
        grant is not None and grant.valid_until) else None  # fmt: skip
    mail.queue(session, applicant, "fee_paid", context,
               number=request.number if request else str(notice.id),
               until=until.strftime("%d.%m.%Y") if until else "")  # fmt: skip


def _open(grant: Grant, zone: ZoneInfo) -> None:
    """The grant opens today and lasts as many days as the clerk granted."""
    grant.awaiting_payment = False
    today = dt.datetime.now(zone).date()
    first = grant.valid_from.astimezone(zone).date()
    if first >= today:
        return
    last = grant.valid_until.astimezone(zone).date() - dt.timedelta(days=1) if (
        grant.valid_until) else None  # fmt: skip
    length = (last - first) if last else None
    period = days.period(today, today + length if length is not None else None, zone)
    grant.valid_from, grant.valid_until = period.start, period.end


def at_desk(
    session: Session,
    clerk: User,
    notice_id: int,
    amount_cents: int,
    method: PaymentMethod,
    receipt: str,
    zone: ZoneInfo,
    context: mail.MailContext,
) -> Payment:
    """A cash or card payment taken at the desk, under the receipt number handed over."""
    roles.require(clerk, Capability.REVIEW)
    receipt = " ".join(receipt.split())
    if method not in DESK_METHODS:
        raise UsageError("at the desk: cash or card", "payment.method")
    if not receipt or len(receipt) > 100:
        raise UsageError("enter the receipt number (up to 100 characters)", "payment.receipt")
    notice = locked_notice(session, notice_id)
    if notice is None:
        raise Hidden(f"fee notice {notice_id} not found")
    if notice.status == NoticeStatus.CANCELLED.value:
        raise UsageError("this notice is cancelled", "payment.notice_cancelled")
    received = Received(amount_cents, method, f"desk:{receipt}", receipt=receipt,
                        booked_on=dt.datetime.now(zone).date())  # fmt: skip
    payment = record(session, notice, received, actor=clerk, zone=zone, context=context)
    if payment is None:
        raise UsageError(
            f"receipt {receipt} is booked already", "payment.receipt_booked", receipt=receipt
        )
    return payment


def assign(
    session: Session,
    clerk: User,
    payment_id: int,
    notice_id: int,
    zone: ZoneInfo,
    context: mail.MailContext,
) -> Payment:
    """An unmatched transfer, assigned by a clerk who recognised its notice."""
    roles.require(clerk, Capability.REVIEW)
    payment = session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    if payment is None:
        raise Hidden(f"payment {payment_id} not found")
    if payment.status != PaymentStatus.UNMATCHED.value:
        raise UsageError("this payment is assigned already", "payment.assigned")
    notice = locked_notice(session, notice_id)
    if notice is None:
        raise UsageError(
            f"there is no fee notice {notice_id}", "payment.no_notice", notice=notice_id
        )
    if notice.status == NoticeStatus.CANCELLED.value:
        raise UsageError("this notice is cancelled", "payment.notice_cancelled")
    payment.notice_id, payment.status = notice.id, PaymentStatus.MATCHED.value
    payment.resolved_by_id = clerk.id
    audit.record(session, "payment.assign", actor=clerk, target_type="payment",
                 target_id=payment.id, details={"notice": notice.id})  # fmt: skip
    _book(session, notice, payment.amount_cents, zone, context)
    return payment


def cancel(session: Session, clerk: User, payment_id: int, reason: str) -> Payment:
    """A payment booked in error: it no longer counts, and a notice it had paid is open
    again (its access is held back again)."""
    roles.require(clerk, Capability.REVIEW)
    payment = session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    if payment is None:
        raise Hidden(f"payment {payment_id} not found")
    reason = " ".join(reason.split())
    if not reason or len(reason) > 1000:
        raise UsageError("give the reason for cancelling the payment", "payment.cancel_reason")
    if payment.status == PaymentStatus.CANCELLED.value:
        raise UsageError("this payment is cancelled already", "payment.cancelled")
    notice = locked_notice(session, payment.notice_id) if payment.notice_id else None
    if notice is not None and payment.status == PaymentStatus.MATCHED.value:
        notice.paid_cents -= payment.amount_cents
        if notice.status == NoticeStatus.PAID.value and notice.paid_cents < notice.total_cents:
            notice.status = NoticeStatus.OPEN.value
            grant = session.get(Grant, notice.grant_id) if notice.grant_id else None
            if grant is not None and not grant.revoked_at:
                grant.awaiting_payment = True
    payment.status, payment.cancelled_at = PaymentStatus.CANCELLED.value, utcnow()
    payment.cancel_reason = reason
    audit.record(session, "payment.cancel", actor=clerk, target_type="payment",
                 target_id=payment.id, details={"reason": reason})  # fmt: skip
    return payment


def unmatched(session: Session, clerk: User) -> list[Payment]:
    roles.require(clerk, Capability.REVIEW)
    stmt = select(Payment).where(Payment.status == PaymentStatus.UNMATCHED.value)
    return list(session.scalars(stmt.order_by(Payment.booked_on, Payment.id)))


def to_resolve(session: Session, clerk: User) -> list[FeeNotice]:
    """Notices a clerk must look at: part-paid, or paid more than owed (to refund)."""
    roles.require(clerk, Capability.REVIEW)
    stmt = select(FeeNotice).where(
        FeeNotice.status != NoticeStatus.CANCELLED.value,
        FeeNotice.paid_cents > 0,
        FeeNotice.paid_cents != FeeNotice.total_cents,
    )
    return list(session.scalars(stmt.order_by(FeeNotice.id)))
