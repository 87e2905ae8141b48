"""The clerk's side of applications: the queue, the matching files, the decision.

Approval is the only way an application becomes access: it creates the grant
(whole file, listed documents, or document kinds) with the validity the
clerk chose, and the grant names the application it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..models import (
    OPEN_STATUSES,
    AccessRequest,
    ApplicationMessage,
    BuildingFile,
    Document,
    DocumentKind,
    Grant,
    Parcel,
    RequestStatus,
    User,
    utcnow,
)
from . import audit, fee_notices, grants, roles
from .actors import Actor, user_of
from .applications import MAX_TEXT, Notice, change_status, locked_get
from .archive import Hidden
from .fee_notices import FeeTerms
from .roles import Capability

REJECTION_REASONS = (
    "no_legitimation",
    "proof_missing",
    "proof_invalid",
    "proof_outdated",
    "other",
)
"""Codes the web words; the clerk adds free text to each."""
NEIGHBOUR_KINDS = (DocumentKind.LAGEPLAN, DocumentKind.BAUZEICHNUNG)
"""What a neighbour is usually shown: the site plan and the drawings (elevations)."""


@dataclass(frozen=True)
class QueueFilter:
    statuses: frozenset[RequestStatus] = OPEN_STATUSES
    older_than_days: int | None = None
    mine: bool = False
    district: str = ""
    """Only applications for a building the register places in this district."""


def queue(session: Session, clerk: Actor, flt: QueueFilter = QueueFilter()) -> list[AccessRequest]:
    """Applications to work on, oldest first (the order they should be done in)."""
    roles.require(clerk, Capability.REVIEW)
    stmt = select(AccessRequest).where(AccessRequest.status.in_([s.value for s in flt.statuses]))
    if flt.older_than_days:
        stmt = stmt.where(
            AccessRequest.created_at < utcnow() - dt.timedelta(days=flt.older_than_days)
        )
    if flt.mine and (user := user_of(clerk)) is not None:
        stmt = stmt.where(AccessRequest.assigned_to_id == user.id)
    if flt.district:
        stmt = stmt.where(_in_district(flt.district))
    return list(session.scalars(stmt.order_by(AccessRequest.created_at, AccessRequest.id)))


def _in_district(district: str):
    """An application whose building (its file, file number, address or parcel) the register
    places in ``district``: the SQL twin of :func:`matching_files`, for the whole queue."""

    def normal(column):
        return func.replace(func.replace(func.lower(column), "str.", "straße"), "strasse", "straße")

    parcel = select(Parcel.building_file_id).where(
        Parcel.flurstueck == AccessRequest.flurstueck,
        or_(AccessRequest.gemarkung.is_(None),
            func.lower(Parcel.gemarkung) == func.lower(AccessRequest.gemarkung)),
    )  # fmt: skip
    same_building = or_(
        BuildingFile.id == AccessRequest.building_file_id,
        func.lower(BuildingFile.aktenzeichen) == func.lower(AccessRequest.aktenzeichen),
        (normal(BuildingFile.street) == normal(AccessRequest.street))
        & (func.lower(BuildingFile.house_number) == func.lower(AccessRequest.house_number)),
        BuildingFile.id.in_(parcel),
    )
    return (
        select(BuildingFile.id)
        .where(func.lower(BuildingFile.district) == district.strip().lower(), same_building)
        .exists()
    )


def districts(session: Session) -> list[str]:
    """The districts the register names, for the queue's filter."""
    stmt = select(BuildingFile.district).where(BuildingFile.district.is_not(None)).distinct()
    return sorted(d for d in session.scalars(stmt) if d)


def for_review(
    session: Session, clerk: Actor, request_id: int, *, lock: bool = False
) -> AccessRequest:
    """``lock``: see :func:`applications.own_application`."""
    roles.require(clerk, Capability.REVIEW)
    request = locked_get(session, request_id) if lock else session.get(AccessRequest, request_id)
    if request is None:
        raise Hidden(f"application {request_id} not found")
    return request


def proof_for_review(session: Session, clerk: Actor, request_id: int, proof_id: int):
    """One proof of an application, for the clerk; who opened which proof is on record."""
    request = for_review(session, clerk, request_id)
    found = next((p for p in request.proofs if p.id == proof_id), None)
    if found is None:
        raise Hidden(f"proof {proof_id} not found")
    audit.record(session, "application.proof-view", actor=clerk, target_type="application",
                 target_id=request.id, details={"proof": proof_id})  # fmt: skip
    return found


def matching_files(session: Session, request: AccessRequest) -> list[BuildingFile]:
    """Files the application may mean: by file number, by address, by parcel."""
    conditions = []
    if request.aktenzeichen:
        conditions.append(func.lower(BuildingFile.aktenzeichen) == request.aktenzeichen.lower())
    if request.street and request.house_number:
        street = request.street.lower().replace("str.", "straße").replace("strasse", "straße")
        conditions.append(
            (func.lower(BuildingFile.street) == street)
            & (func.lower(BuildingFile.house_number) == request.house_number.lower())
        )
    if request.flurstueck:
        parcel = select(Parcel.building_file_id).where(Parcel.flurstueck == request.flurstueck)
        if request.gemarkung:
            parcel = parcel.where(func.lower(Parcel.gemarkung) == request.gemarkung.lower())
        conditions.append(BuildingFile.id.in_(parcel))
    if not conditions:
        return []
    stmt = select(BuildingFile).where(or_(*conditions)).order_by(BuildingFile.aktenzeichen)
    return list(session.scalars(stmt.limit(50)))


def document_count(session: Session, building_file_id: int) -> int:
    stmt = select(func.count()).where(Document.building_file_id == building_file_id)
    return session.scalar(stmt) or 0


