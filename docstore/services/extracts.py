"""Extracts (Aktenauszüge): which pages a user may order, what they cost, when they may be had.

An external user orders pages of the documents their grants let them
download; every page of their extract is stamped (Aktenzeichen, their name,
the date, "Nur zur Einsichtnahme"); plans go out only with the author's
consent or the user's § 45 UrhG declaration, else they are left out and the
order says why.  Staff may order any pages, unstamped if they wish, free of
charge.  The PDF is made later by the extract worker (``ingest.extracts``);
its link lasts ``extract_link_days`` and, for a fee not yet paid, opens when
it is.  A grant that ends closes the extract too: it is a copy of pages the
user may no longer download.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import fees, payment_reference
from ..errors import UsageError
from ..extract_models import ExtractOrder, ExtractPage, ExtractStatus, LeftOut
from ..fee_models import FeeNotice, NoticeStatus
from ..fees import FeeCode, FeeItem, FeeSchedule
from ..models import BuildingFile, Document, Page, User, utcnow
from . import access, archive, audit, plan_consents
from .archive import Forbidden, Hidden
from .fee_notices import Letterhead, NoticeLetter, Printer, recipient_lines

ASSUMED_DPI = 300
"""For a scan that does not say its resolution (the common scanning default)."""


class NotReady(UsageError):
    """The extract exists but cannot be had yet: still being made, or its fee is open."""


class Expired(UsageError):
    """The extract's link ran out (or it could not be made); order it again."""


@dataclass(frozen=True)
class Selection:
    """Pages of one document; none named means all of them."""

    document_id: int
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrderTerms:
    """What an order needs from the instance's settings."""

    schedule: FeeSchedule
    letterhead: Letterhead
    printer: Printer
    plan_kinds: frozenset[str]
    max_pages: int
    zone: ZoneInfo


MAX_PAGES_TEXT = 500
"""Characters of a page list (``1-3, 5, …``): a person never needs more."""
MAX_SELECTIONS = 1000


def parse_pages(text: str, page_count: int) -> tuple[int, ...]:
    """Pages as people write them: ``1-3, 5`` (empty: all).  Out of range is an error."""
    if len(text) > MAX_PAGES_TEXT:
        raise UsageError(
            f"write the pages in at most {MAX_PAGES_TEXT} characters",
            "extract.pages_text",
            limit=MAX_PAGES_TEXT,
        )
    numbers: dict[int, None] = {}
    for part in text.replace(";", ",").split(","):
        part = part.strip().replace("–", "-")
        if not part:
            continue
        first, dash, last = (p.strip() for p in part.partition("-"))
        if not _digits(first) or (dash and not _digits(last)):
            raise UsageError(
                f"'{part}' is not a page or a range of pages such as 2-4",
                "extract.not_pages",
                part=part,
            )
        low, high = int(first), int(last) if dash else int(first)
        if not 1 <= low <= high <= page_count:
            raise UsageError(
                f"choose pages between 1 and {page_count}, not {part}",
                "extract.page_range",
                count=page_count,
                part=part,
            )
        numbers.update(dict.fromkeys(range(low, high + 1)))
    return tuple(numbers)


def _digits(text: str) -> bool:
    """ASCII digits only: '²' passes ``str.isdigit`` but ``int()`` refuses it."""
    return text.isascii() and text.isdigit() and len(text) <= 9


@dataclass(frozen=True)
class Choices:
    """What the order form offers: the documents of a file the user may copy, and which of
    them are plans that go out only with the § 45 UrhG declaration."""

    building_file: BuildingFile
    documents: list[Document]
    needs_declaration: frozenset[int]


def choices(
    session: Session, user: User, building_file_id: int, plan_kinds: frozenset[str]
) -> Choices:
    bf, documents = archive.open_building_file(session, user, building_file_id)
    visible = access.visibility(session, user)
    documents = [d for d in documents if d.page_count and visible.covers_download(d)]
    pairs = [(d, ()) for d in documents]
    declare = _plans_left_out(session, user, pairs, plan_kinds, declared=False)
    return Choices(bf, documents, frozenset(declare))


