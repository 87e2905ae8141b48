"""Users, roles and passwords (argon2id through argon2-cffi)."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, PermissionDenied, UsageError
from ..models import Role, User, utcnow
from . import audit, roles, sessions
from .actors import Actor, user_id_of
from .roles import Capability

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,99}")


class BadEmail(UsageError):
    """Not an address mail can be sent to."""

    default_code = "email.invalid"


def normal_email(text: str) -> str:
    """The address as stored and compared: checked for shape (no DNS), lower-cased."""
    try:
        checked = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadEmail(f"not an e-mail address: {exc}") from None
    return checked.normalized.lower()


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise UsageError(
            f"unknown role {value!r}: choose one of {choices}", "user.unknown_role", role=value
        ) from None


class WeakPassword(UsageError):
    """A password the policy refuses; ``reason`` is ``short``, ``monotonous``, ``name`` or
    ``unchanged``, so each entry point can word it in its user's language."""

    def __init__(self, reason: str, message: str, minimum: int = 0) -> None:
        super().__init__(message, f"password.{reason}", minimum=minimum)
        self.reason = reason
        self.minimum = minimum


def check_password_policy(password: str, username: str, min_length: int) -> None:
    """Reject passwords that are short, one repeated character, or the user name."""
    if len(password) < min_length:
        raise WeakPassword(
            "short", f"password too weak: use at least {min_length} characters", min_length
        )
    if len(set(password)) < 4:
        raise WeakPassword("monotonous", "password too weak: use more different characters")
    if len(username) >= 3 and username.lower() in password.lower():
        raise WeakPassword("name", "password too weak: it must not contain the user name")


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
            f"user name {username!r} is not allowed: 2-100 letters, digits, '.', '_', '@' or '-'",
            "user.bad_name",
        )
    check_password_policy(password, username, min_password_length)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists", "user.exists", username=username)
    if email:
        email = normal_email(email)
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict(f"another account has the e-mail address {email}", "user.email_taken")
    user = User(
        username=username,
        role=role.value,
        password_hash=hash_password(password),
        display_name=display_name,
        email=email or None,
        email_confirmed_at=utcnow() if email else None,  # an admin entered it
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
        raise NotFound(
            f"no user {username!r}; create one with 'bauakte user add'",
            "user.unknown",
            username=username,
        )
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


def find_account(session: Session, name_or_email: str) -> User | None:
    """The account signed in to by this user name or (confirmed or not) e-mail address."""
    text = name_or_email.strip()
    user = session.scalar(select(User).where(User.username == text))
    if user is None and "@" in text:
        user = session.scalar(select(User).where(User.email == text.lower()))
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name (or e-mail address) and password, or None.

    A hash made with older argon2 parameters is replaced on a successful
    check, so parameter upgrades reach every account at its next login.
    """
    user = find_account(session, username)
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
        raise PermissionDenied(
            "confirm the change with your current password", "password.confirm_current"
        )
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


def set_password_by_mail(session: Session, user: User, password: str, min_length: int) -> None:
    """The reset a mailed link allows (see services.registration): the mailbox is the proof."""
    _replace_password(session, user, password, min_length, actor=user, by_mail=True)


def _replace_password(
    session: Session,
    user: User,
    password: str,
    min_length: int,
    *,
    actor: Actor,
    by_mail: bool = False,
) -> None:
    check_password_policy(password, _name_in_password(user), min_length)
    if check_password(user, password):
        raise WeakPassword("unchanged", "choose a password different from the current one")
    user.password_hash = hash_password(password)
    user.must_change_password = False
    own = user_id_of(actor) == user.id
    if by_mail:
        action, reason = "user.password-reset-by-mail", "password reset by mail"
    elif own:
        action, reason = "user.password-change", "password change"
    else:
        action, reason = "user.password-reset", "password reset"
    audit.record(
        session,
        action,
        actor=actor,
        target_type="user",
        target_id=user.id,
        details={"username": user.username},
    )
    sessions.end_all(session, user, reason=reason, actor=actor)


def _name_in_password(user: User) -> str:
    """What a password must not contain: the name the user signs in with."""
    if user.username.startswith("b-") and user.email:
        return address_name(user.email)
    return user.username


def address_name(email: str) -> str:
    """The part of an address a password must not contain: its local part, when that is long
    enough to be a name (``neu@…`` must not forbid "Neubau")."""
    local = email.partition("@")[0]
    return local if len(local) >= 5 else ""


def erase_personal_data(user: User) -> None:
    """Remove what names or reaches the person; the row and its pseudonym stay."""
    user.display_name = None
    user.email = user.pending_email = None
    user.street = user.postcode = user.city = user.phone = None
    user.totp_secret = None
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.active = False
    user.deleted_at = utcnow()


def set_active(session: Session, user: User, active: bool, *, actor: Actor) -> None:
    """Disable or re-enable an account; a disabled account's sessions end at once."""
    roles.require(actor, Capability.ADMINISTER)
    if user_id_of(actor) == user.id and not active:
        raise UsageError("you cannot disable your own account", "user.disable_self")
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
