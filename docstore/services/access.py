"""Who may see and download what: the only place these rules live.

Staff (clerk, auditor, admin) see everything.  An external user (citizen,
architect) sees what an active grant gives: a whole building file, or only
the documents a grant lists and the documents of the kinds it names (a
neighbour: the site plan and the drawings).  A grant is active from ``valid_from`` until
(excluding) ``valid_until`` and until it is revoked; an expired or future
grant gives nothing, and so does one whose fee is still owed.  The web app,
the API, the CLI and the search filter all ask here, so they cannot disagree.
The console operator sees everything, nobody (``None``) sees nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import Document, Grant, GrantDocument, GrantKind, utcnow
from .actors import Actor, Console


@dataclass(frozen=True)
class Visibility:
    """What one user may see at one moment.

    ``everything`` for staff; otherwise whole building files plus single
    documents.  ``downloadable_*`` are the subsets with the download right.
    """

    everything: bool = False
    building_file_ids: frozenset[int] = field(default_factory=frozenset)
    document_ids: frozenset[int] = field(default_factory=frozenset)
    downloadable_building_file_ids: frozenset[int] = field(default_factory=frozenset)
    downloadable_document_ids: frozenset[int] = field(default_factory=frozenset)
    unredacted: bool = False
    """Sees pages whole, redactions and all (staff); everyone else searches the redacted
    version of a page (``docstore.services.redactions``)."""

    def covers(self, document: Document) -> bool:
        if self.everything:
            return True
        return document.id in self.document_ids or (
            document.building_file_id is not None
            and document.building_file_id in self.building_file_ids
        )

    def covers_download(self, document: Document) -> bool:
        if self.everything:
            return True
        return document.id in self.downloadable_document_ids or (
            document.building_file_id is not None
            and document.building_file_id in self.downloadable_building_file_ids
        )


EVERYTHING = Visibility(everything=True, unredacted=True)
NOTHING = Visibility()


def active_grants_clause(at: dt.datetime):
    return and_(
        Grant.revoked_at.is_(None),
        Grant.awaiting_payment.is_(False),
        Grant.valid_from <= at,
        or_(Grant.valid_until.is_(None), Grant.valid_until > at),
    )


def visibility(session: Session, user: Actor | None, at: dt.datetime | None = None) -> Visibility:
    if isinstance(user, Console):
        return EVERYTHING
    if user is None or not user.active:
        return NOTHING
    if user.is_staff:
        return EVERYTHING
    at = at or utcnow()
    rows = session.execute(
        select(Grant.id, Grant.building_file_id, Grant.may_download, GrantDocument.document_id)
        .outerjoin(GrantDocument, GrantDocument.grant_id == Grant.id)
        .where(Grant.user_id == user.id, active_grants_clause(at))
    ).all()
    by_kind = _documents_by_kind(session, user.id, at)
    files: set[int] = set()
    docs: set[int] = {d for d, _ in by_kind}
    dl_files: set[int] = set()
    dl_docs: set[int] = {d for d, may_download in by_kind if may_download}
    kind_grants = _grants_with_kinds(session, [r.id for r in rows])
    for grant_id, building_file_id, may_download, document_id in rows:
        if document_id is None and grant_id in kind_grants:
            continue  # limited to kinds: not the whole file
        if document_id is None:
            files.add(building_file_id)
            if may_download:
                dl_files.add(building_file_id)
        else:
            docs.add(document_id)
            if may_download:
                dl_docs.add(document_id)
    listed = {r.document_id for r in rows if r.document_id}
    if listed:
        # a listed document counts only while it still belongs to the granted file
        granted_pairs = {(r.building_file_id, r.document_id) for r in rows if r.document_id}
        current = dict(
            session.execute(
                select(Document.id, Document.building_file_id).where(Document.id.in_(docs))
            ).all()
        )
        kept = {d for (f, d) in granted_pairs if current.get(d) == f}
        dl_docs = {d for d in dl_docs if d in kept or d not in listed}
        docs = {d for d in docs if d in kept or d not in listed}
    return Visibility(
        building_file_ids=frozenset(files),
        document_ids=frozenset(docs),
        downloadable_building_file_ids=frozenset(dl_files),
        downloadable_document_ids=frozenset(dl_docs),
    )


def _grants_with_kinds(session: Session, grant_ids: list[int]) -> set[int]:
    if not grant_ids:
        return set()
    stmt = select(GrantKind.grant_id).where(GrantKind.grant_id.in_(grant_ids)).distinct()
    return set(session.scalars(stmt))


def _documents_by_kind(session: Session, user_id: int, at: dt.datetime) -> list[tuple[int, bool]]:
    """(document id, may download) for the documents that kind-limited grants cover now:
    documents of the kind in the granted file, whenever they were added to it."""
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Document.id, Grant.may_download)
            .join(GrantKind, GrantKind.kind == Document.kind)
            .join(Grant, and_(Grant.id == GrantKind.grant_id,
                              Grant.building_file_id == Document.building_file_id))
            .where(Grant.user_id == user_id, active_grants_clause(at))
        )
    ]  # fmt: skip


def within_document(session: Session, user: Actor | None, document_id: int) -> Visibility:
    """The scope of a search inside one document: it, if the user may see it; else nothing."""
    document = session.get(Document, document_id)
    seen = visibility(session, user)
    if document is None or not seen.covers(document):
        return NOTHING
    return Visibility(document_ids=frozenset({document_id}), unredacted=seen.unredacted)


def visible_building_file_ids(
    session: Session, user: Actor | None, at: dt.datetime | None = None
) -> frozenset[int] | None:
    """Building files the user may open (None means: all of them).

    Includes files of which only listed documents were granted, since the
    user may open those documents inside them.
    """
    vis = visibility(session, user, at)
    if vis.everything:
        return None
    doc_files = (
        session.scalars(
            select(Document.building_file_id).where(Document.id.in_(vis.document_ids))
        ).all()
        if vis.document_ids
        else []
    )
    return vis.building_file_ids | frozenset(f for f in doc_files if f is not None)


def can_view(
    session: Session, user: Actor | None, document: Document, at: dt.datetime | None = None
) -> bool:
    return visibility(session, user, at).covers(document)
