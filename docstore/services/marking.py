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
    """First "Nur zur Einsichtnahme" and the date, then the name the viewer gave and the
    account's own user name (a display name is the user's to choose; the user name is
    not), so a copy passed on names the account that took it."""


def viewer_mark(user: User, today: dt.date) -> ViewerMark | None:
    """The mark for ``user``'s images today; None for staff."""
    if user.is_staff:
        return None
    shown = " ".join((user.display_name or "").split())[:40]
    who = f"{shown} ({user.username})" if shown and shown != user.username else user.username
    return ViewerMark((f"{FOR_INSPECTION_ONLY} · {today:%d.%m.%Y}", who))
