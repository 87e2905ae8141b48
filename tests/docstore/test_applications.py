"""Applications from submission to decision, and the grants that follow from them."""

from __future__ import annotations

import threading
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from docstore.errors import PermissionDenied, UsageError
from docstore.models import (
    AccessRequest,
    AuditEvent,
    Blob,
    Document,
    DocumentKind,
    Legitimation,
    MailMessage,
    RequestStatus,
    Role,
)
from docstore.services import access, applications, audit, mail, review
from docstore.services.applications import Application, ApplicationProblem, StoredProof
from docstore.services.archive import Hidden

from .conftest import make_file, make_user

NOTICE = applications.Notice(mail.MailContext("Bauaufsicht", "https://p.example", "a@b.de"), 10)
TZ = ZoneInfo("Europe/Berlin")
PROOF = StoredProof("ab" * 32, "grundbuch.pdf", "application/pdf", 1234)


def _citizen(s: Session, name: str = "erika"):
    user = make_user(s, name, Role.CITIZEN)
    user.email = f"{name}@example.de"
    return user


def _apply(s: Session, user, **kw) -> AccessRequest:
    fields = {"street": "Hauptstraße", "house_number": "1", "purpose": "Kauf des Hauses"}
    fields.update(kw)
    legitimation = fields.pop("legitimation", Legitimation.OWNER)
    proofs = fields.pop("proofs", [PROOF])
    return applications.submit(s, user, Application(legitimation, proofs=proofs, **fields), NOTICE)


def _document(s: Session, bf, kind: DocumentKind, name: str) -> Document:
    sha = (name.encode().hex() * 64)[:64]
    s.add(Blob(sha256=sha, size=1, mime_type="application/pdf", storage_key=f"blobs/{sha}"))
    doc = Document(building_file_id=bf.id, blob_sha256=sha, kind=kind.value, original_name=name)
    s.add(doc)
    s.flush()
    return doc


def _statuses(s: Session, request: AccessRequest) -> list[str]:
    s.refresh(request)
    return [e.status for e in request.history]


def test_submit_records_history_mail_and_audit(session: Session) -> None:
    user = _citizen(session)
    request = _apply(session, user)
    assert request.status == RequestStatus.SUBMITTED
    assert request.subject == "Hauptstraße 1" and request.number.endswith(f"{request.id:05d}")
    assert _statuses(session, request) == ["submitted"]
    sent = session.scalars(select(MailMessage).where(MailMessage.user_id == user.id)).all()
    assert sent[-1].subject == f"Ihr Antrag auf Akteneinsicht {request.number}: eingegangen"
    assert "10 Arbeitstage" in sent[-1].body
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.submit")
    ).one()
    assert "Hauptstraße" not in event.details and "erika@" not in event.details


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"street": "", "house_number": ""}, "building"),
        ({"house_number": ""}, "house_number"),
        ({"purpose": " "}, "purpose"),
        ({"proofs": []}, "proofs"),
        ({"legitimation": Legitimation.ARCHITECT, "proofs": []}, "chamber_number"),
        ({"legitimation": Legitimation.LEGITIMATE_INTEREST, "proofs": []}, "interest"),
        ({"street": "x" * 201}, "street"),
    ],
)
def test_incomplete_applications_name_the_field(session: Session, fields, problem) -> None:
    user = _citizen(session)
    with pytest.raises(ApplicationProblem) as caught:
        _apply(session, user, **fields)
    assert caught.value.field == problem
    assert session.scalars(select(AccessRequest)).all() == []


def test_an_unknown_street_is_refused_when_the_city_list_is_known(session: Session) -> None:
    user = _citizen(session)
    a = Application(Legitimation.NEIGHBOUR, "Anbau", street="Erfundene Gasse", house_number="2")
    with pytest.raises(ApplicationProblem) as caught:
        applications.submit(session, user, a, NOTICE, known_street=lambda s: s == "Hauptstraße")
    assert caught.value.field == "street"


def test_a_neighbour_needs_no_proof_and_staff_do_not_apply(session: Session) -> None:
    assert _apply(session, _citizen(session), legitimation=Legitimation.NEIGHBOUR, proofs=[])
    with pytest.raises(PermissionDenied):
        _apply(session, make_user(session, "k.weber", Role.CLERK))


def test_only_the_applicant_sees_the_application(session: Session) -> None:
    request = _apply(session, _citizen(session))
    other = _citizen(session, "max")
    with pytest.raises(Hidden):
        applications.own_application(session, other, request.id)
    with pytest.raises(Hidden):
        applications.own_proof(session, other, request.id, request.proofs[0].id)
    with pytest.raises(Hidden):
        applications.withdraw(session, other, request.id, NOTICE)
    with pytest.raises(PermissionDenied):
        review.queue(session, other)


