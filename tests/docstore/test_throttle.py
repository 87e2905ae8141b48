"""The shared fixed-window counters behind rate limits and lockouts (SQLite and PostgreSQL)."""

from __future__ import annotations

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
        assert throttle.hit(s, "other", 60) == 1  # and ended windows are swept
        assert set(s.scalars(select(RateCounter.key))) == {"a", "other"}
        assert throttle.expires_at(s, "a") > time.time() + 50
        throttle.clear(s, "a")
        assert throttle.count(s, "a") == 0
