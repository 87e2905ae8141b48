"""Per-user API tokens: shown once at creation, stored as a SHA-256 hash, revocable.

A token is 256 random bits, so a fast hash is as safe as a slow one and
lets every API request be checked in one indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..models import ApiToken, User, utcnow
from . import audit, sessions
from .archive import Hidden

PREFIX = "bak_"
TOUCH_EVERY = dt.timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, user: User, name: str, *, confirmed: sessions.Confirmed, valid_days: int
) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for ``valid_days``; the plain token is returned only here.

    A token reaches the archive with the user's rights for months, so
    making one takes the password again (``confirmed``).
    """
    confirmed.require(user)
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise UsageError("give the token a name of 1 to 100 printable characters", "token.name")
    plain = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_digest(plain),
        created_at=now,
        expires_at=now + dt.timedelta(days=valid_days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        "token.create",
        actor=user,
        target_type="token",
        target_id=token.id,
        details={"name": name, "expires_at": token.expires_at.isoformat()},
    )
    return token, plain


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(session.scalars(stmt))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise Hidden(f"token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, "token.revoke", actor=user, target_type="token", target_id=token.id)
    return token


def live_token(session: Session, plain: str) -> ApiToken | None:
    """The unrevoked, unexpired token of an active user, or None; reads only (every API call)."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = session.get(User, token.user_id)
    return token if user is not None and user.active else None


def needs_touch(token: ApiToken) -> bool:
    """``last_used_at`` is kept to the minute, so a busy client does not write on every call."""
    return token.last_used_at is None or utcnow() - token.last_used_at > TOUCH_EVERY


def touch(session: Session, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = utcnow()
