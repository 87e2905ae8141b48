"""The applicant's side of an application to inspect a building file (Antrag auf Akteneinsicht).

An applicant sees only their own applications, and never which building
file the clerk matched until a grant follows: the answer to "does the archive
hold a file for this address?" is the authority's to give.  Every step is an
audit event (naming the application, never the applicant's details) and a
mail in the applicant's language that only says what changed; the text of
a clerk's message stays in the portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import PermissionDenied, UsageError
from ..models import (
    OPEN_STATUSES,
    AccessRequest,
    AccessRequestEvent,
    ApplicationMessage,
    ApplicationProof,
    Grant,
    Legitimation,
    RequestStatus,
    User,
    utcnow,
)
from . import audit, mail
from .archive import Hidden

NEEDS_PROOF = frozenset({Legitimation.OWNER, Legitimation.AUTHORIZED, Legitimation.MANAGEMENT})
"""Who must show a document: the land-register extract, the power of attorney, the contract."""
MAX_TEXT = 4000


class ApplicationProblem(UsageError):
    """What is wrong with an application form; ``field`` names the form field."""

    def __init__(self, field: str, message: str, code: str = "", **params: object) -> None:
        super().__init__(message, code or f"application.{field}", **params)
        self.field = field


@dataclass(frozen=True)
class StoredProof:
    """A proof already checked and stored by the ingest side (see ``ingest.proofs``)."""

    sha256: str
    name: str
    media_type: str
    size: int
    active_content: bool = False


@dataclass(frozen=True)
class Application:
    """What the applicant filled in."""

    legitimation: Legitimation
    purpose: str
    street: str = ""
    house_number: str = ""
    postcode: str = ""
    gemarkung: str = ""
    flur: str = ""
    flurstueck: str = ""
    aktenzeichen: str = ""
    interest: str = ""
    chamber_number: str = ""
    proofs: list[StoredProof] = field(default_factory=list)


@dataclass(frozen=True)
class Notice:
    """What every status mail needs: the sender details and the usual processing time."""

    context: mail.MailContext
    processing_days: int = 10


def notice_of(config) -> Notice:
    """The instance's sender details and ``processing_days``."""
    return Notice(mail.context_of(config), config.processing_days)


def _clean(text: str, limit: int, field_name: str) -> str:
    value = " ".join(text.split()) if limit <= 200 else text.strip()
    if len(value) > limit or any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise ApplicationProblem(
            field_name,
            f"{field_name}: at most {limit} characters",
            "application.too_long",
            limit=limit,
        )
    return value


def subject_of(a: Application) -> str:
    """The one line that names the building, as the applicant gave it."""
    parts = []
    if a.street:
        place = f"{a.street} {a.house_number}".strip()
        parts.append(f"{place}, {a.postcode}".rstrip(", ") if a.postcode else place)
    if a.flurstueck:
        parcel = f"Gemarkung {a.gemarkung}, " if a.gemarkung else ""
        parcel += f"Flur {a.flur}, " if a.flur else ""
        parts.append(f"{parcel}Flurstück {a.flurstueck}")
    if a.aktenzeichen:
        parts.append(f"Az. {a.aktenzeichen}")
    return "; ".join(parts)


