"""Days as people name them: "from the 3rd until the 10th" is the last day inclusive,
in the authority's time zone.  Grants (CLI and clerk form) and the audit trail's
filter all turn days into instants here, so they cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..errors import UsageError


@dataclass(frozen=True)
class Period:
    """``start`` inclusive, ``end`` exclusive, both in UTC; None: open on that side."""

    start: dt.datetime | None
    end: dt.datetime | None


def day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Midnight at the start of ``day`` in ``zone``, as a UTC instant."""
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)


def period(first_day: dt.date | None, last_day: dt.date | None, zone: ZoneInfo) -> Period:
    """From the start of ``first_day`` to the end of ``last_day`` (inclusive)."""
    try:
        start = day_start(first_day, zone) if first_day else None
        end = day_start(last_day + dt.timedelta(days=1), zone) if last_day else None
    except OverflowError:
        raise UsageError("choose a day between the years 2 and 9998", "date.range") from None
    return Period(start, end)


def last_day(end: dt.datetime | None, zone: ZoneInfo) -> dt.date | None:
    """The last day a period that ends (exclusive) at ``end`` covers: the day people gave."""
    if end is None:
        return None
    if end.tzinfo is None:  # SQLite hands back naive UTC
        end = end.replace(tzinfo=dt.UTC)
    return (end.astimezone(zone) - dt.timedelta(microseconds=1)).date()


def first_day(start: dt.datetime, zone: ZoneInfo) -> dt.date:
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    return start.astimezone(zone).date()
