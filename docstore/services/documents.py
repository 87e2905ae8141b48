"""Registering an ingested document: one transaction, all or nothing.

The ingest runner hands over plain values (:class:`NewDocument`); this service
matches or creates the building file, writes blob, document, pages, the audit
event and the index outbox row in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Blob,
    BuildingFile,
    Document,
    DocumentKind,
    OutboxOp,
    Page,
    Parcel,
)
from . import audit, outbox, roles
from .actors import Actor
from .building_files import create_building_file, find_by_aktenzeichen
from .roles import Capability


@dataclass(frozen=True)
class NewPage:
    """One page as ingest read it: its size, its text and where the text came from."""

    number: int
    width_px: int | None
    height_px: int | None
    dpi: int | None
    text: str
    text_source: str
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class FileAssignment:
    """Which building file a document belongs to, and what we learn about that file."""

    aktenzeichen: str
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    municipality: str | None = None
    gemarkung: str | None = None
    flur: str | None = None
    flurstueck: str | None = None


@dataclass(frozen=True)
class Description:
    """What a document is, as a manifest row, a file name or a clerk says it."""

    kind: str = DocumentKind.SONSTIGES.value
    title: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class NewDocument:
    sha256: str
    size: int
    mime_type: str
    storage_key: str
    original_name: str
    pages: list[NewPage] = field(default_factory=list)
    assignment: FileAssignment | None = None
    """None: the document goes to the inbox for a clerk to assign."""
    description: Description = field(default_factory=Description)
    active_content: bool = False
    source: str = ""
    """How it arrived (e.g. 'ingest batch', 'hot folder'), for the audit trail."""


@dataclass(frozen=True)
class Registered:
    document_id: int
    duplicate_of: int | None
    building_file: str | None


def existing_document(session: Session, sha256: str) -> int | None:
    return session.scalar(
        select(Document.id).where(Document.blob_sha256 == sha256).order_by(Document.id).limit(1)
    )


def register_document(session: Session, new: NewDocument, *, actor: Actor) -> Registered:
    """Register ``new`` unless its bytes are already there (then: the existing document)."""
    roles.require(actor, Capability.INGEST)
    duplicate = existing_document(session, new.sha256)
    if duplicate is not None:
        return Registered(duplicate, duplicate, None)
    if session.get(Blob, new.sha256) is None:
        session.add(
            Blob(
                sha256=new.sha256,
                size=new.size,
                mime_type=new.mime_type,
                storage_key=new.storage_key,
            )
        )
    bf = _building_file(session, new.assignment, actor) if new.assignment else None
    doc = Document(
        building_file_id=bf.id if bf else None,
        blob_sha256=new.sha256,
        **asdict(new.description),
        original_name=new.original_name[:500],
        page_count=len(new.pages),
        active_content=new.active_content,
    )
    doc.pages = [Page(**asdict(p)) for p in new.pages]
    session.add(doc)
    session.flush()
    details = {
        "sha256": new.sha256,
        "original_name": new.original_name,
        "pages": len(new.pages),
        "inbox": bf is None,
        "source": new.source,
    }
    audit.record(
        session,
        "document.ingest",
        actor=actor,
        target_type="document",
        target_id=doc.id,
        building_file_id=doc.building_file_id,
        details=details,
    )
    outbox.enqueue(session, doc.id)
    return Registered(doc.id, None, bf.aktenzeichen if bf else None)


def _building_file(session: Session, a: FileAssignment, actor: Actor) -> BuildingFile:
    """Match by Aktenzeichen; create if new; fill in what the file did not know yet."""
    bf = find_by_aktenzeichen(session, a.aktenzeichen)
    if bf is None:
        parcels = [(a.gemarkung, a.flur, a.flurstueck)] if a.gemarkung and a.flurstueck else []
        return create_building_file(
            session,
            a.aktenzeichen,
            actor=actor,
            parcels=parcels,  # type: ignore[arg-type]
            street=a.street,
            house_number=a.house_number,
            postcode=a.postcode,
            municipality=a.municipality,
        )
    for attr in ("street", "house_number", "postcode", "municipality"):
        if getattr(bf, attr) is None and getattr(a, attr):
            setattr(bf, attr, getattr(a, attr))
    if (
        a.gemarkung
        and a.flurstueck
        and not any(
            (p.gemarkung, p.flur, p.flurstueck) == (a.gemarkung, a.flur, a.flurstueck)
            for p in bf.parcels
        )
    ):
        bf.parcels.append(Parcel(gemarkung=a.gemarkung, flur=a.flur, flurstueck=a.flurstueck))
    return bf


EDITABLE = ("kind", "title", "date", "issuer", "issued_on", "valid_until")


def update_document(session: Session, doc: Document, *, actor: Actor, **changes: object) -> None:
    """Edit a document's metadata; search learns of it through the outbox."""
    roles.require(actor, Capability.EDIT)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    if "kind" in changes:
        DocumentKind(str(changes["kind"]))  # refuse unknown kinds
    before = {k: str(getattr(doc, k)) for k in changes}
    for key, value in changes.items():
        setattr(doc, key, value)
    audit.record(
        session,
        "document.edit",
        actor=actor,
        target_type="document",
        target_id=doc.id,
        building_file_id=doc.building_file_id,
        details={"before": before, "after": {k: str(v) for k, v in changes.items()}},
    )
    outbox.enqueue(session, doc.id)


def assign_document(
    session: Session, doc: Document, building_file: BuildingFile | None, *, actor: Actor
) -> None:
    """Move a document to a building file (or back to the inbox)."""
    roles.require(actor, Capability.INGEST)
    old = doc.building_file_id
    doc.building_file_id = building_file.id if building_file else None
    audit.record(
        session,
        "document.assign",
        actor=actor,
        target_type="document",
        target_id=doc.id,
        building_file_id=doc.building_file_id,
        details={"from": old, "to": doc.building_file_id},
    )
    outbox.enqueue(session, doc.id)


def delete_document(session: Session, doc: Document, *, actor: Actor) -> None:
    """Remove a document and its pages (the original stays: originals are immutable).

    No screen offers it yet (a clerk removing a mis-scan comes with redaction);
    it is kept because the search index's delete path through the outbox is
    tested with it, and that path must work before the screen exists.
    """
    roles.require(actor, Capability.EDIT)
    audit.record(
        session,
        "document.delete",
        actor=actor,
        target_type="document",
        target_id=doc.id,
        building_file_id=doc.building_file_id,
        details={"original_name": doc.original_name, "sha256": doc.blob_sha256},
    )
    outbox.enqueue(session, doc.id, OutboxOp.DELETE)
    session.delete(doc)
