"""Users, roles and passwords (argon2id through argon2-cffi)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, PermissionDenied, UsageError
from ..models import Role, User, utcnow
from . import audit, roles, sessions
from .actors import Actor, user_id_of
from .roles import Capability

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,99}")


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise UsageError(f"unknown role {value!r}: choose one of {choices}") from None


def check_password_policy(password: str, username: str, min_length: int) -> None:
    """Reject passwords that are short, one repeated character, or the user name."""
    if len(password) < min_length:
        raise UsageError(f"password too weak: use at least {min_length} characters")
    if len(set(password)) < 4:
        raise UsageError("password too weak: use more different characters")
    if username.lower() in password.lower():
        raise UsageError("password too weak: it must not contain the user name")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: Role | str,
    *,
    actor: Actor,
    display_name: str | None = None,
    email: str | None = None,
    min_password_length: int = 12,
) -> User:
    roles.require(actor, Capability.ADMINISTER)
    role = parse_role(role) if isinstance(role, str) else role
    if not _USERNAME.fullmatch(username):
        raise UsageError(
            f"user name {username!r} is not allowed: 2-100 letters, digits, '.', '_', '@' or '-'"
        )
    check_password_policy(password, username, min_password_length)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(
        username=username,
        role=role.value,
        password_hash=hash_password(password),
        display_name=display_name,
        email=email,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.create",
        actor=actor,
        target_type="user",
        target_id=user.id,
        details={"username": username, "role": role.value},
    )
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}; create one with 'bauakte user add'")
    return user


def set_role(session: Session, user: User, role: Role | str, *, actor: Actor) -> None:
    roles.require(actor, Capability.ADMINISTER)
    role = parse_role(role) if isinstance(role, str) else role
    old = user.role
    if old == role.value:
        return
    user.role = role.value
    audit.record(
        session,
        "user.role_change",
        actor=actor,
        target_type="user",
        target_id=user.id,
        details={"username": user.username, "from": old, "to": role.value},
    )
    # What a session or token was allowed to skip (a second factor) may now be required.
    sessions.end_all(session, user, reason="role change", actor=actor)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None.

    A hash made with older argon2 parameters is replaced on a successful
    check, so parameter upgrades reach every account at its next login.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        _hasher.hash(password)  # same work either way: no user enumeration by timing
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's (to confirm a change; signing in uses authenticate)."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(
    session: Session,
    user: User,
    new_password: str,
    *,
    confirmed: sessions.Confirmed,
    min_password_length: int = 12,
) -> None:
    """A user's own change; every session and API token of the account ends."""
    confirmed.require(user)
    _replace_password(session, user, new_password, min_password_length, actor=user)


def replace_temporary_password(
    session: Session, user: User, new_password: str, *, min_password_length: int = 12
) -> None:
    """The change an admin's reset forced: the temporary password was just given at sign-in."""
    if not user.must_change_password:
        raise PermissionDenied("confirm the change with your current password")
    _replace_password(session, user, new_password, min_password_length, actor=user)


def reset_password(
    session: Session,
    user: User,
    temporary: str,
    *,
    actor: Actor,
    confirmed: sessions.Confirmed | None,
    min_password_length: int = 12,
) -> None:
    """An admin sets a temporary password; the user must choose a new one at the next sign-in.

    A signed-in admin confirms with their own password (the console needs none).
    """
    roles.require(actor, Capability.ADMINISTER)
    sessions.require_confirmed(actor, confirmed)
    _replace_password(session, user, temporary, min_password_length, actor=actor)
    user.must_change_password = True


def _replace_password(
    session: Session, user: User, password: str, min_length: int, *, actor: Actor
) -> None:
    check_password_policy(password, user.username, min_length)
    if check_password(user, password):
        raise UsageError("choose a password different from the current one")
    user.password_hash = hash_password(password)
    user.must_change_password = False
    own = user_id_of(actor) == user.id
    reason = "password change" if own else "password reset"
    audit.record(
        session,
        "user.password-change" if own else "user.password-reset",
        actor=actor,
        target_type="user",
        target_id=user.id,
        details={"username": user.username},
    )
    sessions.end_all(session, user, reason=reason, actor=actor)


def set_active(session: Session, user: User, active: bool, *, actor: Actor) -> None:
    """Disable or re-enable an account; a disabled account's sessions end at once."""
    roles.require(actor, Capability.ADMINISTER)
    if user_id_of(actor) == user.id and not active:
        raise UsageError("you cannot disable your own account")
    if user.active == active:
        return
    user.active = active
    action = "user.enable" if active else "user.disable"
    details = {"username": user.username}
    audit.record(
        session, action, actor=actor, target_type="user", target_id=user.id, details=details
    )
    if not active:
        sessions.end_all(session, user, reason="account disabled", actor=actor)


def user_for_admin(session: Session, admin: Actor, user_id: int) -> User:
    """One account, for those who manage accounts."""
    roles.require(admin, Capability.ADMINISTER)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def all_users(session: Session, reader: Actor) -> list[User]:
    roles.require(reader, Capability.ADMINISTER)
    return list(session.scalars(select(User).order_by(User.username)))
