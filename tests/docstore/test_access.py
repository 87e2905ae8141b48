"""Access rules: denial is tested as carefully as success."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from docstore.errors import PermissionDenied, UsageError
from docstore.models import AuditEvent, Blob, Document, Role, utcnow
from docstore.services import access, grants
from docstore.services.actors import CONSOLE
from tests.docstore.conftest import make_file, make_user


def add_document(session, bf, n: int) -> Document:
    sha = f"{n:064x}"
    session.add(Blob(sha256=sha, size=1, mime_type="application/pdf", storage_key=f"k/{n}"))
    doc = Document(
        building_file_id=bf.id if bf else None, blob_sha256=sha, original_name=f"{n}.pdf"
    )
    session.add(doc)
    session.flush()
    return doc


@pytest.fixture
def world(session):
    clerk = make_user(session, "clerk1", Role.CLERK)
    citizen = make_user(session, "citizen1", Role.CITIZEN)
    other = make_user(session, "citizen2", Role.ARCHITECT)
    files = [make_file(session, f"63-BA-2020-{i:04d}") for i in range(5)]
    docs = [add_document(session, f, i) for i, f in enumerate(files)]
    inbox_doc = add_document(session, None, 99)
    return dict(clerk=clerk, citizen=citizen, other=other, files=files, docs=docs, inbox=inbox_doc)


def test_staff_see_everything_external_nothing_without_grant(session, world) -> None:
    for role in (Role.CLERK, Role.AUDITOR, Role.ADMIN):
        staff = make_user(session, f"staff-{role.value}", role)
        assert access.visible_building_file_ids(session, staff) is None
        assert access.can_view(session, staff, world["inbox"])
        assert access.visibility(session, staff).covers_download(world["docs"][0])
    citizen = world["citizen"]
    assert access.visible_building_file_ids(session, citizen) == frozenset()
    for doc in [*world["docs"], world["inbox"]]:
        assert not access.can_view(session, citizen, doc)
        assert not access.visibility(session, citizen).covers_download(doc)
    assert access.visibility(session, None) == access.NOTHING


def test_grant_gives_exactly_one_file_for_its_period(session, world) -> None:
    citizen, bf = world["citizen"], world["files"][2]
    now = utcnow()
    grants.grant_access(
        session, citizen, bf, actor=world["clerk"], valid_until=now + dt.timedelta(days=10)
    )
    assert access.visible_building_file_ids(session, citizen) == {bf.id}
    assert access.can_view(session, citizen, world["docs"][2])
    assert not access.visibility(session, citizen).covers_download(world["docs"][2])
    assert not access.can_view(session, citizen, world["docs"][1])
    assert not access.can_view(session, citizen, world["inbox"])
    assert access.visible_building_file_ids(session, world["other"]) == frozenset()
    # the same grant seen at other moments: expired and not yet valid give nothing
    later = now + dt.timedelta(days=11)
    earlier = now - dt.timedelta(minutes=5)
    assert access.visible_building_file_ids(session, citizen, at=later) == frozenset()
    assert not access.can_view(session, citizen, world["docs"][2], at=later)
    assert access.visible_building_file_ids(session, citizen, at=earlier) == frozenset()


def test_future_grant_and_revocation(session, world) -> None:
    citizen, bf = world["citizen"], world["files"][0]
    start = utcnow() + dt.timedelta(days=3)
    grants.grant_access(session, citizen, bf, actor=world["clerk"], valid_from=start)
    assert not access.can_view(session, citizen, world["docs"][0])
    assert access.can_view(session, citizen, world["docs"][0], at=start + dt.timedelta(hours=1))
    assert grants.revoke_access(session, citizen, bf, actor=world["clerk"]) == 1
    assert not access.can_view(session, citizen, world["docs"][0], at=start + dt.timedelta(hours=1))
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-2:] == ["grant.create", "grant.revoke"]


def test_download_flag_and_listed_documents(session, world) -> None:
    citizen, bf = world["citizen"], world["files"][3]
    second = add_document(session, bf, 30)
    grants.grant_access(
        session, citizen, bf, actor=world["clerk"], may_download=True, documents=[second]
    )
    assert access.can_view(session, citizen, second)
    assert access.visibility(session, citizen).covers_download(second)
    assert not access.can_view(session, citizen, world["docs"][3])  # same file, not listed
    assert access.visible_building_file_ids(session, citizen) == {bf.id}
    # moved to another building file, the listed document is no longer covered
    second.building_file_id = world["files"][4].id
    session.flush()
    assert not access.can_view(session, citizen, second)


def test_deactivated_user_sees_nothing(session, world) -> None:
    citizen = world["citizen"]
    grants.grant_access(session, citizen, world["files"][0], actor=world["clerk"])
    citizen.active = False
    assert not access.can_view(session, citizen, world["docs"][0])


def test_grant_rules(session, world) -> None:
    with pytest.raises(UsageError, match="staff"):
        grants.grant_access(session, world["clerk"], world["files"][0], actor=CONSOLE)
    with pytest.raises(UsageError, match="end before it starts"):
        grants.grant_access(
            session,
            world["citizen"],
            world["files"][0],
            actor=CONSOLE,
            valid_until=utcnow() - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied, match="may not grant"):
        grants.grant_access(session, world["citizen"], world["files"][0], actor=world["other"])
    with pytest.raises(UsageError, match="does not belong"):
        grants.grant_access(
            session,
            world["citizen"],
            world["files"][0],
            actor=CONSOLE,
            documents=[world["docs"][1]],
        )
