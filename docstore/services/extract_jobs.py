"""The extract worker's side of an order: claim it, say what to print, record the result.

The worker (``ingest.extracts``) claims one order at a time for ``CLAIM``; a
worker that dies leaves the claim to run out, and the next one takes the
order again.  A PDF is stored under its order's fixed key before the order
is marked ready, so a crash in between only makes the same file twice.
After ``MAX_ATTEMPTS`` failed tries the order is marked failed and the
applicant is told to order again; expired PDFs are deleted, their orders kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..extract_models import ExtractOrder, ExtractStatus
from ..models import BuildingFile, Document, Page, User, utcnow
from ..redaction_text import Box
from . import audit, extracts, mail, redactions

CLAIM = dt.timedelta(minutes=15)
RETRY_AFTER = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Stamp:
    """What every page of a stamped extract says about where it came from."""

    aktenzeichen: str
    recipient: str
    day: dt.date
    number: str


@dataclass(frozen=True)
class JobPage:
    sha256: str
    mime_type: str
    number: int
    width_pt: float
    height_pt: float
    regions: tuple[Box, ...] = ()
    """Redacted regions to black out (a stamped extract goes outside the authority)."""


@dataclass(frozen=True)
class Job:
    order_id: int
    stamp: Stamp | None
    """None for staff's unstamped extracts: the pages are copied as they are."""
    pages: tuple[JobPage, ...]
    regions: str = ""
    """The redactions in force on its pages when it was claimed (``redactions.regions_tag``)."""