def selections_of(
    documents: list[Document], chosen: list[int], pages: Callable[[int], str]
) -> list[Selection]:
    """The form's choice as selections: ``chosen`` ids of ``documents`` (the file's, as the
    form showed them), each with the page list ``pages(id)``; another id is not there."""
    by_id = {d.id: d for d in documents}
    selections = []
    for document_id in chosen:
        if document_id not in by_id:
            raise Hidden(f"document {document_id} not found")
        selections.append(
            Selection(document_id, parse_pages(pages(document_id), by_id[document_id].page_count))
        )
    return selections


def order(
    session: Session,
    user: User,
    selections: list[Selection],
    terms: OrderTerms,
    *,
    proceedings_declared: bool = False,
    stamped: bool = True,
) -> ExtractOrder:
    """Record an extract order (and its fee notice); the worker makes the PDF.

    A document the user may not see is :class:`Hidden`, one they may only
    view is :class:`Forbidden`: nothing is recorded then.
    """
    if user is None or not user.active:
        raise Hidden("nothing to extract")
    if not stamped and not user.is_staff:
        raise Forbidden(
            "only the authority's staff make extracts without the stamp", "extract.unstamped"
        )
    documents = _documents(session, user, selections)
    building_file_id = documents[0][0].building_file_id
    wanted = [(doc, n) for doc, numbers in documents for n in numbers]
    if len(wanted) > terms.max_pages:
        raise UsageError(
            f"an extract has at most {terms.max_pages} pages: choose fewer",
            "extract.too_many_pages",
            limit=terms.max_pages,
        )
    pages = _pages(session, wanted)
    left_out = _plans_left_out(session, user, documents, terms.plan_kinds, proceedings_declared)
    if all(doc.id in left_out for doc, _ in wanted):
        raise UsageError(
            "every page you chose is a plan whose author has not consented to copies: "
            "declare that the copy is for proceedings before an authority (§ 45 UrhG), "
            "or ask the authority to obtain the author's consent",
            "extract.only_plans",
        )
    extract = ExtractOrder(
        user_id=user.id, building_file_id=building_file_id, stamped=stamped,
        recipient=(user.display_name or user.username)[:200],
        proceedings_declared=proceedings_declared,
    )  # fmt: skip
    for position, (doc, number) in enumerate(wanted, 1):
        page = pages[(doc.id, number)]
        extract.pages.append(ExtractPage(
            position=position, document_id=doc.id, page_id=page.id, number=number,
            left_out=LeftOut.PLAN_WITHOUT_CONSENT.value if doc.id in left_out else None,
        ))  # fmt: skip
    session.add(extract)
    session.flush()
    included = [pages[(d.id, n)] for d, n in wanted if d.id not in left_out]
    notice = None if user.is_staff else _notice(session, user, extract, included, terms)
    extract.fee_notice_id = notice.id if notice else None
    audit.record(session, "extract.order", actor=user, target_type="extract",
                 target_id=extract.id, building_file_id=building_file_id,
                 details={"pages": len(included), "left_out": len(wanted) - len(included),
                          "stamped": stamped, "declared": proceedings_declared,
                          "fee_cents": notice.total_cents if notice else 0})  # fmt: skip
    return extract