def assign(session: Session, clerk: User, request_id: int, notice: Notice) -> AccessRequest:
    """Take the application; a new one moves to "in Prüfung"."""
    request = _open(session, clerk, request_id)
    request.assigned_to_id = clerk.id
    audit.record(session, "application.assign", actor=clerk, target_type="application",
                 target_id=request.id)  # fmt: skip
    if request.status == RequestStatus.SUBMITTED:
        change_status(session, request, RequestStatus.IN_REVIEW, actor=clerk, notice=notice)
    return request


def ask(session: Session, clerk: User, request_id: int, question: str, notice: Notice) -> None:
    """A Rückfrage: the message goes into the applicant's message box, the mail only says so."""
    request = _open(session, clerk, request_id)
    text = question.strip()
    if not text or len(text) > MAX_TEXT:
        raise UsageError(
            f"write the question (1 to {MAX_TEXT} characters)", "review.question", limit=MAX_TEXT
        )
    session.add(ApplicationMessage(request_id=request.id, author_id=clerk.id,
                                   from_staff=True, body=text))  # fmt: skip
    request.assigned_to_id = request.assigned_to_id or clerk.id
    change_status(session, request, RequestStatus.QUERY, actor=clerk, notice=notice)


@dataclass(frozen=True)
class Approval:
    building_file_id: int
    days: int
    may_download: bool = False
    document_ids: list[int] = field(default_factory=list)
    kinds: list[DocumentKind] = field(default_factory=list)
    """Neither documents nor kinds: the whole file."""


def approve(
    session: Session,
    clerk: User,
    request_id: int,
    approval: Approval,
    notice: Notice,
    tz,
    fee: FeeTerms | None = None,
) -> Grant:
    """The grant; with ``fee`` also the fee notice, and unless the schedule says "pay
    afterwards" the grant waits for its payment (``grant.awaiting_payment``)."""
    request = _open(session, clerk, request_id)
    building_file = session.get(BuildingFile, approval.building_file_id)
    if building_file is None:
        raise UsageError(
            "choose the building file the application is for", "review.no_building_file"
        )
    if approval.days < 1:
        raise UsageError("the access must last at least one day", "review.days")
    applicant = session.get(User, request.user_id)
    if applicant is None or not applicant.active:
        raise UsageError("the applicant's account no longer exists", "review.applicant_gone")
    today = dt.datetime.now(tz).date()
    grant = grants.grant_for_days(
        session, applicant, building_file, actor=clerk, first_day=today,
        last_day=today + dt.timedelta(days=approval.days - 1), zone=tz,
        may_download=approval.may_download, document_ids=approval.document_ids,
        kinds=approval.kinds, access_request_id=request.id,
    )  # fmt: skip
    request.building_file_id = building_file.id
    request.assigned_to_id = request.assigned_to_id or clerk.id
    charged = fee_notices.issue(session, clerk, request, grant, fee, tz) if fee else None
    change_status(session, request, RequestStatus.APPROVED, actor=clerk, notice=notice,
                  fee_cents=charged.total_cents if charged else 0,
                  held=grant.awaiting_payment)  # fmt: skip
    return grant


def reject(
    session: Session, clerk: User, request_id: int, reason: str, text: str, notice: Notice
) -> None:
    """Refuse with a reason from the list and the clerk's own words (both shown to the
    applicant)."""
    if reason not in REJECTION_REASONS:
        raise UsageError(f"reason: one of {', '.join(REJECTION_REASONS)}", "review.reason")
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise UsageError("explain the decision in a few words", "review.explain")
    request = _open(session, clerk, request_id)
    request.reason = reason
    change_status(session, request, RequestStatus.REJECTED, actor=clerk, notice=notice, note=text)


def no_file(session: Session, clerk: User, request_id: int, text: str, notice: Notice) -> None:
    """Negativauskunft: the archive holds no file for what the applicant named."""
    request = _open(session, clerk, request_id)
    note = text.strip()[:MAX_TEXT] or None
    change_status(session, request, RequestStatus.NO_FILE, actor=clerk, notice=notice, note=note)


def digitising(
    session: Session, clerk: User, request_id: int, building_file_id: int, notice: Notice
) -> None:
    """The file is on paper: it will be scanned, and its first documents move the
    application back to the clerk (see :func:`documents_arrived`)."""
    request = _open(session, clerk, request_id)
    if session.get(BuildingFile, building_file_id) is None:
        raise UsageError("choose the building file to be scanned", "review.no_building_file")
    request.building_file_id = building_file_id
    request.assigned_to_id = request.assigned_to_id or clerk.id
    change_status(session, request, RequestStatus.DIGITISING, actor=clerk, notice=notice)


def documents_arrived(session: Session, building_file_id: int, notice: Notice) -> int:
    """Documents were added to a file: applications waiting for its scan go back to review.

    Called by whoever adds documents to a file (ingest, the inbox), in the same
    transaction; returns how many applications moved on.
    """
    waiting = session.scalars(
        select(AccessRequest)
        .where(
            AccessRequest.building_file_id == building_file_id,
            AccessRequest.status == RequestStatus.DIGITISING.value,
        )
        .with_for_update()
    ).all()
    for request in waiting:
        change_status(session, request, RequestStatus.IN_REVIEW, actor=None, notice=notice,
                      note="digitised")  # fmt: skip
    return len(waiting)


def _open(session: Session, clerk: Actor, request_id: int) -> AccessRequest:
    request = for_review(session, clerk, request_id, lock=True)
    if request.status not in OPEN_STATUSES:
        raise UsageError("this application is decided already", "application.decided")
    return request
