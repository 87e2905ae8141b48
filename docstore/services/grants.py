"""Granting and revoking an external user's access (the same service for CLI and web)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..models import (
    BuildingFile,
    Document,
    DocumentKind,
    Grant,
    GrantDocument,
    GrantKind,
    User,
    utcnow,
)
from . import audit, days, mail, roles
from .actors import Actor, user_id_of
from .roles import Capability

_ID = re.compile(r"[0-9]{1,18}")
MAX_REASON = 1000


def grant_access(
    session: Session,
    user: User,
    building_file: BuildingFile,
    *,
    actor: Actor,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    may_download: bool = False,
    documents: list[Document] | None = None,
    kinds: list[DocumentKind] | None = None,
    access_request_id: int | None = None,
) -> Grant:
    """Access to the whole file, or only to the listed documents and documents of ``kinds``
    (the latter also when scanned later)."""
    if user.is_staff:
        raise UsageError(
            f"{user.username} is staff ({user.role}) and sees every file already",
            "grant.staff",
            username=user.username,
        )
    roles.require(actor, Capability.GRANT)
    valid_from = valid_from or utcnow()
    if valid_until is not None and valid_until <= valid_from:
        raise UsageError(
            "the grant would end before it starts: choose a later end date", "grant.ends_first"
        )
    for doc in documents or []:
        if doc.building_file_id != building_file.id:
            raise UsageError(
                f"document {doc.id} does not belong to {building_file.aktenzeichen}",
                "grant.foreign_document",
                aktenzeichen=building_file.aktenzeichen,
            )
    grant = Grant(
        user_id=user.id,
        building_file_id=building_file.id,
        valid_from=valid_from,
        valid_until=valid_until,
        may_download=may_download,
        created_by_id=user_id_of(actor),
        access_request_id=access_request_id,
    )
    grant.documents = [GrantDocument(document_id=d.id) for d in documents or []]
    grant.kinds = [GrantKind(kind=DocumentKind(k).value) for k in dict.fromkeys(kinds or [])]
    session.add(grant)
    session.flush()
    audit.record(
        session,
        "grant.create",
        actor=actor,
        target_type="grant",
        target_id=grant.id,
        building_file_id=building_file.id,
        details={
            "user": user.username,
            "aktenzeichen": building_file.aktenzeichen,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "may_download": may_download,
            "documents": sorted(d.id for d in documents or []),
            "kinds": sorted(k.kind for k in grant.kinds),
        },
    )
    return grant


def grant_for_days(
    session: Session,
    user: User,
    building_file: BuildingFile,
    *,
    actor: Actor,
    first_day: dt.date | None,
    last_day: dt.date | None,
    zone: ZoneInfo,
    may_download: bool = False,
    document_ids: Iterable[int | str] = (),
    kinds: Iterable[DocumentKind] = (),
    access_request_id: int | None = None,
) -> Grant:
    """A grant as people ask for one, at the console or in the clerk's form: days (the
    last one inclusive, in the authority's time zone) and the ids of documents of this file.

    An id that names no document of the file is an error, never dropped: the
    clerk would grant less than they meant.
    """
    wanted = {int(v) if _ID.fullmatch(str(v)) else str(v) for v in document_ids}
    docs = [d for d in building_file.documents if d.id in wanted]
    missing = wanted - {d.id for d in docs}
    if missing:
        shown = ", ".join(sorted(map(str, missing)))
        raise UsageError(
            f"documents {shown} are not in {building_file.aktenzeichen}",
            "grant.foreign_document",
            aktenzeichen=building_file.aktenzeichen,
        )
    period = days.period(first_day, last_day, zone)
    return grant_access(
        session,
        user,
        building_file,
        actor=actor,
        valid_from=period.start,
        valid_until=period.end,
        may_download=may_download,
        documents=docs,
        kinds=list(kinds),
        access_request_id=access_request_id,
    )


def state_of(grant: Grant, now: dt.datetime) -> str:
    """``revoked``, ``awaiting_payment``, ``expired``, ``future`` or ``active``: the same
    judgement as :func:`revoke_access` (a grant waiting for its fee is still live: a
    payment opens it from that day on, whatever its end said)."""
    until, start = _aware(grant.valid_until), _aware(grant.valid_from)
    if grant.revoked_at:
        return "revoked"
    if grant.awaiting_payment:
        return "awaiting_payment"
    if until is not None and until <= now:
        return "expired"
    if start is not None and start > now:
        return "future"
    return "active"


@dataclass(frozen=True)
class GrantTerm:
    """A grant as people read it: the days as the clerk entered them, and its state."""

    first_day: dt.date | None
    last_day: dt.date | None
    """The last day it holds, inclusive; None when unlimited."""
    state: str


def term_of(grant: Grant, zone: ZoneInfo, now: dt.datetime | None = None) -> GrantTerm:
    """One reading of a grant's days for the clerk's page and the API alike."""
    return GrantTerm(
        days.first_day(grant.valid_from, zone),
        days.last_day(grant.valid_until, zone),
        state_of(grant, now or dt.datetime.now(dt.UTC)),
    )


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite hands back naive UTC
        return moment.replace(tzinfo=dt.UTC)
    return moment


def revoke_access(
    session: Session,
    user: User,
    building_file: BuildingFile,
    *,
    actor: Actor,
    reason: str = "",
    notify: mail.MailContext | None = None,
) -> int:
    """Revoke every grant of ``user`` on ``building_file`` that gives or may yet give
    access (active, starting later, or waiting for its fee: a payment would open
    that one); returns how many.

    With ``notify``, the person is told by mail (with the reason), so access never ends
    without a word; the console revokes silently unless asked.
    """
    roles.require(actor, Capability.GRANT)
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON or not reason.isprintable():
        raise UsageError(
            f"the reason has at most {MAX_REASON} printable characters",
            "grant.reason",
            limit=MAX_REASON,
        )
    now = utcnow()
    grants = session.scalars(
        select(Grant).where(
            Grant.user_id == user.id,
            Grant.building_file_id == building_file.id,
            Grant.revoked_at.is_(None),
            Grant.awaiting_payment | Grant.valid_until.is_(None) | (Grant.valid_until > now),
        )
    ).all()
    for grant in grants:
        grant.revoked_at = now
        grant.revoked_by_id = user_id_of(actor)
        audit.record(
            session,
            "grant.revoke",
            actor=actor,
            target_type="grant",
            target_id=grant.id,
            building_file_id=building_file.id,
            details={
                "user": user.username,
                "aktenzeichen": building_file.aktenzeichen,
                **({"reason": reason} if reason else {}),
            },
        )
    if grants and notify is not None and user.email:
        mail.queue(session, user, "grant_revoked", notify, aktenzeichen=building_file.aktenzeichen,
                   address=building_file.address, reason=reason)  # fmt: skip
    return len(grants)
