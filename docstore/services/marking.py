"""Who gets a visible mark on the page images they receive, and what it says.

Staff work with clean images.  Everyone else (citizens, architects) sees
every page image, tile and thumbnail with their own name, the day and "Nur
zur Einsichtnahme": a screenshot passed on names who took it.  The rule
lives here so that every route that sends pixels asks the same question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import User

FOR_INSPECTION_ONLY = "Nur zur Einsichtnahme"


@dataclass(frozen=True)
class ViewerMark:
    lines: tuple[str, str]
    """First "Nur zur Einsichtnahme", then the viewer's name and the date."""


def viewer_mark(user: User, today: dt.date) -> ViewerMark | None:
    """The mark for ``user``'s images today; None for staff."""
    if user.is_staff:
        return None
    name = " ".join((user.display_name or user.email or user.username).split())[:80]
    return ViewerMark((FOR_INSPECTION_ONLY, f"{name} · {today:%d.%m.%Y}"))
