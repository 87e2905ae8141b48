"""The shared fixed-window counters behind rate limits and lockouts (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
import threading
import time

from sqlalchemy import select

from docstore.models import RateCounter
from docstore.services import throttle


def test_counts_within_a_window_and_forgets_ended_ones(db) -> None:
    with db.transaction() as s:
        assert [throttle.hit(s, "a", 60) for _ in range(3)] == [1, 2, 3]
        throttle.hit(s, "brief", 0.05)
    time.sleep(0.1)
    with db.transaction() as s:
        assert throttle.count(s, "a") == 3 and throttle.count(s, "brief") == 0
        assert throttle.hit(s, "brief", 60) == 1  # an ended window starts afresh
        throttle.hit(s, "gone", 0.01)
    time.sleep(0.05)
    with db.transaction() as s:
        now = time.time()
        assert throttle.expires_at(s, "gone") >= now  # an ended window ends now, not before
        assert throttle.purge_expired(s) == 1
        assert set(s.scalars(select(RateCounter.key))) == {"a", "brief"}
        assert throttle.expires_at(s, "a") > time.time() + 50
        throttle.clear(s, "a")
        assert throttle.count(s, "a") == 0


def test_concurrent_counts_and_purges_neither_deadlock_nor_lose_a_hit(db) -> None:
    """Requests count several keys each in one transaction (a refusal: the document's and
    the person's), on windows that keep ending, while the housekeeping purges ended ones:
    on PostgreSQL a purge inside every count deadlocked such requests."""
    people, rounds, threads = 4, 150, 12
    failures: list[BaseException] = []
    counted = [0] * people
    lock = threading.Lock()

    def request(worker: int) -> None:
        rng = random.Random(worker)
        try:
            for _ in range(rounds):
                person = rng.randrange(people)
                with db.transaction() as s:
                    throttle.hit(s, f"refused:view:{person}:{rng.randrange(4)}", 0.001)
                    throttle.hit(s, f"refused:{person}", 0.001)
                with db.transaction() as s:  # a count of its own, to check none is lost
                    throttle.hit(s, f"visits:{person}", 3600)
                with lock:
                    counted[person] += 1
        except Exception as exc:  # the main thread reports it
            failures.append(exc)

    done = threading.Event()

    def housekeeping() -> None:
        try:
            while not done.wait(0.005):
                with db.transaction() as s:
                    throttle.purge_expired(s)
        except Exception as exc:  # the main thread reports it
            failures.append(exc)

    workers = [threading.Thread(target=request, args=(i,)) for i in range(threads)]
    sweeper = threading.Thread(target=housekeeping)
    for t in [*workers, sweeper]:
        t.start()
    for t in workers:
        t.join()
    done.set()
    sweeper.join()
    assert failures == []
    with db.session() as s:
        assert [throttle.count(s, f"visits:{p}") for p in range(people)] == counted