def _documents(
    session: Session, user: User, selections: list[Selection]
) -> list[tuple[Document, tuple[int, ...]]]:
    if not selections:
        raise UsageError("choose at least one document for the extract", "extract.none")
    if len(selections) > MAX_SELECTIONS:
        raise UsageError(
            f"choose at most {MAX_SELECTIONS} documents", "extract.too_many", limit=MAX_SELECTIONS
        )
    visible = access.visibility(session, user)
    chosen: dict[int, tuple[Document, dict[int, None]]] = {}
    for sel in selections:
        doc = session.get(Document, sel.document_id)
        if doc is None or not visible.covers(doc):
            raise Hidden(f"document {sel.document_id} not found")
        if not visible.covers_download(doc):
            raise Forbidden(
                f"your access to document {doc.id} allows viewing only, not copies",
                "archive.view_only",
            )
        if doc.building_file_id is None:
            raise UsageError(
                f"document {doc.id} belongs to no building file yet", "extract.unfiled"
            )
        if doc.page_count < 1:
            raise UsageError(f"document {doc.id} has no pages", "extract.no_pages")
        numbers = sel.pages or tuple(range(1, doc.page_count + 1))
        if any(not 1 <= n <= doc.page_count for n in numbers):
            raise UsageError(
                f"document {doc.id} has pages 1 to {doc.page_count}",
                "extract.page_range",
                count=doc.page_count,
                part="",
            )
        chosen.setdefault(doc.id, (doc, {}))[1].update(dict.fromkeys(numbers))
    files = {doc.building_file_id for doc, _ in chosen.values()}
    if len(files) > 1:
        raise UsageError(
            "an extract is made from one building file: order one per file", "extract.one_file"
        )
    return [(doc, tuple(numbers)) for doc, numbers in chosen.values()]


def _pages(session: Session, wanted: list[tuple[Document, int]]) -> dict[tuple[int, int], Page]:
    ids = {doc.id for doc, _ in wanted}
    rows = session.scalars(select(Page).where(Page.document_id.in_(ids)))
    pages = {(p.document_id, p.number): p for p in rows}
    missing = [f"{d.id}/{n}" for d, n in wanted if (d.id, n) not in pages]
    if missing:
        raise UsageError(
            f"page {missing[0]} is not registered: ask the authority",
            "extract.unregistered",
            page=missing[0],
        )
    return pages


def _plans_left_out(
    session: Session,
    user: User,
    documents: list[tuple[Document, tuple[int, ...]]],
    plan_kinds: frozenset[str],
    declared: bool,
) -> set[int]:
    """The plans an external user's extract leaves out: no consent and no declaration."""
    if user.is_staff or declared:
        return set()
    plans = [doc.id for doc, _ in documents if doc.kind in plan_kinds]
    return set(plans) - plan_consents.consented(session, plans)


def page_points(page: Page) -> tuple[float, float]:
    """A page's size in PDF points (1/72 inch), from its pixels and resolution."""
    dpi = page.dpi or ASSUMED_DPI
    return ((page.width_px or 0) * 72 / dpi, (page.height_px or 0) * 72 / dpi)


def _notice(
    session: Session, user: User, extract: ExtractOrder, pages: list[Page], terms: OrderTerms
) -> FeeNotice | None:
    """The fee per page (A4/A3 by size); free for an authority's address, None when 0."""
    schedule = terms.schedule
    items = fees.extract(schedule, [page_points(p) for p in pages])
    if items and fees.exemption(schedule, "", user.email) is not None:
        items.append(FeeItem(FeeCode.EXEMPTION, 1, -fees.total(items)))
    total = fees.total(items)
    if total == 0:
        return None
    today = dt.datetime.now(terms.zone).date()
    aktenzeichen = session.get(BuildingFile, extract.building_file_id).aktenzeichen
    notice = FeeNotice(
        user_id=user.id, items=[i.as_dict() for i in items], total_cents=total,
        recipient="\n".join(recipient_lines(user)), aktenzeichen=aktenzeichen,
        due_on=today + dt.timedelta(days=schedule.due_days),
    )  # fmt: skip
    session.add(notice)
    session.flush()
    notice.reference = payment_reference.make(notice.id)
    letter = NoticeLetter(
        letterhead=terms.letterhead, number=notice.id, reference=notice.reference,
        issued_on=today, due_on=notice.due_on, recipient=tuple(notice.recipient.splitlines()),
        application=extract.number, subject=f"{len(pages)} Seiten",
        aktenzeichen=aktenzeichen, items=tuple(items), total_cents=total,
        pay_afterwards=schedule.pay_afterwards, kind="extract",
    )  # fmt: skip
    notice.pdf_key = terms.printer(letter)
    audit.record(session, "fee.notice", actor=user, target_type="fee_notice",
                 target_id=notice.id, building_file_id=extract.building_file_id,
                 details={"extract": extract.id, "total_cents": total, "adjusted": False,
                          "held": not schedule.pay_afterwards})  # fmt: skip
    return notice


