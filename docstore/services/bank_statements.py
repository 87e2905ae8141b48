"""Importing the fee account's statements (CAMT.053): each credit booked on the notice its
reference names, or kept unmatched for a clerk.

The same statement twice changes nothing (the file's hash, and below it each
credit's key); a statement of another account is refused when the fee
account is configured, so a clerk who picks the wrong file books nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import camt, payment_reference
from ..fee_models import BankStatement, NoticeStatus, PaymentMethod
from ..fees import MAX_CENTS
from ..models import User
from . import audit, mail, payments, roles
from .actors import Actor, user_id_of, user_of
from .roles import Capability


@dataclass(frozen=True)
class ImportReport:
    statement_id: str
    already_imported: bool = False
    matched: int = 0
    unmatched: int = 0
    known: int = 0
    """Credits booked before (from an overlapping statement)."""
    skipped: int = 0
    """Entries that are no payment to us (debits, pending, other currencies)."""


def import_statement(
    session: Session,
    data: bytes,
    *,
    actor: Actor,
    account: str,
    zone: ZoneInfo,
    context: mail.MailContext,
) -> ImportReport:
    """Book a CAMT.053 file; :class:`camt.StatementRejected` for anything that is not one.

    ``account``: the configured fee account's IBAN (empty: any account is taken).
    """
    roles.require(actor, Capability.REVIEW)
    statement = camt.read(data)
    wanted = account.replace(" ", "").upper()
    if wanted and statement.account.replace(" ", "").upper() != wanted:
        raise camt.StatementRejected(
            f"the statement is for account {statement.account}, not the fee account {wanted}",
            "statement.account",
            account=statement.account,
            wanted=wanted,
        )
    digest = hashlib.sha256(data).hexdigest()
    if session.scalar(select(BankStatement.id).where(BankStatement.sha256 == digest)):
        return ImportReport(statement.statement_id, already_imported=True)
    row = BankStatement(sha256=digest, statement_id=statement.statement_id[:100],
                        account=statement.account[:40], entries=len(statement.credits),
                        imported_by_id=user_id_of(actor))  # fmt: skip
    session.add(row)
    session.flush()
    matched = unmatched = known = 0
    skipped = statement.skipped
    booked_by = user_of(actor)
    for credit in statement.credits:
        if credit.amount_cents > MAX_CENTS:  # no fee is that large: another of the account's
            skipped += 1  # incomings (the city's account may be the fee account), not an error
            continue
        notice = _notice_for(session, credit.remittance)
        received = payments.Received(credit.amount_cents, PaymentMethod.TRANSFER, credit.key,
                                     payer=credit.payer, remittance=credit.remittance,
                                     booked_on=credit.booked_on)  # fmt: skip
        payment = payments.record(session, notice, received, actor=booked_by, zone=zone,
                                  context=context, statement_id=row.id)  # fmt: skip
        if payment is None:
            known += 1
        elif notice is None:
            unmatched += 1
        else:
            matched += 1
    report = ImportReport(statement.statement_id, False, matched, unmatched, known,
                          skipped)  # fmt: skip
    counts = {"matched": matched, "unmatched": unmatched, "known": known,
              "skipped": skipped}  # fmt: skip
    audit.record(session, "payment.statement", actor=actor, target_type="bank_statement",
                 target_id=row.id, details=counts)  # fmt: skip
    return report


def _notice_for(session: Session, remittance: str):
    """The one open or paid notice the purpose line names for certain; None when it names
    none, several, or a cancelled one (a clerk decides those)."""
    numbers = payment_reference.notice_numbers(remittance)
    if len(numbers) != 1:
        return None
    notice = payments.locked_notice(session, numbers.pop())
    if notice is None or notice.status == NoticeStatus.CANCELLED.value:
        return None
    return notice


def imported(session: Session, clerk: User, limit: int = 20) -> list[BankStatement]:
    roles.require(clerk, Capability.REVIEW)
    stmt = select(BankStatement).order_by(BankStatement.id.desc()).limit(limit)
    return list(session.scalars(stmt))
