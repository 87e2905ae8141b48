"""Fee notices (Gebührenbescheide): computed at approval, adjusted by the clerk with a
reason, printed once and kept as sent.

The notice is printed while its transaction is open (the printer stores the
PDF and returns its key), so an approval either has its notice or did not
happen.  The printer is handed in by the caller: docstore knows what a notice
says, not how a PDF is made (that is ``ingest.printing``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import fees, payment_reference
from ..errors import UsageError
from ..fee_models import FeeNotice, NoticeStatus
from ..fees import FeeItem, FeeSchedule
from ..models import AccessRequest, BuildingFile, Grant, User, utcnow
from . import audit, roles
from .actors import Actor, user_of
from .archive import Hidden
from .roles import Capability

MAX_REASON = 1000


@dataclass(frozen=True)
class Letterhead:
    """What every notice prints besides its own items (from the settings)."""

    authority: str
    address: tuple[str, ...] = ()
    payee: str = ""
    iban: str = ""
    bic: str = ""
    bank: str = ""
    remedy: str = ""
    portal: str = ""


def letterhead_of(config) -> Letterhead:
    v = config.values
    lines = tuple(line.strip() for line in v["authority_address"].replace("\n", "|").split("|"))
    return Letterhead(
        authority=v["authority_name"], address=tuple(line for line in lines if line),
        payee=v["payee_name"] or v["authority_name"], iban=v["bank_iban"].replace(" ", ""),
        bic=v["bank_bic"], bank=v["bank_name"], remedy=v["fee_remedy_notice"],
        portal=v["public_url"].rstrip("/"),
    )  # fmt: skip


@dataclass(frozen=True)
class NoticeLetter:
    """Everything the printed notice says, in the order it says it."""

    letterhead: Letterhead
    number: int
    reference: str
    issued_on: dt.date
    due_on: dt.date
    recipient: tuple[str, ...]
    application: str
    subject: str
    aktenzeichen: str
    items: tuple[FeeItem, ...]
    total_cents: int
    adjustment_reason: str = ""
    pay_afterwards: bool = False
    kind: str = "inspection"
    """What the fee is for: ``inspection`` (an application) or ``extract`` (an order)."""


Printer = Callable[[NoticeLetter], str]
"""Prints a notice and stores it; returns the object key of the PDF."""


@dataclass(frozen=True)
class FeeDecision:
    """What the clerk decides about the fee when approving."""

    minutes: int = 0
    total_cents: int | None = None
    """The clerk's total instead of the computed one (then ``reason`` is required)."""
    reason: str = ""


@dataclass(frozen=True)
class FeeTerms:
    """Everything an approval needs to charge its fee."""

    schedule: FeeSchedule
    letterhead: Letterhead
    printer: Printer
    decision: FeeDecision = FeeDecision()


def computed(
    schedule: FeeSchedule, request: AccessRequest, applicant: User, minutes: int = 0
) -> list[FeeItem]:
    """The fee as the schedule makes it, before the clerk's adjustment (shown beside the form)."""
    exempt = fees.exemption(schedule, request.legitimation, applicant.email)
    return fees.inspection(schedule, files=1, minutes=minutes, exempt=exempt)


