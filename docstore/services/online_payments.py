"""Paying a fee notice online through the configured provider.

The payer starts a transaction, pays on the provider's page and comes back;
or closes the browser, and the provider's notification (or the scheduled
check, ``bauakte payments check``) brings the news.  Each of those only makes
us *ask* the provider for the transaction's state, and money is booked only
when the provider itself says it was paid, in euros, for exactly the amount
we asked for.  The booking is keyed by the provider's transaction id, so a
return, a notification and a check that all arrive book it once.

The provider is called outside any database transaction: no lock is held
while a slow provider thinks.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import UsageError
from ..fee_models import FeeNotice, NoticeStatus, OnlinePayment, OnlineStatus, PaymentMethod
from ..models import User, utcnow
from ..payment_provider import (
    NotificationRefused,
    Order,
    PaymentProvider,
    ProviderStatus,
    ProviderUnavailable,
    TransactionState,
)
from ..payment_reference import display
from . import audit, mail, payments, roles
from .archive import Hidden
from .roles import Capability

log = logging.getLogger(__name__)

REUSE_WITHIN = dt.timedelta(minutes=30)
"""A second click within this time goes back to the same pay page, not a second payment."""
CHECK_AFTER = dt.timedelta(minutes=5)
"""The scheduled check leaves younger attempts alone: their payers are still paying."""
GIVE_UP_AFTER = dt.timedelta(days=3)
"""An attempt the provider still calls INITIAL after this long is let go."""


@dataclass(frozen=True)
class Booking:
    """Where the settings of one instance put the money: zone for days, context for mail."""

    zone: ZoneInfo
    context: mail.MailContext


def start(
    db: Database,
    notice_id: int,
    *,
    actor: User,
    provider: PaymentProvider,
    return_url: Callable[[str], str],
    booking: Booking,
) -> str | None:
    """The pay page for the notice's open amount; None when it turned out to be paid.

    Only the notice's addressee pays online (staff take money at the desk).
    ProviderUnavailable when the provider cannot take the payment now.
    """
    with db.transaction() as s:
        notice = _payable(s, notice_id, actor)
        recent = s.scalars(select(OnlinePayment).where(
            OnlinePayment.notice_id == notice.id,
            OnlinePayment.status == OnlineStatus.STARTED.value,
            OnlinePayment.amount_cents == notice.open_cents,
            OnlinePayment.transaction_id.is_not(None),
            OnlinePayment.created_at > utcnow() - REUSE_WITHIN,
        ).order_by(OnlinePayment.id.desc())).first()  # fmt: skip
        reuse = (recent.id, recent.pay_url) if recent else None
    if reuse is not None:
        attempt = settle(db, reuse[0], provider=provider, booking=booking)
        if attempt.status == OnlineStatus.STARTED.value:
            return reuse[1]
        if attempt.status == OnlineStatus.PAID.value:
            return None
    with db.transaction() as s:
        notice = _payable(s, notice_id, actor)
        attempt = OnlinePayment(
            notice_id=notice.id, user_id=actor.id, provider=provider.name,
            request_id=str(uuid.uuid4()), amount_cents=notice.open_cents,
        )  # fmt: skip
        s.add(attempt)
        s.flush()
        order = Order(attempt.request_id, attempt.amount_cents, display(notice.reference or ""),
                      f"Gebuehr Bauakteneinsicht {notice.aktenzeichen or ''}".strip(),
                      return_url(attempt.request_id))  # fmt: skip
        attempt_id = attempt.id
        details = {"attempt": attempt_id, "amount_cents": attempt.amount_cents}
        audit.record(s, "payment.online_start", actor=actor, target_type="fee_notice",
                     target_id=notice.id, details=details)  # fmt: skip
    try:
        checkout = provider.create(order)
    except ProviderUnavailable as exc:
        _close(db, attempt_id, OnlineStatus.FAILED, str(exc))
        raise
    with db.transaction() as s:
        attempt = s.get(OnlinePayment, attempt_id)
        attempt.transaction_id, attempt.pay_url = checkout.transaction_id, checkout.pay_url
    return checkout.pay_url


def _payable(s: Session, notice_id: int, actor: User) -> FeeNotice:
    notice = s.get(FeeNotice, notice_id)
    if notice is None or notice.user_id != actor.id or not actor.active:
        raise Hidden(f"fee notice {notice_id} not found")
    if notice.status != NoticeStatus.OPEN.value or notice.open_cents <= 0:
        raise UsageError("this fee notice has nothing left to pay", "payment.nothing_open")
    return notice


def settle(
    db: Database, attempt_id: int, *, provider: PaymentProvider, booking: Booking
) -> OnlinePayment:
    """Ask the provider how the attempt stands and book what it says; the attempt, detached.

    ProviderUnavailable when it cannot be asked (nothing changes then).
    """
    with db.session() as s:
        attempt = s.get(OnlinePayment, attempt_id)
        if attempt is None:
            raise Hidden(f"online payment {attempt_id} not found")
        if attempt.status != OnlineStatus.STARTED.value or attempt.transaction_id is None:
            s.expunge(attempt)
            return attempt
        transaction_id = attempt.transaction_id
    state = provider.state(transaction_id)
    if state.transaction_id != transaction_id:
        raise ProviderUnavailable("the Bezahldienst answered about another transaction")
    with db.transaction() as s:
        attempt = s.get(OnlinePayment, attempt_id, with_for_update=True, populate_existing=True)
        if attempt.status == OnlineStatus.STARTED.value:
            attempt.checked_at = utcnow()
            _apply(s, attempt, state, booking)
        s.flush()
        s.expunge(attempt)
        return attempt


def _apply(s: Session, attempt: OnlinePayment, state: TransactionState, booking: Booking) -> None:
    if state.status == ProviderStatus.INITIAL:
        if attempt.created_at < utcnow() - GIVE_UP_AFTER:
            _set(s, attempt, OnlineStatus.FAILED, "never completed at the Bezahldienst")
        return
    if state.status == ProviderStatus.CANCELED:
        _set(s, attempt, OnlineStatus.CANCELLED, "the payer cancelled")
        return
    if state.status == ProviderStatus.FAILED:
        _set(s, attempt, OnlineStatus.FAILED, "the Bezahldienst refused the payment")
        return
    if state.currency != "EUR" or state.amount_cents != attempt.amount_cents:
        paid = f"paid {state.amount_cents} {state.currency}, asked {attempt.amount_cents} EUR"
        _set(s, attempt, OnlineStatus.DISPUTED, paid)
        return
    notice = payments.locked_notice(s, attempt.notice_id)
    open_notice = notice if notice.status != NoticeStatus.CANCELLED.value else None
    received = payments.Received(
        attempt.amount_cents, PaymentMethod.ONLINE,
        f"online:{attempt.provider}:{attempt.transaction_id}", receipt=attempt.transaction_id,
        remittance=state.payment_method, booked_on=dt.datetime.now(booking.zone).date(),
    )  # fmt: skip
    payment = payments.record(s, open_notice, received, actor=None, zone=booking.zone,
                              context=booking.context)  # fmt: skip
    attempt.payment_id = payment.id if payment else attempt.payment_id
    _set(s, attempt, OnlineStatus.PAID, None)


def _set(s: Session, attempt: OnlinePayment, status: OnlineStatus, detail: str | None) -> None:
    attempt.status, attempt.detail = status.value, detail
    audit.record(s, f"payment.online_{status.value}", actor=None, target_type="fee_notice",
                 target_id=attempt.notice_id,
                 details={"attempt": attempt.id, "detail": detail})  # fmt: skip


def _close(db: Database, attempt_id: int, status: OnlineStatus, detail: str) -> None:
    with db.transaction() as s:
        attempt = s.get(OnlinePayment, attempt_id, with_for_update=True, populate_existing=True)
        _set(s, attempt, status, detail[:1000])


def returned(
    db: Database,
    request_id: str,
    *,
    actor: User,
    provider: PaymentProvider,
    booking: Booking,
) -> OnlinePayment:
    """The payer is back from the pay page: how it stands (asked, never taken from the URL)."""
    with db.session() as s:
        attempt = s.scalar(select(OnlinePayment).where(OnlinePayment.request_id == request_id))
        if attempt is None or attempt.user_id != actor.id:
            raise Hidden("online payment not found")
        attempt_id = attempt.id
    return settle(db, attempt_id, provider=provider, booking=booking)


def notice_of(session: Session, request_id: str, *, actor: User) -> int:
    """The notice the payer's own attempt ``request_id`` pays."""
    attempt = session.scalar(select(OnlinePayment).where(OnlinePayment.request_id == request_id))
    if attempt is None or attempt.user_id != actor.id:
        raise Hidden("online payment not found")
    return attempt.notice_id