def claim_next(session: Session, zone: ZoneInfo) -> Job | None:
    """The oldest order waiting to be made, claimed for this worker; None when there is none."""
    now = utcnow()
    while True:
        extract = session.scalar(
            select(ExtractOrder)
            .where(
                ExtractOrder.status == ExtractStatus.QUEUED.value,
                or_(ExtractOrder.claimed_until.is_(None), ExtractOrder.claimed_until <= now),
            )
            .order_by(ExtractOrder.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if extract is None:
            return None
        if extract.attempts < MAX_ATTEMPTS:
            break
        extract.error = extract.error or "the worker stopped while making it"
        _give_up(session, extract)  # every try so far died before it could say so
    extract.attempts += 1
    extract.claimed_until = now + CLAIM
    return job_of(session, extract, zone)


A4_POINTS = (595.0, 842.0)


def document_pages(document: Document, regions: dict[int, tuple[Box, ...]]) -> tuple[JobPage, ...]:
    """Every page of ``document`` for a copy, with its regions to black out (page number ->
    regions, as ``redactions.regions_by_page`` gives them)."""
    pages = []
    for page in document.pages:
        width, height = extracts.page_points(page)
        if width <= 0 or height <= 0:
            width, height = A4_POINTS  # a page whose size was never read
        pages.append(JobPage(document.blob_sha256, document.blob.mime_type or "", page.number,
                             width, height, regions.get(page.number, ())))  # fmt: skip
    return tuple(pages)


def job_of(session: Session, extract: ExtractOrder, zone: ZoneInfo) -> Job:
    building_file = session.get(BuildingFile, extract.building_file_id)
    stamp = Stamp(
        aktenzeichen=building_file.aktenzeichen,
        recipient=extract.recipient,
        day=extract.created_at.astimezone(zone).date(),
        number=extract.number,
    )
    pages = []
    for item in extract.pages:
        if item.left_out is not None:
            continue
        page = session.get(Page, item.page_id)
        document = session.get(Document, item.document_id)
        width, height = extracts.page_points(page)
        hidden = redactions.regions(session, page.id, actor=None) if extract.stamped else ()
        pages.append(JobPage(document.blob_sha256, document.blob.mime_type or "",
                             item.number, width, height, hidden))  # fmt: skip
    hidden_tag = redactions.regions_tag(session, [p.page_id for p in extract.pages])
    return Job(extract.id, stamp if extract.stamped else None, tuple(pages), hidden_tag)


def finished(
    session: Session,
    order_id: int,
    *,
    key: str,
    size: int,
    sha256: str,
    days: int,
    zone: ZoneInfo,
    context: mail.MailContext,
    pay_afterwards: bool,
    regions: str = "",
) -> None:
    """The PDF is stored: the link opens (once paid) for ``days`` whole days.  ``regions``:
    the job's tag of the redactions it was made with."""
    extract = session.get(ExtractOrder, order_id, with_for_update=True)
    if extract is None or extract.status != ExtractStatus.QUEUED.value:
        return  # another worker finished it while this one was slow
    now = utcnow()
    if extract.stamped and redactions.regions_tag(session, [p.page_id for p in extract.pages]
                                                  ) != regions:  # fmt: skip
        # a page's redactions changed while it was made: once more, and not as a failed try
        extract.claimed_until, extract.attempts = None, max(extract.attempts - 1, 0)
        return
    last_day = now.astimezone(zone).date() + dt.timedelta(days=days)
    extract.status = ExtractStatus.READY.value
    extract.ready_at = now
    extract.expires_at = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(),
                                             tzinfo=zone).astimezone(dt.UTC)  # fmt: skip
    extract.object_key, extract.size, extract.sha256 = key, size, sha256
    extract.claimed_until = None
    audit.record(session, "extract.ready", actor=None, target_type="extract",
                 target_id=extract.id, building_file_id=extract.building_file_id,
                 details={"size": size, "sha256": sha256})  # fmt: skip
    user = session.get(User, extract.user_id)
    if user is not None and user.email and user.deleted_at is None:
        unpaid = extracts.waits_for_payment(session, extract, pay_afterwards)
        included = sum(1 for p in extract.pages if p.left_out is None)
        aktenzeichen = session.get(BuildingFile, extract.building_file_id).aktenzeichen
        mail.queue(session, user, "extract_ready", context, number=extract.number,
                   id=extract.id, aktenzeichen=aktenzeichen, pages=included, unpaid=unpaid,
                   until=last_day.strftime("%d.%m.%Y"), days=days)  # fmt: skip


def failed(session: Session, order_id: int, reason: str) -> bool:
    """A try failed; True when the order is given up (after ``MAX_ATTEMPTS``)."""
    extract = session.get(ExtractOrder, order_id, with_for_update=True)
    if extract is None or extract.status != ExtractStatus.QUEUED.value:
        return False
    extract.error = reason[:2000]
    if extract.attempts < MAX_ATTEMPTS:
        extract.claimed_until = utcnow() + RETRY_AFTER
        return False
    _give_up(session, extract)
    return True


def _give_up(session: Session, extract: ExtractOrder) -> None:
    extract.status = ExtractStatus.FAILED.value
    extract.claimed_until = None
    audit.record(session, "extract.failed", actor=None, target_type="extract",
                 target_id=extract.id, building_file_id=extract.building_file_id,
                 details={"attempts": extract.attempts})  # fmt: skip


def expire_due(session: Session, *, pay_afterwards: bool) -> list[tuple[int, str | None]]:
    """Orders whose link ran out, with the key of their PDF to delete; the worker deletes it
    and then calls :func:`expired` (a crash in between finds them again next time).

    An extract whose fee is still open is kept: paying it starts its link
    (``extracts.start_link``); a cancelled notice lets it expire.
    """
    stmt = select(ExtractOrder).where(
        ExtractOrder.status == ExtractStatus.READY.value, ExtractOrder.expires_at <= utcnow()
    )
    return [
        (extract.id, extract.object_key)
        for extract in session.scalars(stmt)
        if not extracts.waits_for_payment(session, extract, pay_afterwards)
    ]


def expired(session: Session, order_ids: list[int]) -> None:
    for extract in session.scalars(select(ExtractOrder).where(ExtractOrder.id.in_(order_ids))):
        extract.status = ExtractStatus.EXPIRED.value
        extract.object_key = None