def issue(
    session: Session,
    clerk: User,
    request: AccessRequest,
    grant: Grant,
    terms: FeeTerms,
    zone: ZoneInfo,
) -> FeeNotice | None:
    """The notice for an approved application, or None when nothing is owed.

    Unless the schedule says "pay afterwards", the grant waits for the payment.
    """
    decision, schedule = terms.decision, terms.schedule
    applicant = session.get(User, request.user_id)
    try:
        items = computed(schedule, request, applicant, decision.minutes)
        reason = " ".join(decision.reason.split())
        if decision.total_cents is not None and decision.total_cents != fees.total(items):
            if not reason or len(reason) > MAX_REASON:
                raise UsageError(
                    "give the reason for changing the fee (up to 1000 characters)", "fee.reason"
                )
            items = fees.adjusted(items, decision.total_cents)
    except ValueError as exc:
        raise UsageError(str(exc), "fee.amount") from None
    total = fees.total(items)
    if total == 0:
        if decision.total_cents is not None and reason:  # waived by the clerk: on record
            audit.record(session, "fee.waived", actor=clerk, target_type="access_request",
                         target_id=request.id, building_file_id=grant.building_file_id,
                         details={"computed_cents": fees.total(computed(
                             schedule, request, applicant, decision.minutes)),
                                  "reason": reason})  # fmt: skip
        return None
    today = dt.datetime.now(zone).date()
    building_file = session.get(BuildingFile, grant.building_file_id)
    notice = FeeNotice(
        request_id=request.id, user_id=applicant.id, grant_id=grant.id,
        items=[i.as_dict() for i in items], total_cents=total, minutes=decision.minutes,
        adjustment_reason=reason or None, recipient="\n".join(recipient_lines(applicant)),
        aktenzeichen=building_file.aktenzeichen, issued_by_id=clerk.id,
        due_on=today + dt.timedelta(days=schedule.due_days),
    )  # fmt: skip
    session.add(notice)
    session.flush()
    notice.reference = payment_reference.make(notice.id)
    grant.awaiting_payment = not schedule.pay_afterwards
    notice.pdf_key = terms.printer(letter_of(notice, request, terms.letterhead, schedule, zone))
    audit.record(session, "fee.notice", actor=clerk, target_type="fee_notice",
                 target_id=notice.id, building_file_id=building_file.id,
                 details={"application": request.id, "total_cents": total,
                          "adjusted": bool(reason), "held": grant.awaiting_payment})  # fmt: skip
    return notice


def recipient_lines(user: User) -> list[str]:
    lines = [user.display_name or user.email or ""]
    if user.street:
        lines.append(user.street)
    if user.postcode or user.city:
        lines.append(f"{user.postcode or ''} {user.city or ''}".strip())
    return [line for line in lines if line]


def letter_of(
    notice: FeeNotice,
    request: AccessRequest,
    letterhead: Letterhead,
    schedule: FeeSchedule,
    zone: ZoneInfo,
) -> NoticeLetter:
    return NoticeLetter(
        letterhead=letterhead, number=notice.id, reference=notice.reference,
        issued_on=notice.issued_at.astimezone(zone).date(), due_on=notice.due_on,
        recipient=tuple(notice.recipient.splitlines()), application=request.number,
        subject=request.subject, aktenzeichen=notice.aktenzeichen or "",
        items=tuple(FeeItem.from_dict(i) for i in notice.items), total_cents=notice.total_cents,
        adjustment_reason=notice.adjustment_reason or "", pay_afterwards=schedule.pay_afterwards,
    )  # fmt: skip


def of_application(session: Session, request_id: int) -> list[FeeNotice]:
    stmt = select(FeeNotice).where(FeeNotice.request_id == request_id).order_by(FeeNotice.id)
    return list(session.scalars(stmt))


def readable(session: Session, notice_id: int, *, actor: Actor) -> FeeNotice:
    """A notice for its addressee or for staff who handle fees; to anyone else it does not
    exist (no hint that the number is taken)."""
    notice = session.get(FeeNotice, notice_id)
    user = user_of(actor)
    allowed = notice is not None and (
        (user is not None and user.id == notice.user_id and user.active)
        or roles.can(actor, Capability.REVIEW)
    )
    if not allowed:
        raise Hidden(f"fee notice {notice_id} not found")
    return notice


def cancel(session: Session, clerk: User, notice_id: int, reason: str) -> FeeNotice:
    """Withdraw a notice issued in error; the fee is no longer owed, so access it held back
    opens.  The notice and its payments stay on record."""
    roles.require(clerk, Capability.REVIEW)
    notice = session.get(FeeNotice, notice_id, with_for_update=True, populate_existing=True)
    if notice is None:
        raise Hidden(f"fee notice {notice_id} not found")
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise UsageError("give the reason for cancelling the notice", "fee.cancel_reason")
    if notice.status != NoticeStatus.OPEN.value:
        raise UsageError("only an open notice can be cancelled", "fee.not_open")
    notice.status = NoticeStatus.CANCELLED.value
    notice.cancelled_at, notice.cancelled_by_id, notice.cancel_reason = utcnow(), clerk.id, reason
    grant = session.get(Grant, notice.grant_id) if notice.grant_id else None
    if grant is not None:
        grant.awaiting_payment = False
    audit.record(session, "fee.cancel", actor=clerk, target_type="fee_notice",
                 target_id=notice.id, details={"reason": reason})  # fmt: skip
    return notice