def test_query_answer_approve_creates_the_grant(session: Session) -> None:
    user = _citizen(session)
    clerk = make_user(session, "k.weber", Role.CLERK)
    bf = make_file(session, "63-BA-2020-0001")
    plan = _document(session, bf, DocumentKind.LAGEPLAN, "lageplan.pdf")
    statik = _document(session, bf, DocumentKind.STATIK, "statik.pdf")
    request = _apply(session, user)
    assert review.matching_files(session, request) == [bf]
    review.assign(session, clerk, request.id, NOTICE)
    review.ask(session, clerk, request.id, "Bitte einen aktuellen Grundbuchauszug.", NOTICE)
    assert applications.unread_messages(request) == 1
    with pytest.raises(UsageError):
        review.ask(session, clerk, request.id, " ", NOTICE)
    applications.answer(session, user, request.id, "Anbei.", [PROOF], NOTICE)
    assert len(request.proofs) == 2
    assert not access.can_view(session, user, plan)  # nothing before approval
    grant = review.approve(
        session, clerk, request.id,
        review.Approval(bf.id, days=30, kinds=[DocumentKind.LAGEPLAN]), NOTICE, TZ,
    )  # fmt: skip
    assert grant.access_request_id == request.id
    assert _statuses(session, request) == ["submitted", "in_review", "query", "in_review",
                                           "approved"]  # fmt: skip
    assert access.can_view(session, user, plan) and not access.can_view(session, user, statik)
    later = _document(session, bf, DocumentKind.LAGEPLAN, "lageplan2.pdf")
    assert access.can_view(session, user, later)  # a kind covers documents scanned later
    with pytest.raises(UsageError):
        review.reject(session, clerk, request.id, "other", "zu spät", NOTICE)
    assert audit.verify_chain(session).ok


def test_reject_needs_a_listed_reason_and_words(session: Session) -> None:
    request = _apply(session, _citizen(session))
    clerk = make_user(session, "k.weber", Role.CLERK)
    with pytest.raises(UsageError):
        review.reject(session, clerk, request.id, "weil", "Text", NOTICE)
    with pytest.raises(UsageError):
        review.reject(session, clerk, request.id, "proof_outdated", "", NOTICE)
    review.reject(session, clerk, request.id, "proof_outdated", "Älter als 6 Monate.", NOTICE)
    assert request.status == RequestStatus.REJECTED and request.reason == "proof_outdated"
    assert request.history[-1].note == "Älter als 6 Monate."


def test_a_paper_file_moves_on_when_its_scans_arrive(session: Session) -> None:
    user = _citizen(session)
    clerk = make_user(session, "k.weber", Role.CLERK)
    bf = make_file(session, "63-BA-1955-0003")
    request = _apply(session, user)
    review.digitising(session, clerk, request.id, bf.id, NOTICE)
    assert review.documents_arrived(session, make_file(session, "63-BA-1999-0001").id, NOTICE) == 0
    assert review.documents_arrived(session, bf.id, NOTICE) == 1
    assert request.status == RequestStatus.IN_REVIEW


def test_withdraw_and_no_file_end_an_application(session: Session) -> None:
    user = _citizen(session)
    clerk = make_user(session, "k.weber", Role.CLERK)
    first, second = _apply(session, user), _apply(session, user)
    applications.withdraw(session, user, first.id, NOTICE)
    review.no_file(session, clerk, second.id, "Für diese Adresse gibt es keine Bauakte.", NOTICE)
    assert (first.status, second.status) == (RequestStatus.WITHDRAWN, RequestStatus.NO_FILE)
    with pytest.raises(UsageError):
        applications.withdraw(session, user, second.id, NOTICE)
    assert review.queue(session, clerk) == []


def test_a_withdrawal_waits_for_the_clerks_decision_and_then_fails(db) -> None:
    """Withdraw and decide at the same moment: one wins, the other is told it came too late
    (on PostgreSQL both used to succeed, the application ending withdrawn with a grant)."""
    with db.transaction() as s:
        user, clerk = _citizen(s), make_user(s, "k.weber", Role.CLERK)
        request_id, user_id, clerk_id = _apply(s, user).id, user.id, clerk.id
    outcome: list[str] = []

    def withdraw() -> None:
        try:
            with db.transaction() as s:
                applications.withdraw(s, s.get(type(user), user_id), request_id, NOTICE)
            outcome.append("withdrawn")
        except UsageError:
            outcome.append("too late")

    with db.transaction() as s:
        review.no_file(s, s.get(type(clerk), clerk_id), request_id, "Keine Akte.", NOTICE)
        other = threading.Thread(target=withdraw)
        other.start()
        other.join(0.5)
        assert other.is_alive()  # waits for the clerk's transaction
    other.join(10)
    assert outcome == ["too late"]
    with db.session() as s:
        assert s.get(AccessRequest, request_id).status == RequestStatus.NO_FILE


def test_the_queue_filters_by_the_district_the_register_names(session: Session) -> None:
    user, clerk = _citizen(session), make_user(session, "k.weber", Role.CLERK)
    centre, west = make_file(session, "63-BA-1960-0001"), make_file(session, "63-BA-1970-0002")
    centre.district, west.district = "Innenstadt", "Ehrenfeld"
    west.street, west.house_number = "Venloer Straße", "411"
    session.flush()
    by_address = _apply(session, user, street="Venloer Str.", house_number="411")
    by_number = _apply(session, user, street="", house_number="", aktenzeichen="63-ba-1960-0001")
    elsewhere = _apply(session, user, street="Unbekannter Weg", house_number="9")

    def ids(district: str) -> list[int]:
        found = review.queue(session, clerk, review.QueueFilter(district=district))
        return [r.id for r in found]

    assert ids("Ehrenfeld") == [by_address.id]
    assert ids("innenstadt") == [by_number.id]
    assert elsewhere.id in ids("") and ids("Porz") == []
    assert review.districts(session) == ["Ehrenfeld", "Innenstadt"]
