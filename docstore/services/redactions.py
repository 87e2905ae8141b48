"""Redaction: regions of a page (a neighbour's name, a signature, bank details) that people
outside the authority never receive, in any image, text, search or copy.

A clerk marks a region with a reason; from then on :func:`regions` gives it to
every route that sends that page's pixels to an external user, and the page's
``redacted_text`` (the words under its regions left out) replaces its text for
them: on the page, in the API, in the search index (a second, public version
of the page), in snippets and hit boxes.  Staff see the page whole, and the
regions with who set them and why (:func:`history`).  Setting and lifting are
audit events; a region is lifted, never deleted.

The word boxes come from the caller (the viewer reads them from the store):
this layer decides which words a region hides, not where they are kept.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFound, PermissionDenied, UsageError
from ..extract_models import ExtractOrder, ExtractPage, ExtractStatus
from ..models import Document, Page, User, utcnow
from ..redaction_models import Redaction
from ..redaction_text import Box, public_text
from . import audit, outbox, roles
from .actors import Actor, Console
from .roles import Capability

MAX_REASON = 500
MAX_PER_PAGE = 200


def can_see_unredacted(actor: Actor | None) -> bool:
    """Staff (and the console) see pages whole; everyone else sees them redacted."""
    if isinstance(actor, Console):
        return True
    return actor is not None and actor.active and actor.is_staff


def regions(session: Session, page_id: int, *, actor: Actor | None) -> tuple[Box, ...]:
    """The regions to black out of ``page_id`` for ``actor`` (none for staff)."""
    if can_see_unredacted(actor):
        return ()
    return tuple(_box(r) for r in session.scalars(_active().where(Redaction.page_id == page_id)))


def regions_by_page(
    session: Session, document_id: int, *, actor: Actor | None
) -> dict[int, tuple[Box, ...]]:
    """Page number -> regions to black out for ``actor``, for the pages that have any."""
    if can_see_unredacted(actor):
        return {}
    rows = session.execute(
        _active(Page.number)
        .join(Page, Page.id == Redaction.page_id)
        .where(Page.document_id == document_id)
    ).all()
    found: dict[int, tuple[Box, ...]] = {}
    for redaction, number in rows:
        found[number] = (*found.get(number, ()), _box(redaction))
    return found


def text_for(page: Page, *, actor: Actor | None) -> str:
    """The page's text as ``actor`` may read it."""
    if page.redacted_text is None or can_see_unredacted(actor):
        return page.text
    return page.redacted_text


def history(session: Session, document_id: int, number: int, *, actor: Actor) -> list[Redaction]:
    """Every region set on the page, lifted ones too, oldest first (staff only: they see
    what was redacted, by whom and why)."""
    if not can_see_unredacted(actor):
        raise PermissionDenied(
            "only the authority's staff see what was redacted", "redaction.staff"
        )
    page = _page(session, document_id, number)
    stmt = (
        select(Redaction)
        .where(Redaction.page_id == page.id)
        .options(selectinload(Redaction.created_by), selectinload(Redaction.removed_by))
        .order_by(Redaction.id)
    )
    return list(session.scalars(stmt))


def add(
    session: Session,
    document_id: int,
    number: int,
    box: Box,
    reason: str,
    words: Sequence[Sequence],
    *,
    actor: Actor,
) -> Redaction:
    """Black out ``box`` on the page for external users, with the clerk's reason."""
    roles.require(actor, Capability.REDACT)
    page = _page(session, document_id, number)
    reason = " ".join(reason.split())
    if not reason.isprintable():
        raise UsageError("the reason may not hold control characters", "redaction.reason")
    if not reason or len(reason) > MAX_REASON:
        raise UsageError(
            f"give the reason for the redaction (up to {MAX_REASON} characters)",
            "redaction.reason",
        )
    if len(_active_on(session, page.id)) >= MAX_PER_PAGE:
        raise UsageError(
            f"a page holds at most {MAX_PER_PAGE} redactions",
            "redaction.too_many",
            limit=MAX_PER_PAGE,
        )
    redaction = Redaction(
        page_id=page.id, reason=reason, created_by_id=_user_id(actor),
        left=box.left, top=box.top, width=box.width, height=box.height,
    )  # fmt: skip
    session.add(redaction)
    session.flush()
    _refresh(session, page, words)
    _remake_extracts(session, page, redaction)
    _record(session, "redaction.add", actor, page, redaction,
            {"box": [box.left, box.top, box.width, box.height], "reason": reason})  # fmt: skip
    return redaction


