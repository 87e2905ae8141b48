"""The plan author's consent to copies for people outside the authority (§§ 15, 16 UrhG).

A building plan is its architect's work: anyone with a grant may view it,
but a copy leaves the authority only with the author's consent, recorded here
by a clerk per document (when it was given, and a note: letter of, phone
call with), or with the applicant's own declaration that the copy is for
proceedings before an authority (§ 45 UrhG), recorded with the extract order.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..extract_models import PlanConsent
from ..models import Document, User, utcnow
from . import audit, roles
from .archive import Hidden
from .roles import Capability

MAX_NOTE = 1000


def plan_kinds(config) -> frozenset[str]:
    """The document kinds that count as plans (setting ``extract_plan_kinds``)."""
    raw = config.values["extract_plan_kinds"]
    return frozenset(k.strip().lower() for k in raw.split(",") if k.strip())


def current(session: Session, document_id: int) -> PlanConsent | None:
    """The consent that holds now (the newest not withdrawn), if any."""
    return session.scalar(
        select(PlanConsent)
        .where(PlanConsent.document_id == document_id, PlanConsent.withdrawn_at.is_(None))
        .order_by(PlanConsent.id.desc())
        .limit(1)
    )


def consented(session: Session, document_ids: list[int]) -> set[int]:
    """Which of the documents have a consent that holds now."""
    if not document_ids:
        return set()
    stmt = select(PlanConsent.document_id).where(
        PlanConsent.document_id.in_(document_ids), PlanConsent.withdrawn_at.is_(None)
    )
    return set(session.scalars(stmt))


def history(session: Session, document_id: int) -> list[PlanConsent]:
    stmt = select(PlanConsent).where(PlanConsent.document_id == document_id)
    return list(session.scalars(stmt.order_by(PlanConsent.id)))


def record(
    session: Session, clerk: User, document_id: int, *, consented_on: dt.date | None, note: str
) -> PlanConsent:
    """The author's consent as the clerk received it; a consent already held is replaced."""
    _require(clerk)
    document = _document(session, document_id)
    if consented_on is None:
        raise UsageError("give the date the author consented on", "consent.date")
    note = " ".join(note.split())
    if not note or len(note) > MAX_NOTE:
        raise UsageError(
            "say how the author consented (a note of up to 1000 characters)", "consent.note"
        )
    if consented_on > utcnow().date() + dt.timedelta(days=1):
        raise UsageError("the date of the consent cannot be in the future", "consent.future")
    held = current(session, document.id)
    if held is not None:
        _withdraw(held, clerk, "replaced by a newer consent")
    consent = PlanConsent(document_id=document.id, consented_on=consented_on, note=note,
                          recorded_by_id=clerk.id)  # fmt: skip
    session.add(consent)
    session.flush()
    audit.record(session, "plan.consent", actor=clerk, target_type="document",
                 target_id=document.id, building_file_id=document.building_file_id,
                 details={"consent": consent.id, "on": consented_on.isoformat()})  # fmt: skip
    return consent


def withdraw(session: Session, clerk: User, document_id: int, reason: str) -> PlanConsent:
    """The author took the consent back: later extracts leave the plan out again."""
    _require(clerk)
    document = _document(session, document_id)
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_NOTE:
        raise UsageError(
            "give the reason for withdrawing the consent (up to 1000 characters)", "consent.reason"
        )
    held = current(session, document.id)
    if held is None:
        raise UsageError(f"document {document.id} has no consent to withdraw", "consent.none")
    _withdraw(held, clerk, reason)
    audit.record(session, "plan.consent_withdrawn", actor=clerk, target_type="document",
                 target_id=document.id, building_file_id=document.building_file_id,
                 details={"consent": held.id})  # fmt: skip
    return held


def _withdraw(consent: PlanConsent, clerk: User, reason: str) -> None:
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = clerk.id
    consent.withdraw_reason = reason


def _require(clerk: User) -> None:
    roles.require(clerk, Capability.EDIT)


def _document(session: Session, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise Hidden(f"document {document_id} not found")
    return document