def notified(
    db: Database,
    body: bytes,
    headers: Mapping[str, str],
    *,
    provider: PaymentProvider,
    booking: Booking,
) -> OnlinePayment:
    """A notification from the provider; NotificationRefused (recorded) for anything not
    genuine or not fitting a transaction of ours, and then nothing else changes."""
    try:
        claim = provider.notified(body, headers)
        with db.session() as s:
            attempt = s.scalar(select(OnlinePayment).where(
                OnlinePayment.transaction_id == claim.transaction_id,
                OnlinePayment.provider == provider.name))  # fmt: skip
            if attempt is None:
                raise NotificationRefused("the notification names no transaction of ours")
            if claim.amount_cents is not None and claim.amount_cents != attempt.amount_cents:
                raise NotificationRefused("the notification is for another amount")
            attempt_id = attempt.id
    except NotificationRefused as exc:
        with db.transaction() as s:
            audit.record(s, "payment.notification_refused", actor=None,
                         details={"reason": str(exc)})  # fmt: skip
        raise
    return settle(db, attempt_id, provider=provider, booking=booking)


@dataclass(frozen=True)
class CheckReport:
    checked: int
    paid: int
    unreachable: int


def check_pending(
    db: Database, *, provider: PaymentProvider, booking: Booking, now: dt.datetime | None = None
) -> CheckReport:
    """Ask about every attempt still open after a few minutes: the safety net for a
    notification that never came (run it every few minutes from cron or a timer)."""
    before = (now or utcnow()) - CHECK_AFTER
    with db.session() as s:
        ids = list(s.scalars(select(OnlinePayment.id).where(
            OnlinePayment.status == OnlineStatus.STARTED.value,
            OnlinePayment.transaction_id.is_not(None),
            OnlinePayment.created_at < before,
        ).order_by(OnlinePayment.id)))  # fmt: skip
    paid = unreachable = 0
    for attempt_id in ids:
        try:
            attempt = settle(db, attempt_id, provider=provider, booking=booking)
        except ProviderUnavailable:
            unreachable += 1
            continue
        except Exception:  # one attempt the provider answers strangely: the others go on
            log.exception("online payment %s could not be checked", attempt_id)
            unreachable += 1
            continue
        paid += attempt.status == OnlineStatus.PAID.value
    return CheckReport(len(ids), paid, unreachable)


def of_notice(session: Session, notice: FeeNotice) -> list[OnlinePayment]:
    stmt = select(OnlinePayment).where(OnlinePayment.notice_id == notice.id)
    return list(session.scalars(stmt.order_by(OnlinePayment.id)))


def disputed(session: Session, clerk: User) -> list[OnlinePayment]:
    """Attempts the provider reports paid for an amount that does not fit: a clerk clears
    them with the provider (a refund or a desk booking)."""
    roles.require(clerk, Capability.REVIEW)
    stmt = select(OnlinePayment).where(OnlinePayment.status == OnlineStatus.DISPUTED.value)
    return list(session.scalars(stmt.order_by(OnlinePayment.id)))
