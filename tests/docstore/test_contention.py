"""Two transactions in each other's way: the one PostgreSQL rolls back is reported as
Busy ("try again", a 503 on the web), not as an unexplained database error (a 500)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from docstore.db import Database
from docstore.errors import Busy
from docstore.migrate import upgrade
from docstore.services import throttle
from tests.servers import PostgresServer


@pytest.fixture
def postgres(postgres_server: PostgresServer) -> Iterator[Database]:
    """PostgreSQL only: SQLite's one writer at a time cannot form a lock cycle."""
    name = postgres_server.create_database()
    database = Database(postgres_server.url(name))
    upgrade(database.engine)
    try:
        yield database
    finally:
        database.dispose()
        postgres_server.drop_database(name)


def test_a_deadlock_is_busy_and_leaves_nothing_half_done(postgres: Database) -> None:
    both_hold_one = threading.Barrier(2, timeout=30)
    outcomes: dict[str, BaseException | None] = {}

    def count(name: str, first: str, then: str) -> None:
        try:
            with postgres.transaction() as s:
                throttle.hit(s, first, 3600)
                both_hold_one.wait()
                throttle.hit(s, then, 3600)  # each waits for the other's row
            outcomes[name] = None
        except Exception as exc:  # the main thread looks at it
            outcomes[name] = exc

    threads = [
        threading.Thread(target=count, args=("a", "one", "two")),
        threading.Thread(target=count, args=("b", "two", "one")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    failed = [exc for exc in outcomes.values() if exc is not None]
    assert len(outcomes) == 2 and len(failed) == 1, outcomes
    assert isinstance(failed[0], Busy)
    assert "try again" in str(failed[0]) and failed[0].code == "busy"
    with postgres.session() as s:  # the survivor's counts only: the other rolled back whole
        assert (throttle.count(s, "one"), throttle.count(s, "two")) == (1, 1)
