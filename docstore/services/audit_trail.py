"""Reading the audit trail: filtered, newest first, for auditors (and admins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, User
from . import audit, roles
from .actors import Actor
from .roles import Capability


@dataclass(frozen=True)
class TrailFilter:
    username: str | None = None
    action: str | None = None
    building_file_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    """Exclusive end."""


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int


NO_EVENTS = TrailPage([], 0, 1, 50)
"""What a filter that cannot be applied shows: nothing, rather than everything."""


def events(
    session: Session, reader: User, wanted: TrailFilter, page: int = 1, per_page: int = 50
) -> TrailPage:
    roles.require(reader, Capability.AUDIT)
    stmt = select(AuditEvent)
    if wanted.username:
        stmt = stmt.where(AuditEvent.actor_name == wanted.username)
    if wanted.action:
        stmt = stmt.where(AuditEvent.action == wanted.action)
    if wanted.building_file_id is not None:
        stmt = stmt.where(AuditEvent.building_file_id == wanted.building_file_id)
    if wanted.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < wanted.until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(
        stmt.order_by(AuditEvent.seq.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return TrailPage(list(rows), total, page, per_page)


def actions(session: Session, reader: User) -> list[str]:
    roles.require(reader, Capability.AUDIT)
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def verify(session: Session, reader: Actor) -> audit.ChainReport:
    """The chain's verification, itself an audit event (who checked, and what was found)."""
    roles.require(reader, Capability.AUDIT)
    report = audit.verify_chain(session)
    audit.record(
        session,
        "audit.verify",
        actor=reader,
        details={"ok": report.ok, "checked": report.checked, "first_bad_seq": report.first_bad_seq},
    )
    return report
