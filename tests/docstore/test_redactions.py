"""Redaction in docstore: who may set a region, what it takes from the text, who is spared
it, and that setting and lifting are on record and reach the index."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from docstore.errors import NotFound, PermissionDenied, UsageError
from docstore.extract_models import ExtractOrder, ExtractPage, ExtractStatus
from docstore.models import AuditEvent, IndexOutbox, Page, Role
from docstore.redaction_text import GAP, Box, public_text
from docstore.services import extract_jobs, outbox, redactions
from docstore.services.actors import CONSOLE
from docstore.services.mail import MailContext
from tests.docstore.conftest import make_file, make_user
from tests.docstore.test_access import add_document

TEXT = "Bauschein Nr. 457\nNachbar Edeltraut Quenzel\nIBAN DE02 1001 0010 0123 4567 89"
WORDS = [  # [text, left, top, width, height, confidence], as kept at ingest
    ["Bauschein", 0.10, 0.10, 0.20, 0.02, 96], ["Nr.", 0.32, 0.10, 0.04, 0.02, 96],
    ["457", 0.37, 0.10, 0.05, 0.02, 96],
    ["Nachbar", 0.10, 0.20, 0.15, 0.02, 95], ["Edeltraut", 0.27, 0.20, 0.16, 0.02, 95],
    ["Quenzel", 0.45, 0.20, 0.14, 0.02, 95],
    ["IBAN", 0.10, 0.30, 0.08, 0.02, 90], ["DE02", 0.20, 0.30, 0.08, 0.02, 90],
    ["1001", 0.30, 0.30, 0.08, 0.02, 90],
]  # fmt: skip
NAME = Box(0.26, 0.19, 0.34, 0.04)  # over "Edeltraut Quenzel"


@pytest.fixture
def page(session):
    doc = add_document(session, make_file(session, "63-BA-2020-0001"), 1)
    page = Page(document_id=doc.id, number=1, text=TEXT)
    session.add(page)
    session.flush()
    return page


def test_the_words_under_a_region_leave_the_text_and_a_gap_says_so() -> None:
    text = public_text(TEXT, WORDS, [NAME])
    assert "Quenzel" not in text and "Edeltraut" not in text
    assert text.splitlines() == ["Bauschein Nr. 457", f"Nachbar {GAP}", "IBAN DE02 1001"]
    grazing = Box(0.425, 0.195, 0.01, 0.03)  # touches "Edeltraut" by a sliver (3 %)
    assert public_text(TEXT, WORDS, [grazing]).splitlines()[1] == "Nachbar Edeltraut Quenzel"
    digits = Box(0.374, 0.29, 0.02, 0.04)  # the last digit of "1001" (7 %): the word goes
    assert public_text(TEXT, WORDS, [digits]).splitlines()[2] == f"IBAN DE02 {GAP}"
    assert public_text(TEXT, WORDS, []) == TEXT
    assert public_text(TEXT, [], [NAME]) == ""  # no boxes: nothing can be kept safely
    # the text as written (punctuation, lines) where every letter is accounted for by a box
    written = "Bauschein Nr. 457,\nNachbar: Edeltraut Quenzel.\nIBAN DE02 1001"
    assert (
        public_text(written, WORDS, [NAME])
        == f"Bauschein Nr. 457,\nNachbar: {GAP}.\nIBAN DE02 1001"
    )
    stray = written.replace("Nachbar:", "Nachbar: Quenzel")  # a word no box accounts for
    assert "Quenzel" not in public_text(stray, WORDS, [NAME])  # rebuilt from the boxes


@pytest.mark.parametrize(
    "values", [(0, 0, 0, 0.1), (1.2, 0, 0.1, 0.1), (float("nan"), 0, 0.1, 0.1), ("a", 0, 1, 1)]
)
def test_a_region_off_the_page_or_empty_is_refused(values) -> None:
    with pytest.raises(UsageError):
        Box.checked(*values)


def test_a_region_past_the_edge_is_cut_to_the_page() -> None:
    assert Box.checked(-0.1, 0.9, 0.3, 0.3) == Box(0.0, 0.9, pytest.approx(0.2), pytest.approx(0.1))


def test_a_clerk_redacts_citizens_get_the_redacted_page_staff_the_whole(session, page) -> None:
    clerk = make_user(session, "clerk1", Role.CLERK)
    citizen = make_user(session, "citizen1", Role.CITIZEN)
    auditor = make_user(session, "auditor1", Role.AUDITOR)
    made = redactions.add(session, page.document_id, 1, NAME, " Name des  Nachbarn ", WORDS,
                          actor=clerk)  # fmt: skip
    assert made.reason == "Name des Nachbarn"
    assert "Quenzel" not in redactions.text_for(page, actor=citizen)
    assert redactions.text_for(page, actor=auditor) == TEXT
    assert redactions.text_for(page, actor=CONSOLE) == TEXT
    assert redactions.regions(session, page.id, actor=citizen) == (NAME,)
    assert redactions.regions(session, page.id, actor=None) == (NAME,)  # nobody: redacted
    assert redactions.regions(session, page.id, actor=clerk) == ()
    assert redactions.regions_by_page(session, page.document_id, actor=citizen) == {1: (NAME,)}
    records = outbox.page_records(page.document)
    assert [(r["audience"], "Quenzel" in r["text"]) for r in records] == [
        ("staff", True), ("public", False)
    ]  # fmt: skip
    redactions.lift(session, made.id, WORDS, actor=clerk)
    assert redactions.text_for(page, actor=citizen) == TEXT and page.redacted_text is None
    assert redactions.regions(session, page.id, actor=citizen) == ()
    assert [r.removed_by_id for r in redactions.history(session, page.document_id, 1,
                                                        actor=clerk)] == [clerk.id]  # fmt: skip
    assert [r.get("audience", "") for r in outbox.page_records(page.document)] == [""]
    events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("redaction.%"))).all()
    assert [(e.action, e.actor_name, json.loads(e.details)["page"]) for e in events] == [
        ("redaction.add", "clerk1", 1), ("redaction.lift", "clerk1", 1)
    ]  # fmt: skip
    assert json.loads(events[0].details)["reason"] == "Name des Nachbarn"
    queued = session.scalars(select(IndexOutbox.document_id)).all()
    assert queued.count(page.document_id) >= 2  # the index learns of both


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.ARCHITECT, Role.AUDITOR])
def test_only_clerks_and_admins_redact(session, page, role) -> None:
    someone = make_user(session, "someone", role)
    with pytest.raises(PermissionDenied):
        redactions.add(session, page.document_id, 1, NAME, "Name", WORDS, actor=someone)
    if role == Role.AUDITOR:  # sees what was redacted, by whom and why
        assert redactions.history(session, page.document_id, 1, actor=someone) == []
    else:
        with pytest.raises(PermissionDenied):
            redactions.history(session, page.document_id, 1, actor=someone)
    made = redactions.add(session, page.document_id, 1, NAME, "Name", WORDS, actor=CONSOLE)
    with pytest.raises(PermissionDenied):
        redactions.lift(session, made.id, WORDS, actor=someone)
    assert page.redacted_text is not None


def test_a_redaction_needs_a_reason_and_a_page(session, page) -> None:
    clerk = make_user(session, "clerk1", Role.CLERK)
    for reason in ("   ", "Name\x00", "x" * 501):
        with pytest.raises(UsageError, match="reason"):
            redactions.add(session, page.document_id, 1, NAME, reason, WORDS, actor=clerk)
    with pytest.raises(NotFound):
        redactions.add(session, page.document_id, 2, NAME, "Name", WORDS, actor=clerk)
    with pytest.raises(NotFound):
        redactions.lift(session, 999, WORDS, actor=clerk)
    made = redactions.add(session, page.document_id, 1, NAME, "Name", WORDS, actor=clerk)
    redactions.lift(session, made.id, WORDS, actor=clerk)
    with pytest.raises(NotFound, match="already lifted"):
        redactions.lift(session, made.id, WORDS, actor=clerk)


def _extract(session, page, user, status: ExtractStatus) -> ExtractOrder:
    order = ExtractOrder(user_id=user.id, building_file_id=page.document.building_file_id,
                         recipient="Erika", status=status.value)  # fmt: skip
    order.pages.append(ExtractPage(position=1, document_id=page.document_id, page_id=page.id,
                                   number=page.number))  # fmt: skip
    session.add(order)
    session.flush()
    return order


def test_an_extract_made_before_a_redaction_is_made_again_before_it_goes_out(session, page) -> None:
    clerk = make_user(session, "clerk1", Role.CLERK)
    citizen = make_user(session, "citizen1", Role.CITIZEN)
    ready = _extract(session, page, citizen, ExtractStatus.READY)
    staff_copy = _extract(session, page, clerk, ExtractStatus.READY)
    staff_copy.stamped = False
    redactions.add(session, page.document_id, 1, NAME, "Name", WORDS, actor=clerk)
    assert ready.status == ExtractStatus.QUEUED.value and ready.claimed_until is None
    assert staff_copy.status == ExtractStatus.READY.value  # staff's own copy stays whole
    remade = session.scalars(select(AuditEvent).where(AuditEvent.action == "extract.remake"))
    assert [e.target_id for e in remade] == [str(ready.id)]


def test_an_extract_being_made_while_a_page_is_redacted_is_made_once_more(session, page):
    clerk = make_user(session, "clerk1", Role.CLERK)
    order = _extract(session, page, make_user(session, "citizen1", Role.CITIZEN),
                     ExtractStatus.QUEUED)  # fmt: skip
    job = extract_jobs.claim_next(session, ZoneInfo("Europe/Berlin"))
    assert job is not None and job.pages[0].regions == ()  # claimed before the redaction
    redactions.add(session, page.document_id, 1, NAME, "Name", WORDS, actor=clerk)
    finish = {"key": "k", "size": 1, "sha256": "0" * 64, "days": 7,
              "zone": ZoneInfo("Europe/Berlin"), "pay_afterwards": False,
              "context": MailContext("Amt", "https://x", "a@x")}  # fmt: skip
    extract_jobs.finished(session, order.id, **finish, regions=job.regions)
    assert order.status == ExtractStatus.QUEUED.value and order.claimed_until is None
    assert order.attempts == 0  # not counted as a failed try
    again = extract_jobs.claim_next(session, ZoneInfo("Europe/Berlin"))
    assert again is not None and again.pages[0].regions == (NAME,)
    extract_jobs.finished(session, order.id, **finish, regions=again.regions)
    assert order.status == ExtractStatus.READY.value