def lift(
    session: Session, redaction_id: int, words: Sequence[Sequence], *, actor: Actor
) -> Redaction:
    """The region is shown again to external users; it stays on record."""
    roles.require(actor, Capability.REDACT)
    redaction = session.get(Redaction, redaction_id)
    if redaction is not None:  # the page locked first, as in add()
        _page(session, redaction.page.document_id, redaction.page.number)
        session.refresh(redaction)
    if redaction is None or redaction.removed_at is not None:
        raise NotFound(f"redaction {redaction_id} not found or already lifted")
    redaction.removed_at = utcnow()
    redaction.removed_by_id = _user_id(actor)
    session.flush()
    _refresh(session, redaction.page, words)
    _record(session, "redaction.lift", actor, redaction.page, redaction, {})
    return redaction


def page_of_redaction(session: Session, redaction_id: int, *, actor: Actor) -> Page:
    """The page a redaction lies on (for a clerk about to lift it)."""
    roles.require(actor, Capability.REDACT)
    redaction = session.get(Redaction, redaction_id)
    if redaction is None:
        raise NotFound(f"redaction {redaction_id} not found")
    return redaction.page


def regions_tag(session: Session, page_ids: Sequence[int]) -> str:
    """The regions in force on these pages, as a tag: an extract made with another tag than
    the pages have when it is finished was made before a change, and is made again."""
    rows = session.scalars(
        _active().where(Redaction.page_id.in_(page_ids)).order_by(Redaction.page_id)
    )
    return "|".join(f"{r.page_id}:{r.left},{r.top},{r.width},{r.height}" for r in rows)


def _refresh(session: Session, page: Page, words: Sequence[Sequence]) -> None:
    """The page's public text from its active regions; the index learns of it."""
    boxes = [_box(r) for r in _active_on(session, page.id)]
    page.redacted_text = public_text(page.text, words, boxes) if boxes else None
    outbox.enqueue(session, page.document_id)


def _remake_extracts(session: Session, page: Page, redaction: Redaction) -> None:
    """A stamped extract already made with this page goes outside the authority: it is made
    again with the region blacked out, and cannot be downloaded until then."""
    orders = session.scalars(
        select(ExtractOrder)
        .join(ExtractPage, ExtractPage.order_id == ExtractOrder.id)
        .where(
            ExtractPage.page_id == page.id,
            ExtractPage.left_out.is_(None),
            ExtractOrder.stamped.is_(True),
            ExtractOrder.status == ExtractStatus.READY.value,
            or_(ExtractOrder.expires_at.is_(None), ExtractOrder.expires_at > utcnow()),
        )
    ).unique()
    for order in orders:
        order.status = ExtractStatus.QUEUED.value
        order.attempts, order.claimed_until = 0, None
        audit.record(session, "extract.remake", actor=None, target_type="extract",
                     target_id=order.id, building_file_id=order.building_file_id,
                     details={"redaction": redaction.id})  # fmt: skip


def _record(
    session: Session, action: str, actor: Actor, page: Page, redaction: Redaction, details: dict
) -> None:
    document = page.document
    audit.record(session, action, actor=actor, target_type="document", target_id=document.id,
                 building_file_id=document.building_file_id,
                 details={"redaction": redaction.id, "page": page.number, **details})  # fmt: skip


def _active(*also):
    return select(Redaction, *also).where(Redaction.removed_at.is_(None)).order_by(Redaction.id)


def _active_on(session: Session, page_id: int) -> list[Redaction]:
    return list(session.scalars(_active().where(Redaction.page_id == page_id)))


def _box(redaction: Redaction) -> Box:
    return Box(redaction.left, redaction.top, redaction.width, redaction.height)


def _page(session: Session, document_id: int, number: int) -> Page:
    """The page, locked: two clerks redacting it at once each see the other's region when
    they rebuild its public text (else the last to commit would drop the other's words)."""
    page = session.scalar(
        select(Page).where(Page.document_id == document_id, Page.number == number).with_for_update()
    )
    if page is None or session.get(Document, document_id) is None:
        raise NotFound(f"page {number} of document {document_id} not found")
    return page


def _user_id(actor: Actor) -> int | None:
    return actor.id if isinstance(actor, User) else None