def mine(session: Session, user: User) -> list[ExtractOrder]:
    """The user's own orders, newest first."""
    stmt = select(ExtractOrder).where(ExtractOrder.user_id == user.id)
    return list(session.scalars(stmt.order_by(ExtractOrder.id.desc())))


def readable(session: Session, user: User, order_id: int) -> ExtractOrder:
    """An order for the one who placed it; to anyone else it does not exist."""
    extract = session.get(ExtractOrder, order_id)
    if extract is None or user is None or not user.active or extract.user_id != user.id:
        raise Hidden(f"extract {order_id} not found")
    return extract


def of_notice(session: Session, notice_id: int) -> ExtractOrder | None:
    return session.scalar(select(ExtractOrder).where(ExtractOrder.fee_notice_id == notice_id))


def waits_for_payment(session: Session, extract: ExtractOrder, pay_afterwards: bool) -> bool:
    """An open fee notice holds the extract back, unless the schedule says pay afterwards."""
    if extract.fee_notice_id is None or pay_afterwards:
        return False
    notice = session.get(FeeNotice, extract.fee_notice_id)
    return notice is not None and notice.status == NoticeStatus.OPEN.value


def start_link(session: Session, notice_id: int, zone: ZoneInfo) -> None:
    """The fee of an extract is paid: its link lasts its days from today.

    The days were counted from the extract's making; a transfer that reaches
    the next bank statement after them must not buy a link that has run out
    (the PDF of an unpaid extract is kept until it is paid, see
    ``extract_jobs.expire_due``).
    """
    extract = of_notice(session, notice_id)
    if extract is None or extract.status != ExtractStatus.READY.value:
        return
    if extract.ready_at is None or extract.expires_at is None:
        return
    made = extract.ready_at.astimezone(zone).date()
    days = (extract.expires_at.astimezone(zone).date() - made).days - 1
    end_day = dt.datetime.now(zone).date() + dt.timedelta(days=days + 1)
    end = dt.datetime.combine(end_day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    if end > extract.expires_at:
        extract.expires_at = end


def for_download(
    session: Session, user: User, order_id: int, *, pay_afterwards: bool
) -> ExtractOrder:
    """The ready extract, once paid, while its link lasts and the user may still download
    every page in it; each download is an audit event."""
    extract = readable(session, user, order_id)
    now = utcnow()
    if extract.status == ExtractStatus.QUEUED.value:
        raise NotReady(
            "the extract is still being made: try again in a few minutes", "extract.queued"
        )
    if extract.status == ExtractStatus.READY.value and waits_for_payment(
        session, extract, pay_afterwards
    ):
        raise NotReady("the extract can be downloaded once its fee is paid", "extract.unpaid")
    if extract.status != ExtractStatus.READY.value or (
        extract.expires_at is not None and extract.expires_at <= now
    ):
        raise Expired("the extract's link has run out: order the extract again", "extract.expired")
    if not extract.stamped and not user.is_staff:
        raise Forbidden(
            "an extract without the stamp is for the authority's staff only", "extract.unstamped"
        )
    visible = access.visibility(session, user)
    ids = {p.document_id for p in extract.pages if p.left_out is None}
    documents = session.scalars(select(Document).where(Document.id.in_(ids))).all()
    if len(documents) != len(ids) or not all(visible.covers_download(d) for d in documents):
        raise Forbidden(
            "your access to these documents has ended, and with it the extract",
            "extract.access_ended",
        )
    audit.record(session, "extract.download", actor=user, target_type="extract",
                 target_id=extract.id, building_file_id=extract.building_file_id,
                 details={"pages": len([p for p in extract.pages if p.left_out is None]),
                          "stamped": extract.stamped})  # fmt: skip
    return extract
