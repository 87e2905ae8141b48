"""Extract orders: what may be ordered, which plans go out, what it costs, when it may be had;
on both databases."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docstore.errors import PermissionDenied, UsageError
from docstore.extract_models import ExtractOrder, ExtractStatus, LeftOut
from docstore.fee_models import FeeNotice, PaymentMethod
from docstore.fees import FeeSchedule
from docstore.models import (
    AuditEvent,
    BuildingFile,
    DocumentKind,
    Grant,
    MailMessage,
    Page,
    Role,
    utcnow,
)
from docstore.services import archive as files
from docstore.services import extract_jobs, extracts, grants, payments, plan_consents
from docstore.services.actors import CONSOLE
from docstore.services.archive import Forbidden, Hidden
from docstore.services.extracts import Expired, NotReady, OrderTerms, Selection
from docstore.services.fee_notices import Letterhead

from .conftest import make_file, make_user
from .test_applications import NOTICE, TZ, _citizen, _document
from .test_payments import Printer

SCHEDULE = FeeSchedule(page_a4_cents=30, page_a3_cents=60,
                       exempt_domains=frozenset({"stadt.example"}))  # fmt: skip
PLANS = frozenset({"bauzeichnung", "lageplan"})
A4 = (595, 842)
A3 = (842, 1191)


def _terms(printer: Printer | None = None, max_pages: int = 300, **schedule) -> OrderTerms:
    sched = replace(SCHEDULE, **schedule)
    return OrderTerms(sched, Letterhead("Bauaufsicht"), printer or Printer(), PLANS, max_pages, TZ)


def _with_pages(s: Session, doc, *sizes: tuple[int, int], dpi: int = 72):
    for number, (w, h) in enumerate(sizes, 1):
        s.add(Page(document_id=doc.id, number=number, width_px=w, height_px=h, dpi=dpi))
    doc.page_count = len(sizes)
    s.flush()
    return doc


@pytest.fixture
def archive(session: Session):
    """A file with a letter (2 A4 pages) and a plan (A4 and A3), a citizen who may download
    it, one who may only view it, and a clerk."""
    bf = make_file(session, "BA-1990-0042")
    letter = _with_pages(session, _document(session, bf, DocumentKind.BAUGENEHMIGUNG, "g.pdf"),
                         A4, A4)  # fmt: skip
    plan = _with_pages(session, _document(session, bf, DocumentKind.BAUZEICHNUNG, "p.pdf"), A4, A3)
    erika = _citizen(session, "erika")
    erika.display_name = "Erika Mustermann"
    grants.grant_access(session, erika, bf, actor=CONSOLE, may_download=True)
    viewer = _citizen(session, "max")
    grants.grant_access(session, viewer, bf, actor=CONSOLE, may_download=False)
    clerk = make_user(session, "clerk", Role.CLERK)
    return bf, letter, plan, erika, viewer, clerk


def _count(s: Session, model) -> int:
    return s.scalar(select(func.count()).select_from(model))


def test_pages_are_read_as_people_write_them() -> None:
    assert extracts.parse_pages("", 5) == ()
    assert extracts.parse_pages("1-3, 5", 5) == (1, 2, 3, 5)
    assert extracts.parse_pages("2;2 – 3", 5) == (2, 3)
    for bad in ("0", "6", "3-1", "a", "1-", "-2", "1--2"):
        with pytest.raises(UsageError):
            extracts.parse_pages(bad, 5)
    for hostile in ("²", "1-²", "𝟙", "9" * 40, "1-300," * 80_000):  # refused, never a crash
        with pytest.raises(UsageError):
            extracts.parse_pages(hostile, 300)


def test_a_citizen_orders_stamped_pages_and_gets_a_fee_notice_per_page(session, archive) -> None:
    _bf, letter, plan, erika, _viewer, _clerk = archive
    printer = Printer()
    order = extracts.order(session, erika, [Selection(letter.id), Selection(plan.id, (2,))],
                           _terms(printer), proceedings_declared=True)  # fmt: skip
    assert order.stamped and order.status == ExtractStatus.QUEUED.value
    assert order.recipient == "Erika Mustermann"
    assert [(p.document_id, p.number, p.left_out) for p in order.pages] == [
        (letter.id, 1, None), (letter.id, 2, None), (plan.id, 2, None)]  # fmt: skip
    notice = session.get(FeeNotice, order.fee_notice_id)
    assert notice.total_cents == 2 * 30 + 60 and notice.request_id is None
    letter_sent = printer.letters[0]
    assert letter_sent.kind == "extract" and letter_sent.application == order.number
    assert letter_sent.aktenzeichen == "BA-1990-0042"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "extract.order"))
    details = json.loads(event.details)
    assert details["pages"] == 3 and details["declared"] is True


def test_a_scan_is_charged_by_its_size_in_inches(session, archive) -> None:
    bf, _letter, _plan, erika, _viewer, _clerk = archive
    scan = _with_pages(session, _document(session, bf, DocumentKind.STATIK, "s.tif"),
                       (2480, 3508), (3508, 4961), dpi=300)  # fmt: skip
    order = extracts.order(session, erika, [Selection(scan.id)], _terms())
    assert session.get(FeeNotice, order.fee_notice_id).total_cents == 30 + 60


def test_viewing_only_or_not_seeing_refuses_the_order_and_records_nothing(session, archive) -> None:
    _bf, letter, _plan, erika, viewer, _clerk = archive
    with pytest.raises(Forbidden, match="viewing only"):
        extracts.order(session, viewer, [Selection(letter.id)], _terms())
    other = _with_pages(session, _document(session, make_file(session, "BA-2000-0001"),
                                           DocumentKind.STATIK, "x.pdf"), A4)  # fmt: skip
    with pytest.raises(Hidden):
        extracts.order(session, erika, [Selection(letter.id), Selection(other.id)], _terms())
    with pytest.raises(Hidden):
        extracts.order(session, erika, [Selection(999_999)], _terms())
    with pytest.raises(UsageError, match="pages 1 to 2"):
        extracts.order(session, erika, [Selection(letter.id, (3,))], _terms())
    with pytest.raises(Forbidden, match="staff"):
        extracts.order(session, erika, [Selection(letter.id)], _terms(), stamped=False)
    with pytest.raises(UsageError, match="at most 1 pages"):
        extracts.order(session, erika, [Selection(letter.id)], _terms(max_pages=1))
    with pytest.raises(UsageError, match="at least one"):
        extracts.order(session, erika, [], _terms())
    assert _count(session, ExtractOrder) == 0 and _count(session, FeeNotice) == 0


def test_a_plan_without_consent_or_declaration_is_left_out(session, archive) -> None:
    _bf, letter, plan, erika, _viewer, _clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id), Selection(plan.id)], _terms())
    left = [(p.number, p.left_out) for p in order.pages if p.document_id == plan.id]
    assert left == [
        (1, LeftOut.PLAN_WITHOUT_CONSENT.value),
        (2, LeftOut.PLAN_WITHOUT_CONSENT.value),
    ]
    assert session.get(FeeNotice, order.fee_notice_id).total_cents == 60  # the letter only
    with pytest.raises(UsageError, match="§ 45 UrhG"):
        extracts.order(session, erika, [Selection(plan.id)], _terms())


def test_the_authors_consent_lets_the_plan_go_out_until_it_is_withdrawn(session, archive) -> None:
    _bf, _letter, plan, erika, _viewer, clerk = archive
    with pytest.raises(PermissionDenied):
        plan_consents.record(session, erika, plan.id, consented_on=dt.date(2026, 11, 2), note="x")
    with pytest.raises(UsageError, match="note"):
        plan_consents.record(session, clerk, plan.id, consented_on=dt.date(2026, 11, 2), note=" ")
    plan_consents.record(session, clerk, plan.id, consented_on=dt.date(2026, 11, 2),
                         note="Schreiben des Architekten Meier vom 2.11.2026")  # fmt: skip
    order = extracts.order(session, erika, [Selection(plan.id)], _terms())
    assert all(p.left_out is None for p in order.pages)
    plan_consents.withdraw(session, clerk, plan.id, "Architekt hat widerrufen")
    with pytest.raises(UsageError, match="§ 45 UrhG"):
        extracts.order(session, erika, [Selection(plan.id)], _terms())
    history = plan_consents.history(session, plan.id)
    assert len(history) == 1 and history[0].withdrawn_at is not None  # kept, not deleted
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"plan.consent", "plan.consent_withdrawn"} <= actions


def test_staff_copy_everything_unstamped_and_free(session, archive) -> None:
    _bf, letter, plan, _erika, _viewer, clerk = archive
    order = extracts.order(session, clerk, [Selection(plan.id), Selection(letter.id)], _terms(),
                           stamped=False)  # fmt: skip
    assert not order.stamped and order.fee_notice_id is None
    assert all(p.left_out is None for p in order.pages) and len(order.pages) == 4


def test_an_authoritys_address_pays_nothing(session, archive) -> None:
    _bf, letter, _plan, erika, _viewer, _clerk = archive
    erika.email = "bauamt@stadt.example"
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    assert order.fee_notice_id is None


def _ready(session: Session, order: ExtractOrder, days: int = 7) -> None:
    job = extract_jobs.claim_next(session, TZ)
    assert job is not None and job.order_id == order.id
    extract_jobs.finished(session, order.id, key=f"extracts/{order.id}.pdf", size=10,
                          sha256="0" * 64, days=days, zone=TZ, context=NOTICE.context,
                          pay_afterwards=False)  # fmt: skip


def test_the_extract_opens_when_paid_and_closes_with_its_link(session, archive) -> None:
    _bf, letter, _plan, erika, viewer, clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    with pytest.raises(NotReady, match="being made"):
        extracts.for_download(session, erika, order.id, pay_afterwards=False)
    job = extract_jobs.claim_next(session, TZ)
    assert job.stamp.aktenzeichen == "BA-1990-0042" and job.stamp.recipient == "Erika Mustermann"
    assert [(p.number, p.width_pt) for p in job.pages] == [(1, 595), (2, 595)]
    assert extract_jobs.claim_next(session, TZ) is None  # claimed: not taken twice
    extract_jobs.finished(session, order.id, key="extracts/1.pdf", size=10, sha256="0" * 64,
                          days=7, zone=TZ, context=NOTICE.context,
                          pay_afterwards=False)  # fmt: skip
    mail = session.scalars(select(MailMessage)).all()[-1]
    assert "fertig" in mail.subject and "sobald die Gebühr bezahlt ist" in mail.body
    with pytest.raises(NotReady, match="fee"):
        extracts.for_download(session, erika, order.id, pay_afterwards=False)
    assert extracts.for_download(session, erika, order.id, pay_afterwards=True) is order
    with pytest.raises(Hidden):
        extracts.for_download(session, viewer, order.id, pay_afterwards=True)
    payments.at_desk(session, clerk, order.fee_notice_id, 60, PaymentMethod.CASH, "Q-1", TZ,
                     NOTICE.context)  # fmt: skip
    assert "Auszug" in session.scalars(select(MailMessage)).all()[-1].subject
    assert extracts.for_download(session, erika, order.id, pay_afterwards=False) is order
    downloads = session.scalars(select(AuditEvent).where(AuditEvent.action == "extract.download"))
    assert len(downloads.all()) == 2
    order.expires_at = utcnow() - dt.timedelta(seconds=1)
    with pytest.raises(Expired):
        extracts.for_download(session, erika, order.id, pay_afterwards=False)
    assert extract_jobs.expire_due(session, pay_afterwards=False) == [(order.id, "extracts/1.pdf")]
    extract_jobs.expired(session, [order.id])
    assert order.status == ExtractStatus.EXPIRED.value and order.object_key is None


def test_a_payment_after_the_days_opens_the_link_for_its_days_from_then(session, archive):
    _bf, letter, _plan, erika, _viewer, clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    _ready(session, order, days=7)
    order.ready_at -= dt.timedelta(days=20)  # made three weeks ago, the transfer came today
    order.expires_at -= dt.timedelta(days=20)
    assert extract_jobs.expire_due(session, pay_afterwards=False) == []  # unpaid: kept
    assert extract_jobs.expire_due(session, pay_afterwards=True) == [(order.id, order.object_key)]
    with pytest.raises(NotReady, match="fee"):
        extracts.for_download(session, erika, order.id, pay_afterwards=False)
    payments.at_desk(session, clerk, order.fee_notice_id, 60, PaymentMethod.CASH, "Q-2", TZ,
                     NOTICE.context)  # fmt: skip
    assert extracts.for_download(session, erika, order.id, pay_afterwards=False) is order
    last = order.expires_at.astimezone(TZ)
    assert last.date() == dt.datetime.now(TZ).date() + dt.timedelta(days=8)


def test_the_link_lasts_whole_days_in_the_authoritys_time(session, archive) -> None:
    _bf, letter, _plan, erika, _viewer, _clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    _ready(session, order, days=7)
    last = order.expires_at.astimezone(TZ)
    assert (last.hour, last.minute) == (0, 0)
    assert last.date() == dt.datetime.now(TZ).date() + dt.timedelta(days=8)


def test_an_ended_grant_ends_the_extract(session, archive) -> None:
    _bf, letter, _plan, erika, _viewer, _clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms(page_a4_cents=0))
    _ready(session, order)
    assert extracts.for_download(session, erika, order.id, pay_afterwards=False) is order
    for grant in session.scalars(select(Grant).where(Grant.user_id == erika.id)):
        grant.revoked_at = utcnow()
    with pytest.raises(Forbidden, match="ended"):
        extracts.for_download(session, erika, order.id, pay_afterwards=False)


def test_a_failing_order_is_tried_again_then_given_up(session, archive) -> None:
    _bf, letter, _plan, erika, _viewer, _clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    for attempt in range(1, extract_jobs.MAX_ATTEMPTS + 1):
        order.claimed_until = None  # the retry delay has passed
        assert extract_jobs.claim_next(session, TZ).order_id == order.id
        given_up = extract_jobs.failed(session, order.id, "OSError: disk full")
        assert given_up is (attempt == extract_jobs.MAX_ATTEMPTS)
    assert order.status == ExtractStatus.FAILED.value and order.error == "OSError: disk full"
    order.claimed_until = None
    assert extract_jobs.claim_next(session, TZ) is None
    with pytest.raises(Expired):
        extracts.for_download(session, erika, order.id, pay_afterwards=True)


def test_an_order_is_its_owners_alone(session, archive) -> None:
    _bf, letter, _plan, erika, viewer, clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    assert extracts.readable(session, erika, order.id) is order
    for other in (viewer, clerk, None):
        with pytest.raises(Hidden):
            extracts.readable(session, other, order.id)
    assert extracts.mine(session, viewer) == []


def test_an_order_whose_worker_died_each_time_is_given_up(session, archive) -> None:
    _bf, letter, _plan, erika, _viewer, _clerk = archive
    order = extracts.order(session, erika, [Selection(letter.id)], _terms())
    for _ in range(extract_jobs.MAX_ATTEMPTS):
        assert extract_jobs.claim_next(session, TZ).order_id == order.id
        order.claimed_until = None  # killed: the claim runs out, nothing was recorded
    assert extract_jobs.claim_next(session, TZ) is None
    assert order.status == ExtractStatus.FAILED.value and order.error


def test_an_unstamped_copy_stays_with_staff(session, archive) -> None:
    _bf, letter, _plan, _erika, _viewer, clerk = archive
    order = extracts.order(session, clerk, [Selection(letter.id)], _terms(), stamped=False)
    _ready(session, order)
    assert extracts.for_download(session, clerk, order.id, pay_afterwards=False) is order
    clerk.role = Role.CITIZEN.value
    bf = session.get(BuildingFile, order.building_file_id)
    grants.grant_access(session, clerk, bf, actor=CONSOLE, may_download=True)
    with pytest.raises(Forbidden, match="staff"):
        extracts.for_download(session, clerk, order.id, pay_afterwards=False)


def test_the_form_names_only_documents_of_its_file(session, archive) -> None:
    bf, letter, plan, erika, _viewer, _clerk = archive
    offer = extracts.choices(session, erika, bf.id, PLANS)
    assert letter.id in {d.id for d in offer.documents}
    assert offer.needs_declaration == {plan.id}
    other = _with_pages(session, _document(session, make_file(session, "BA-2000-0002"),
                                           DocumentKind.STATIK, "y.pdf"), A4)  # fmt: skip
    with pytest.raises(Hidden):
        extracts.selections_of(offer.documents, [other.id], lambda _d: "")
    assert extracts.selections_of(offer.documents, [letter.id], lambda _d: "2") == [
        Selection(letter.id, (2,))]  # fmt: skip


def test_a_plans_original_is_downloaded_only_with_its_authors_consent(session, archive) -> None:
    _bf, letter, plan, erika, _viewer, clerk = archive
    assert files.for_download(session, erika, letter.id, plan_kinds=PLANS) is letter
    with pytest.raises(Forbidden, match="§ 45 UrhG"):
        files.for_download(session, erika, plan.id, plan_kinds=PLANS)
    assert files.original_downloads(session, erika, [letter, plan], PLANS) == {
        letter.id: True, plan.id: False}  # fmt: skip
    assert files.for_download(session, clerk, plan.id, plan_kinds=PLANS) is plan  # staff
    plan_consents.record(session, clerk, plan.id, consented_on=dt.date(2026, 11, 2), note="Brief")
    assert files.for_download(session, erika, plan.id, plan_kinds=PLANS) is plan
    assert files.original_downloads(session, erika, [plan], PLANS) == {plan.id: True}
    plan_consents.withdraw(session, clerk, plan.id, "Urheber widerruft")
    with pytest.raises(Forbidden):
        files.for_download(session, erika, plan.id, plan_kinds=PLANS)
