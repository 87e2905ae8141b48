"""The hash chain: intact after honest use, broken (and named) after any tampering."""

from __future__ import annotations

import itertools
import multiprocessing

import pytest
from sqlalchemy import select, update

from docstore.db import Database
from docstore.models import AuditEvent
from docstore.services import audit
from docstore.services.actors import CONSOLE


def append(db: Database, n: int, tag: str = "t") -> None:
    for i in range(n):
        with db.transaction() as s:
            audit.record(
                s,
                "test.event",
                actor=CONSOLE,
                target_type="thing",
                target_id=f"{tag}{i}",
                details={"i": i},
            )


def verify(db: Database) -> audit.ChainReport:
    with db.session() as s:
        return audit.verify_chain(s)


def test_intact_chain_verifies(db: Database) -> None:
    assert verify(db) == audit.ChainReport(True, 0)
    append(db, 20)
    report = verify(db)
    assert report.ok and report.checked == 20
    with db.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))


def test_action_and_audit_commit_together(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as s:
        audit.record(s, "test.rolled_back", actor=CONSOLE)
        raise RuntimeError("the action failed")
    append(db, 1)
    assert verify(db).ok
    with db.session() as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["test.event"]


def test_edited_event_is_named(db: Database) -> None:
    append(db, 10)
    with db.transaction() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(details='{"i":99}'))
    report = verify(db)
    assert not report.ok
    assert report.first_bad_seq == 4
    assert "altered" in report.reason


def test_edited_and_rehashed_event_breaks_the_next_link(db: Database) -> None:
    append(db, 10)
    with db.transaction() as s:
        ev = s.scalar(select(AuditEvent).where(AuditEvent.seq == 6))
        ev.actor_name = "someone-else"
        ev.hash = audit.event_hash(ev)
    report = verify(db)
    assert (report.ok, report.first_bad_seq) == (False, 7)


def test_deleted_event_is_named(db: Database) -> None:
    append(db, 10)
    with db.transaction() as s:
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 5))
    report = verify(db)
    assert (report.ok, report.first_bad_seq) == (False, 6)
    assert "missing" in report.reason


def test_deleted_last_event_is_noticed(db: Database) -> None:
    append(db, 10)
    with db.transaction() as s:
        s.execute(AuditEvent.__table__.delete().where(AuditEvent.seq == 10))
    report = verify(db)
    assert not report.ok
    assert report.first_bad_seq == 10


def test_swapped_events_are_named(db: Database) -> None:
    append(db, 10)
    with db.transaction() as s:
        a = s.scalar(select(AuditEvent).where(AuditEvent.seq == 3))
        b = s.scalar(select(AuditEvent).where(AuditEvent.seq == 4))
        a.seq, b.seq = -3, -4
        s.flush()
        a.seq, b.seq = 4, 3
    report = verify(db)
    assert (report.ok, report.first_bad_seq) == (False, 3)


def _worker(url: str, tag: str, n: int) -> None:
    db = Database(url)
    append(db, n, tag)
    db.dispose()


@pytest.mark.slow
def test_two_processes_build_one_unbroken_chain(db: Database, database_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(database_url, tag, 500)) for tag in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=300)
    assert [p.exitcode for p in procs] == [0, 0]
    report = verify(db)
    assert report.ok, report.reason
    assert report.checked == 1000
    with db.session() as s:
        targets = s.scalars(select(AuditEvent.target_id)).all()
    assert sorted(targets) == sorted(f"{t}{i}" for t in "ab" for i in range(500))
