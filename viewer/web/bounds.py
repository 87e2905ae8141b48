"""The ranges every date and page number must fall in where it enters (forms, query, API).

Python's dates end at year 9999 and time zones push the ends over it, so a
date far in the past or future would fail deep down (``OverflowError``) or
reach the database; a building file's dates never leave these bounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import ValidationError

EARLIEST = dt.date(1500, 1, 1)
LATEST = dt.date(2999, 12, 31)
EARLIEST_TIME = dt.datetime.combine(EARLIEST, dt.time(), dt.UTC)
LATEST_TIME = dt.datetime.combine(LATEST, dt.time.max, dt.UTC)
MAX_PAGE = 10_000


def date_range() -> Callable[[object, Field], None]:
    """A form validator: the date lies between EARLIEST and LATEST."""

    def check(_form: object, field: Field) -> None:
        if field.data is not None and not EARLIEST <= field.data <= LATEST:
            raise ValidationError(_l("Bitte ein Datum zwischen den Jahren 1500 und 2999 angeben."))

    return check


def page_number(value: int | None) -> int:
    """A page number from the query string, within 1..MAX_PAGE."""
    return min(max(value or 1, 1), MAX_PAGE)
