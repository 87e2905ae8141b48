"""Fixed-window counters in the database, shared by every server process.

Rate limits and sign-in lockouts must count across all workers: with a
per-process counter, N workers would allow N times the attempts.  One
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement counts
atomically on SQLite and PostgreSQL alike, so no lock is held across a
round trip.

Ended windows are purged by the spool's housekeeping, in a transaction of their own, never
inside a count: concurrent requests that each deleted every ended row, while holding the row
of their own count, deadlocked on PostgreSQL under load.
"""

from __future__ import annotations

import time

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import RateCounter


def hit(session: Session, key: str, window_seconds: float, amount: int = 1) -> int:
    """Add ``amount`` to ``key``'s count in its current window; returns the new count.

    A window starts with the first hit after the previous one ended.  The hit locks
    ``key``'s row only (on PostgreSQL until the caller's transaction ends).
    """
    now = time.time()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = RateCounter.__table__
    stmt = dialect.insert(table).values(key=key, count=amount, expires_at=now + window_seconds)
    expired = table.c.expires_at <= now
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((expired, amount), else_=table.c.count + amount),
            "expires_at": case((expired, now + window_seconds), else_=table.c.expires_at),
        },
    ).returning(table.c.count)
    return int(session.execute(stmt).scalar_one())


def count(session: Session, key: str) -> int:
    """Hits in ``key``'s current window (0 once the window has ended)."""
    row = session.get(RateCounter, key)
    if row is None or row.expires_at <= time.time():
        return 0
    return row.count


def expires_at(session: Session, key: str) -> float:
    """When ``key``'s window ends (seconds since the epoch); now if it has none or it ended
    (an ended row stays until the next purge)."""
    row = session.get(RateCounter, key)
    return max(row.expires_at, time.time()) if row is not None else time.time()


def clear(session: Session, key: str) -> None:
    session.execute(delete(RateCounter).where(RateCounter.key == key))


def clear_all(session: Session) -> int:
    return session.execute(delete(RateCounter)).rowcount


def purge_expired(session: Session) -> int:
    """Drop ended windows, so names an attacker tries once do not pile up.

    Run it in a transaction of its own.  On PostgreSQL it takes only rows nobody holds
    (``SKIP LOCKED``; SQLite has one writer at a time anyway), so it never waits for a
    request, and a row a request is counting again right now stays for the next purge.
    """
    ended = (
        select(RateCounter.key)
        .where(RateCounter.expires_at <= time.time())
        .with_for_update(skip_locked=True)
    )
    return session.execute(delete(RateCounter).where(RateCounter.key.in_(ended))).rowcount