def check(a: Application, known_street=None, *, proofs_offered: int | None = None) -> Application:
    """The cleaned application, or :class:`ApplicationProblem` for the first wrong field.

    ``proofs_offered`` counts uploads not yet stored: the web and API forms check every
    field before a proof is written anywhere (so a wrong form never costs disk).
    """
    values = {
        "street": _clean(a.street, 200, "street"),
        "house_number": _clean(a.house_number, 20, "house_number"),
        "postcode": _clean(a.postcode, 10, "postcode"),
        "gemarkung": _clean(a.gemarkung, 100, "gemarkung"),
        "flur": _clean(a.flur, 20, "flur"),
        "flurstueck": _clean(a.flurstueck, 40, "flurstueck"),
        "aktenzeichen": _clean(a.aktenzeichen, 40, "aktenzeichen"),
        "chamber_number": _clean(a.chamber_number, 50, "chamber_number"),
        "purpose": _clean(a.purpose, MAX_TEXT, "purpose"),
        "interest": _clean(a.interest, MAX_TEXT, "interest"),
    }
    checked = Application(a.legitimation, proofs=a.proofs, **values)
    has_proofs = bool(a.proofs) if proofs_offered is None else proofs_offered > 0
    if checked.street and not checked.house_number:
        raise ApplicationProblem("house_number", "give the house number too")
    if not (checked.street or checked.flurstueck or checked.aktenzeichen):
        raise ApplicationProblem(
            "building", "name the building: street and house number, a parcel, or the file number"
        )
    if checked.street and known_street is not None and not known_street(checked.street):
        raise ApplicationProblem(
            "street", f"no street {checked.street!r} in this city", street=checked.street
        )
    if not checked.purpose:
        raise ApplicationProblem("purpose", "say what you need the file for")
    if checked.legitimation in NEEDS_PROOF and not has_proofs:
        raise ApplicationProblem("proofs", "add the document that shows your right to see the file")
    if checked.legitimation is Legitimation.ARCHITECT and not checked.chamber_number:
        raise ApplicationProblem("chamber_number", "give your chamber membership number")
    if checked.legitimation is Legitimation.LEGITIMATE_INTEREST and not checked.interest:
        raise ApplicationProblem("interest", "explain your legitimate interest")
    return checked


def submit(
    session: Session,
    applicant: User,
    application: Application,
    notice: Notice,
    *,
    known_street=None,
) -> AccessRequest:
    """File the application; ``known_street`` (street -> bool) checks against the city's list."""
    if applicant.is_staff or not applicant.active:
        raise PermissionDenied(
            "applications are made by citizens and architects", "application.staff"
        )
    a = check(application, known_street)
    request = AccessRequest(
        user_id=applicant.id,
        subject=subject_of(a),
        street=a.street or None,
        house_number=a.house_number or None,
        postcode=a.postcode or None,
        gemarkung=a.gemarkung or None,
        flur=a.flur or None,
        flurstueck=a.flurstueck or None,
        aktenzeichen=a.aktenzeichen or None,
        purpose=a.purpose,
        legitimation=a.legitimation.value,
        interest=a.interest or None,
        chamber_number=a.chamber_number or None,
        status=RequestStatus.SUBMITTED.value,
    )
    request.proofs = [ApplicationProof(**vars(p)) for p in a.proofs]
    session.add(request)
    session.flush()
    details = {"legitimation": a.legitimation.value, "proofs": len(a.proofs)}
    audit.record(session, "application.submit", actor=applicant, target_type="application",
                 target_id=request.id, details=details)  # fmt: skip
    change_status(session, request, RequestStatus.SUBMITTED, actor=applicant, notice=notice)
    return request


def change_status(
    session: Session,
    request: AccessRequest,
    status: RequestStatus,
    *,
    actor: User | None,
    notice: Notice | None,
    note: str | None = None,
    fee_cents: int = 0,
    held: bool = False,
) -> None:
    """Record a step in the visible history and tell the applicant by mail (unless ``notice``
    is None: the applicant is deleting the account).  ``fee_cents`` and ``held``: an
    approval's fee, and whether the access waits for it."""
    request.status = status.value
    request.updated_at = utcnow()
    session.add(
        AccessRequestEvent(
            request_id=request.id,
            status=status.value,
            actor_id=actor.id if actor else None,
            note=note,
        )
    )
    if status is not RequestStatus.SUBMITTED:
        audit.record(session, f"application.{status.value}", actor=actor,
                     target_type="application", target_id=request.id,
                     building_file_id=request.building_file_id)  # fmt: skip
    applicant = session.get(User, request.user_id)
    if notice and applicant and applicant.email and applicant.deleted_at is None:
        mail.queue(session, applicant, "status", notice.context, number=request.number,
                   subject=request.subject, status=status.value,
                   days=notice.processing_days, fee_cents=fee_cents, held=held)  # fmt: skip


def locked_get(session: Session, request_id: int) -> AccessRequest | None:
    """The application read afresh with ``SELECT … FOR UPDATE`` (SQLite's writer lock does
    the same there)."""
    return session.get(AccessRequest, request_id, with_for_update=True, populate_existing=True)


