"""Reading the archive as a user: building files, documents and pages behind the access rules.

Every reader (web pages, image endpoints, downloads, the JSON API) comes
through here, so a denial is decided once.  Something the user may not see
raises :class:`Hidden` (shown as 404: the user does not learn it exists);
something the user sees but may not do raises :class:`Forbidden` (403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFound, PermissionDenied
from ..extract_models import PlanConsent
from ..models import Blob, BuildingFile, Document, Grant, Page, User, utcnow
from ..redaction_text import Box
from . import access, audit, redactions, roles, throttle
from .roles import Capability


class Hidden(NotFound):
    """Not there, or not for this user: the two are indistinguishable on purpose."""


class Forbidden(PermissionDenied):
    """The user sees the object but may not do this with it."""


@dataclass(frozen=True)
class GrantSummary:
    building_file: BuildingFile
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    may_download: bool
    whole_file: bool
    kinds: tuple[str, ...] = ()
    """The document kinds a limited grant covers (besides any listed documents)."""


@dataclass(frozen=True)
class DocumentView:
    document: Document
    may_download: bool


def my_grants(session: Session, user: User, at: dt.datetime | None = None) -> list[GrantSummary]:
    """An external user's active grants, soonest-ending first (for the start page)."""
    at = at or utcnow()
    grants = session.scalars(
        select(Grant)
        .where(Grant.user_id == user.id, access.active_grants_clause(at))
        .options(
            selectinload(Grant.building_file),
            selectinload(Grant.documents),
            selectinload(Grant.kinds),
        )
    ).all()
    summaries = [
        GrantSummary(
            g.building_file,
            g.valid_from,
            g.valid_until,
            g.may_download,
            not g.documents and not g.kinds,
            tuple(sorted(k.kind for k in g.kinds)),
        )
        for g in grants
    ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(summaries, key=lambda s: (s.valid_until or far, s.building_file.aktenzeichen))


def recent_building_files(session: Session, user: User, limit: int = 20) -> list[BuildingFile]:
    """Staff only: the files changed most recently."""
    if not user.is_staff:
        raise Forbidden("only staff see the list of all building files", "archive.staff_list")
    stmt = select(BuildingFile).order_by(BuildingFile.updated_at.desc(), BuildingFile.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def inbox(session: Session, user: User) -> list[Document]:
    """Documents not yet assigned to a building file, oldest first (staff who sort them)."""
    roles.require(user, Capability.INGEST)
    stmt = select(Document).where(Document.building_file_id.is_(None))
    return list(session.scalars(stmt.order_by(Document.created_at, Document.id)))


def file_grants(session: Session, user: User, building_file_id: int) -> list[Grant]:
    """Every grant on a building file, active or not, newest first (for those who grant)."""
    roles.require(user, Capability.GRANT)
    stmt = (
        select(Grant)
        .where(Grant.building_file_id == building_file_id)
        .options(selectinload(Grant.user), selectinload(Grant.documents), selectinload(Grant.kinds))
        .order_by(Grant.created_at.desc(), Grant.id.desc())
    )
    return list(session.scalars(stmt))


def visible_building_files(
    session: Session, user: User, page: int = 1, per_page: int = 50
) -> tuple[list[BuildingFile], int]:
    """The building files the user may open, by Aktenzeichen, one page of them and the total."""
    ids = access.visible_building_file_ids(session, user)
    stmt = select(BuildingFile)
    if ids is not None:
        stmt = stmt.where(BuildingFile.id.in_(ids or [-1]))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(BuildingFile.aktenzeichen).offset((page - 1) * per_page).limit(per_page)
    return list(session.scalars(stmt)), total


def open_building_file(
    session: Session, user: User, building_file_id: int
) -> tuple[BuildingFile, list[Document]]:
    """The building file and the documents of it the user may see, by kind, date and title."""
    vis = access.visibility(session, user)
    bf = session.get(BuildingFile, building_file_id)
    if bf is None:
        raise Hidden(f"building file {building_file_id} not found")
    documents = [d for d in bf.documents if vis.covers(d)]
    if not vis.everything and bf.id not in vis.building_file_ids and not documents:
        raise Hidden(f"building file {building_file_id} not found")
    far = dt.date.max
    documents.sort(key=lambda d: (d.kind, d.date or far, d.title or d.original_name, d.id))
    return bf, documents


def open_document(session: Session, user: User, document_id: int) -> DocumentView:
    vis = access.visibility(session, user)
    doc = session.get(Document, document_id)
    if doc is None or not vis.covers(doc):
        raise Hidden(f"document {document_id} not found")
    return DocumentView(doc, vis.covers_download(doc))


def open_page(session: Session, user: User, document_id: int, number: int) -> Page:
    """The page with its document loaded, in one query (this runs for every image request)."""
    row = session.execute(
        select(Page, Document)
        .join(Document, Page.document_id == Document.id)
        .where(Page.document_id == document_id, Page.number == number)
    ).first()
    if row is None or not access.can_view(session, user, row.Document):
        raise Hidden(f"page {number} of document {document_id} not found")
    return row.Page


@dataclass(frozen=True)
class ImagePage:
    """What an image service needs of a page the user may see."""

    document_id: int
    number: int
    sha256: str
    mime_type: str
    width_px: int | None
    height_px: int | None
    regions: tuple[Box, ...] = ()
    """Redacted regions to black out for this user (none for staff)."""


def open_image_page(session: Session, user: User, iiif_id: str) -> ImagePage:
    """The page named in an IIIF URL, if the user may see its document, with the regions to
    black out for this user (the permission check and one query for each: this runs for
    every tile)."""
    row = session.execute(
        select(Page, Document, Blob.mime_type)
        .join(Document, Page.document_id == Document.id)
        .join(Blob, Blob.sha256 == Document.blob_sha256)
        .where(Page.iiif_id == iiif_id)
    ).first()
    if row is None or not access.can_view(session, user, row.Document):
        raise Hidden(f"page {iiif_id} not found")
    page, doc = row.Page, row.Document
    regions = redactions.regions(session, page.id, actor=user)
    return ImagePage(
        doc.id, page.number, doc.blob_sha256, row.mime_type, page.width_px, page.height_px,
        regions,
    )  # fmt: skip


def page_of(session: Session, view: DocumentView, number: int) -> Page:
    """A page of a document the user has already opened (no second permission query)."""
    page = session.scalar(
        select(Page).where(Page.document_id == view.document.id, Page.number == number)
    )
    if page is None:
        raise Hidden(f"page {number} of document {view.document.id} not found")
    return page


def download_rights(session: Session, user: User, documents: list[Document]) -> dict[int, bool]:
    """Which of these (visible) documents the user may download, from one permission query."""
    vis = access.visibility(session, user)
    return {d.id: vis.covers_download(d) for d in documents}


DOWNLOAD_WINDOW_SECONDS = 600
"""Requests for the same original by the same user within this time are one download."""


def plan_copy_refused(
    session: Session, user: User, document: Document, plan_kinds: frozenset[str]
) -> bool:
    """A plan is its architect's work (§§ 15, 16 UrhG): its original leaves the
    authority only with the author's consent, recorded by a clerk.  Without it,
    an external user's copy is an extract with the § 45 UrhG declaration."""
    if user.is_staff or document.kind not in plan_kinds:
        return False
    return document.id not in _consented(session, [document.id])


def original_downloads(
    session: Session, user: User, documents: list[Document], plan_kinds: frozenset[str]
) -> dict[int, bool]:
    """Which of these (visible) originals the user may download: the grant's download
    right and, for a plan, its author's consent (:func:`plan_copy_refused`)."""
    rights = download_rights(session, user, documents)
    if user.is_staff:
        return rights
    plans = [d.id for d in documents if rights[d.id] and d.kind in plan_kinds]
    consented = _consented(session, plans) if plans else set()
    return {**rights, **{d: d in consented for d in plans}}


def _consented(session: Session, document_ids: list[int]) -> set[int]:
    return set(
        session.scalars(
            select(PlanConsent.document_id).where(
                PlanConsent.document_id.in_(document_ids), PlanConsent.withdrawn_at.is_(None)
            )
        )
    )


def for_download(
    session: Session, user: User, document_id: int, *, plan_kinds: frozenset[str]
) -> Document:
    """The document whose original the user may download; records the download.

    A download manager or a PDF viewer fetches a large file as many byte
    ranges; the trail shows one download for them, not one per range.
    """
    view = open_document(session, user, document_id)
    if not view.may_download:
        raise Forbidden("this grant allows viewing only, not downloading", "archive.view_only")
    if plan_copy_refused(session, user, view.document, plan_kinds):
        raise Forbidden(
            "this plan's author has not agreed to copies: order an extract with the "
            "declaration under § 45 UrhG, or ask the authority",
            "archive.plan_copy",
        )
    key = f"download:{user.id}:{view.document.id}"
    if throttle.hit(session, key, DOWNLOAD_WINDOW_SECONDS) > 1:
        return view.document
    audit.record(
        session,
        "document.download",
        actor=user,
        target_type="document",
        target_id=view.document.id,
        building_file_id=view.document.building_file_id,
    )
    return view.document


VISIT_SECONDS = 1800
REFUSALS_PER_VISIT = 20
"""Refusals recorded per person and half hour; past them a prober adds no more lines."""
"""Views of the same document by the same user within this time are one visit."""


def record_view(session: Session, user: User, document: Document, page: int) -> None:
    """One event per visit: the trail answers "who saw what, when", and a reader turning
    pages and zooming (the viewer, the manifest an IIIF viewer opens) is one look at the
    document, not one event per click.  The page is the one the visit began with."""
    if throttle.hit(session, f"view:{user.id}:{document.id}", VISIT_SECONDS) > 1:
        return
    audit.record(
        session,
        "document.view",
        actor=user,
        target_type="document",
        target_id=document.id,
        building_file_id=document.building_file_id,
        details={"page": page},
    )


def record_refusal(session: Session, user: User, document_id: int, what: str, reason: str) -> None:
    """A refused look at or download of a document that exists, for "who tried to see what".

    Called in its own transaction (the refused one rolls back).  Throttled like visits per
    person, document and kind of attempt, so a script probing ids leaves one line per
    document, not one per request; ids that name no document leave none.
    """
    document = session.get(Document, document_id)
    if document is None:
        return
    if throttle.hit(session, f"refused:{what}:{user.id}:{document.id}", VISIT_SECONDS) > 1:
        return
    if throttle.hit(session, f"refused:{user.id}", VISIT_SECONDS) > REFUSALS_PER_VISIT:
        return  # a script walking the ids: its first refusals are on record, enough to act
    audit.record(
        session,
        f"document.{what}-refused",
        actor=user,
        target_type="document",
        target_id=document.id,
        building_file_id=document.building_file_id,
        details={"reason": reason},
    )
