"""Reading the audit trail: filtered, newest first, for auditors (and admins)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, BuildingFile, Document, User
from . import audit, roles
from .actors import Actor
from .roles import Capability


@dataclass(frozen=True)
class TrailFilter:
    username: str | None = None
    """Any case: an auditor types the name as they heard it."""
    action: str | None = None
    building_file_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    """Exclusive end."""
    document_id: int | None = None
    """Events about this document (views, downloads, edits, redactions of its pages)."""


@dataclass(frozen=True)
class Subject:
    """What an event is about, as a reader names it: a document's title and file number."""

    kind: str
    id: int
    title: str | None = None
    aktenzeichen: str | None = None
    building_file_id: int | None = None


@dataclass(frozen=True)
class TrailPage:
    events: list[AuditEvent]
    total: int
    page: int
    per_page: int


MAX_EXPORT = 100_000
"""Rows in one CSV export; a wider question is a narrower filter or the database itself."""

NO_EVENTS = TrailPage([], 0, 1, 50)
"""What a filter that cannot be applied shows: nothing, rather than everything."""


def events(
    session: Session, reader: User, wanted: TrailFilter, page: int = 1, per_page: int = 50
) -> TrailPage:
    roles.require(reader, Capability.AUDIT)
    stmt = _filtered(wanted)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = session.scalars(
        stmt.order_by(AuditEvent.seq.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return TrailPage(list(rows), total, page, per_page)


def _filtered(wanted: TrailFilter) -> Select[tuple[AuditEvent]]:
    stmt = select(AuditEvent)
    if wanted.username:
        stmt = stmt.where(func.lower(AuditEvent.actor_name) == wanted.username.strip().lower())
    if wanted.document_id is not None:
        stmt = stmt.where(
            AuditEvent.target_type == "document", AuditEvent.target_id == str(wanted.document_id)
        )
    if wanted.action:
        stmt = stmt.where(AuditEvent.action == wanted.action)
    if wanted.building_file_id is not None:
        stmt = stmt.where(AuditEvent.building_file_id == wanted.building_file_id)
    if wanted.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < wanted.until)
    return stmt


def export(
    session: Session, reader: Actor, wanted: TrailFilter, limit: int = MAX_EXPORT
) -> list[AuditEvent]:
    """The filtered trail, newest first, for a file (read-only: the caller records the
    export with :func:`record_export` in a short transaction of its own, so a large export
    never holds the database's write lock while it reads)."""
    roles.require(reader, Capability.AUDIT)
    stmt = _filtered(wanted).order_by(AuditEvent.seq.desc()).limit(limit)
    return list(session.scalars(stmt))


def record_export(session: Session, reader: Actor, wanted: TrailFilter, rows: int) -> None:
    roles.require(reader, Capability.AUDIT)
    details = {k: v.isoformat() if isinstance(v, dt.datetime) else v
               for k, v in asdict(wanted).items() if v is not None}  # fmt: skip
    audit.record(session, "audit.export", actor=reader, details={**details, "rows": rows})


def subjects(session: Session, reader: Actor, events: list[AuditEvent]) -> dict[int, Subject]:
    """For each event (by id) the document or building file it concerns, with names."""
    roles.require(reader, Capability.AUDIT)
    doc_ids = {int(e.target_id) for e in events
               if e.target_type == "document" and (e.target_id or "").isdigit()}  # fmt: skip
    documents = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(doc_ids)))}
    file_ids = {e.building_file_id for e in events if e.building_file_id is not None}
    file_ids |= {d.building_file_id for d in documents.values() if d.building_file_id}
    files = {
        f.id: f for f in session.scalars(select(BuildingFile).where(BuildingFile.id.in_(file_ids)))
    }
    found: dict[int, Subject] = {}
    for e in events:
        doc = documents.get(int(e.target_id)) if e.target_id and e.target_id.isdigit() else None
        if e.target_type == "document" and doc is not None:
            bf = files.get(doc.building_file_id or -1)
            az = bf.aktenzeichen if bf else None
            title = doc.title or doc.original_name
            found[e.id] = Subject("document", doc.id, title, az, doc.building_file_id)
        elif e.building_file_id in files:
            bf = files[e.building_file_id]
            found[e.id] = Subject("building_file", bf.id, None, bf.aktenzeichen, bf.id)
    return found


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