def access_held(session: Session, request: AccessRequest) -> bool:
    """Approved, but its access waits for the fee (the status page says so)."""
    stmt = select(Grant.id).where(
        Grant.access_request_id == request.id,
        Grant.awaiting_payment.is_(True),
        Grant.revoked_at.is_(None),
    )
    return session.scalar(stmt.limit(1)) is not None  # fmt: skip


def own_applications(session: Session, applicant: User) -> list[AccessRequest]:
    stmt = (
        select(AccessRequest)
        .where(AccessRequest.user_id == applicant.id)
        .order_by(AccessRequest.id.desc())
    )
    return list(session.scalars(stmt))


def own_application(
    session: Session, applicant: User, request_id: int, *, lock: bool = False
) -> AccessRequest:
    """The applicant's own application; anyone else's is as if it did not exist.

    ``lock`` holds the row for a change of status: on PostgreSQL a withdrawal and the
    clerk's approval of the same application then run one after the other, and the
    second sees the first's status (instead of both succeeding).
    """
    request = locked_get(session, request_id) if lock else session.get(AccessRequest, request_id)
    if request is None or request.user_id != applicant.id:
        raise Hidden(f"application {request_id} not found")
    return request


def own_proof(session: Session, applicant: User, request_id: int, proof_id: int):
    request = own_application(session, applicant, request_id)
    for proof in request.proofs:
        if proof.id == proof_id:
            return proof
    raise Hidden(f"proof {proof_id} not found")


def withdraw_all(session: Session, applicant: User) -> int:
    """The account is being deleted: its open applications end, withdrawn, without mail.

    Decided ones stay as the authority's record of its decision (with their texts and
    proofs, under the pseudonymised account) for the retention the authority's rules set.
    """
    stmt = select(AccessRequest).where(
        AccessRequest.user_id == applicant.id,
        AccessRequest.status.in_([s.value for s in OPEN_STATUSES]),
    )
    pending = session.scalars(stmt.with_for_update()).all()
    for request in pending:
        change_status(session, request, RequestStatus.WITHDRAWN, actor=applicant, notice=None,
                      note="account deleted")  # fmt: skip
    return len(pending)


def withdraw(session: Session, applicant: User, request_id: int, notice: Notice) -> None:
    request = own_application(session, applicant, request_id, lock=True)
    if request.status not in OPEN_STATUSES:
        raise UsageError("this application is decided already", "application.decided")
    change_status(session, request, RequestStatus.WITHDRAWN, actor=applicant, notice=notice)


def open_question(session: Session, applicant: User, request_id: int) -> AccessRequest:
    """The own application waiting for an answer (locked); checked before proofs are stored."""
    request = own_application(session, applicant, request_id, lock=True)
    if request.status != RequestStatus.QUERY:
        raise UsageError("there is no question to answer", "application.no_question")
    return request


def answer(
    session: Session,
    applicant: User,
    request_id: int,
    text: str,
    proofs: list[StoredProof],
    notice: Notice,
) -> None:
    """The applicant's answer to a Rückfrage: the application goes back to the clerk."""
    request = open_question(session, applicant, request_id)
    body = _clean(text, MAX_TEXT, "answer")
    if not body and not proofs:
        raise ApplicationProblem("answer", "write an answer or add a document")
    session.add(ApplicationMessage(request_id=request.id, author_id=applicant.id,
                                   from_staff=False, body=body))  # fmt: skip
    for p in proofs:
        request.proofs.append(ApplicationProof(**vars(p)))
    audit.record(session, "application.answer", actor=applicant, target_type="application",
                 target_id=request.id, details={"proofs": len(proofs)})  # fmt: skip
    change_status(session, request, RequestStatus.IN_REVIEW, actor=applicant, notice=notice)


def mark_read(session: Session, applicant: User, request: AccessRequest) -> None:
    """The applicant opened the application: the clerk's messages count as read."""
    if request.user_id != applicant.id:
        return
    now = utcnow()
    for message in request.messages:
        if message.from_staff and message.read_at is None:
            message.read_at = now


def unread_messages(request: AccessRequest) -> int:
    return sum(1 for m in request.messages if m.from_staff and m.read_at is None)
