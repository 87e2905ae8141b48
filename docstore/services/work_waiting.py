"""What waits for the authority's staff: a clerk's start page answers "what do I do next".

Each part is shown only to those who may act on it (applications to reviewers, the inbox
and failed uploads to those who ingest, ending grants to those who grant), so an auditor's
start page holds none of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import (
    OPEN_STATUSES,
    AccessRequest,
    Document,
    Grant,
    UploadBatch,
    UploadFile,
    utcnow,
)
from . import roles
from .actors import Actor
from .roles import Capability

FAILED_OUTCOMES = ("rejected", "failed")
RECENT_DAYS = 14
"""Failed uploads older than this are history, not work."""


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int
    oldest: dt.datetime | None


@dataclass(frozen=True)
class Waiting:
    applications: list[StatusCount] | None = None
    """None: the reader does not review applications."""
    overdue: int = 0
    """Open applications older than the processing time the applicant was told."""
    inbox: int | None = None
    failed_uploads: list[UploadFile] = field(default_factory=list)
    ending_grants: list[Grant] | None = None


def waiting(
    session: Session, *, actor: Actor, processing_days: int, days_ahead: int = 7
) -> Waiting:
    now = utcnow()
    applications, overdue = None, 0
    if roles.can(actor, Capability.REVIEW):
        applications = _applications(session)
        overdue = session.scalar(
            select(func.count(AccessRequest.id)).where(
                AccessRequest.status.in_([s.value for s in OPEN_STATUSES]),
                AccessRequest.created_at < now - dt.timedelta(days=processing_days),
            )
        ) or 0  # fmt: skip
    inbox, failed = None, []
    if roles.can(actor, Capability.INGEST):
        inbox = session.scalar(
            select(func.count(Document.id)).where(Document.building_file_id.is_(None))
        ) or 0  # fmt: skip
        failed = _failed_uploads(session, now - dt.timedelta(days=RECENT_DAYS))
    ending = None
    if roles.can(actor, Capability.GRANT):
        ending = _ending_grants(session, now, now + dt.timedelta(days=days_ahead))
    return Waiting(applications, overdue, inbox, failed, ending)


def _applications(session: Session) -> list[StatusCount]:
    oldest = func.min(AccessRequest.created_at)
    rows = session.execute(
        select(AccessRequest.status, func.count(AccessRequest.id), oldest)
        .where(AccessRequest.status.in_([s.value for s in OPEN_STATUSES]))
        .group_by(AccessRequest.status)
    ).all()
    counted = {status: StatusCount(status, count, oldest) for status, count, oldest in rows}
    order = ["submitted", "in_review", "query", "digitising"]
    return [counted.get(s) or StatusCount(s, 0, None) for s in order]


def _failed_uploads(session: Session, since: dt.datetime) -> list[UploadFile]:
    stmt = (
        select(UploadFile)
        .join(UploadBatch)
        .where(UploadFile.outcome.in_(FAILED_OUTCOMES), UploadBatch.created_at >= since)
        .options(selectinload(UploadFile.batch))
        .order_by(UploadFile.id.desc())
        .limit(20)
    )
    return list(session.scalars(stmt))


def _ending_grants(session: Session, now: dt.datetime, until: dt.datetime) -> list[Grant]:
    stmt = (
        select(Grant)
        .where(
            Grant.revoked_at.is_(None),
            Grant.valid_until.is_not(None),
            Grant.valid_until > now,
            Grant.valid_until <= until,
        )
        .options(selectinload(Grant.user), selectinload(Grant.building_file))
        .order_by(Grant.valid_until)
        .limit(50)
    )
    return list(session.scalars(stmt))
