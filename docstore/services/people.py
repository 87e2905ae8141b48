"""Finding the person a clerk means: by user name, e-mail address or name, as they type.

A clerk who gives access knows the citizen by name or address, not by the account's user
name; a free-text field that needs the exact user name made grants fail on a typo or go to
the wrong account.  Only accounts that can hold a grant (active, not staff) are offered, and
only to those who may grant.
"""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound, UsageError
from ..models import STAFF_ROLES, User
from . import like, roles
from .actors import Actor
from .roles import Capability

MIN_CHARS = 2
LIMIT = 10
STAFF = tuple(sorted(r.value for r in STAFF_ROLES))


def suggestions(session: Session, text: str, *, actor: Actor, limit: int = LIMIT) -> list[User]:
    """Accounts that can hold a grant whose user name, address or name contains ``text``."""
    roles.require(actor, Capability.GRANT)
    wanted = select(User).where(User.active.is_(True), User.role.not_in(STAFF))
    return _matching(session, wanted, text, limit)


def anyone(session: Session, text: str, *, actor: Actor, limit: int = LIMIT) -> list[User]:
    """Every account, staff and closed ones too, for an auditor's question about a person."""
    roles.require(actor, Capability.AUDIT)
    return _matching(session, select(User), text, limit)


def _matching(session: Session, stmt: Select[tuple[User]], text: str, limit: int) -> list[User]:
    """Exact user names and addresses first, then by name."""
    text = " ".join(text.split())[:200]
    if len(text) < MIN_CHARS:
        return []
    pattern = f"%{like.skeleton(text)}%"
    stmt = (
        stmt.where(
            or_(
                func.lower(User.username).like(pattern, escape=like.ESCAPE),
                func.lower(User.email).like(pattern, escape=like.ESCAPE),
                func.lower(User.display_name).like(pattern, escape=like.ESCAPE),
            )
        )
        .order_by(User.display_name, User.username)
        .limit(limit * 5)
    )
    wanted = text.casefold()
    found = [
        u for u in session.scalars(stmt)
        if any(wanted in (v or "").casefold() for v in (u.username, u.email, u.display_name))
    ]  # fmt: skip
    found.sort(key=lambda u: wanted not in {u.username.casefold(), (u.email or "").casefold()})
    return found[:limit]


def person(session: Session, text: str, *, actor: Actor, active_only: bool = True) -> User:
    """The one account meant by a user name or an e-mail address (any case); for a new
    grant an active one (a disabled account's grants can still be revoked).

    Two accounts that match in different ways (one's user name, another's address, or
    names differing in case) are an error, never a guess: a grant to the wrong person
    shows them someone else's building file.
    """
    roles.require(actor, Capability.GRANT)
    wanted = text.strip()
    lowered = wanted.lower()
    user = session.scalar(select(User).where(User.username == wanted))
    if user is None:
        found = list(session.scalars(
            select(User).where(
                or_(func.lower(User.username) == lowered, func.lower(User.email) == lowered)
            ).limit(2)
        ))  # fmt: skip
        if len(found) > 1:
            raise UsageError(f"{wanted!r} matches several accounts: give the exact user name",
                             "user.ambiguous", username=wanted)  # fmt: skip
        user = found[0] if found else None
    if user is None:
        raise NotFound(
            f"no user {wanted!r}; create one with 'bauakte user add'", "user.unknown",
            username=wanted,
        )  # fmt: skip
    if active_only and not user.active:
        raise UsageError(f"the account {user.username!r} is disabled or closed",
                         "user.inactive", username=user.username)  # fmt: skip
    return user
