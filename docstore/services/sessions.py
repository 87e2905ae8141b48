"""Server-side sessions: a browser is signed in only while its row exists.

The cookie carries a random 256-bit key (signed by Flask on top); the
database keeps its SHA-256, the owner, and when it ends.  Every request
looks the key up, so signing out, or any change that ends all of a user's
sessions (:func:`end_all`), takes effect on the very next request of every
browser that holds an older cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..errors import PermissionDenied
from ..models import ApiToken, User, UserSession, utcnow
from . import audit
from .actors import Actor, Console

TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetime:
    """How long a session lives: at most ``hours`` after sign-in, ``idle_minutes`` unused."""

    hours: int = 8
    idle_minutes: int = 60


@dataclass(frozen=True)
class Confirmed:
    """Proof that a signed-in user just typed the password again (and a code, if enrolled).

    Sensitive account changes (a new API token, a second factor, a new
    password, an admin's reset of someone's credentials) take one, so that
    a stolen session alone cannot change how the account signs in.  Only
    :func:`.signin.confirm_identity` makes them.
    """

    user_id: int

    def require(self, user: User) -> None:
        if self.user_id != user.id:
            raise PermissionDenied("confirm with your own password first", "password.confirm_first")


def require_confirmed(actor: Actor, confirmed: Confirmed | None) -> None:
    """A signed-in actor must have confirmed with their password; the console needs not."""
    if isinstance(actor, Console):
        return
    if confirmed is None:
        raise PermissionDenied("confirm with your own password first", "password.confirm_first")
    confirmed.require(actor)


@dataclass(frozen=True)
class Live:
    """A session found valid, with its user."""

    session_id: int
    user: User
    needs_touch: bool


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(session: Session, user: User, lifetime: Lifetime) -> str:
    """A new session for ``user``; the plain key (for the cookie) is returned only here."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))  # housekeeping
    session.add(
        UserSession(
            user_id=user.id,
            key_hash=_digest(key),
            created_at=now,
            last_seen_at=now,
            expires_at=now + dt.timedelta(hours=lifetime.hours),
        )
    )
    session.flush()
    return key


def resolve(session: Session, key: str, lifetime: Lifetime) -> Live | None:
    """The live session for ``key`` of an active user, or None; reads only (every request)."""
    if not key or len(key) > 100:
        return None
    row = session.scalar(select(UserSession).where(UserSession.key_hash == _digest(key)))
    if row is None:
        return None
    now = utcnow()
    if (
        row.expires_at <= now
        or row.last_seen_at + dt.timedelta(minutes=lifetime.idle_minutes) <= now
    ):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return Live(row.id, user, now - row.last_seen_at > TOUCH_EVERY)


def touch(session: Session, session_id: int) -> None:
    """Keep the idle clock to the minute, so a busy browser does not write on every request."""
    session.execute(
        update(UserSession).where(UserSession.id == session_id).values(last_seen_at=utcnow())
    )


def end(session: Session, key: str) -> None:
    """Sign one browser out: its key opens nothing afterwards."""
    session.execute(delete(UserSession).where(UserSession.key_hash == _digest(key)))


def end_all(session: Session, user: User, *, reason: str, actor: Actor) -> None:
    """End every session and API token of ``user``.

    Called for "sign out everywhere", a password change or reset, a role
    change, a second-factor reset and disabling the account.  Tokens are
    revoked, not merely refused while the account is disabled, so enabling
    it again brings none of them back.  The epoch voids a sign-in that is
    halfway (password given, one-time code not yet).
    """
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    now = utcnow()
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    user.session_epoch += 1
    if user.totp_confirmed_at is None:  # a half-done enrolment: its QR code may have been seen
        user.totp_secret = None
    audit.record(
        session,
        "sessions.end-all",
        actor=actor,
        target_type="user",
        target_id=user.id,
        details={"username": user.username, "reason": reason},
    )
