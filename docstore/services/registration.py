"""A citizen's own account: registration confirmed by e-mail, and a forgotten password reset.

Nothing here tells a stranger whether an address has an account: a
registration with a known address and a reset for an unknown one look the
same from outside; only the owner of the mailbox learns more, by mail.

A self-registered account's user name is a pseudonym (``b-`` and random
letters): the audit trail, which can never be rewritten, refers to people
only by it, so deleting an account's personal data leaves no name behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..models import Role, User, utcnow
from . import audit, mail, signed_links, signin, throttle, users

CONFIRM = "confirm-email"
RESET = "reset-password"
PSEUDONYM_LETTERS = "abcdefghijkmnpqrstuvwxyz23456789"  # nothing to misread: no l/1, o/0


class Links(Protocol):
    """The web's addresses for the links a mail carries (built on ``public_url``)."""

    def confirm_email(self, token: str) -> str: ...

    def reset_password(self, token: str) -> str: ...

    def sign_in(self) -> str: ...

    def change_email(self, token: str) -> str: ...


@dataclass(frozen=True)
class LinkPolicy:
    secret_key: str
    confirm_hours: int = 48
    reset_minutes: int = 60
    mail: mail.MailContext | None = None

    @property
    def context(self) -> mail.MailContext:
        if self.mail is None:
            raise ValueError("a LinkPolicy that sends mail needs its MailContext")
        return self.mail


def account_by_email(session: Session, address: str) -> User | None:
    return session.scalar(select(User).where(User.email == address))


def new_pseudonym(session: Session) -> str:
    while True:
        name = "b-" + "".join(secrets.choice(PSEUDONYM_LETTERS) for _ in range(8))
        if session.scalar(select(User.id).where(User.username == name)) is None:
            return name


class Registered(StrEnum):
    NEW = "new"
    """An account was created; the confirmation link is on its way."""
    PENDING = "pending"
    """The address waits for confirmation: the link was sent again."""
    KNOWN = "known"
    """The address has an account: its owner was told, by mail."""


def register(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    language: str,
    links: Links,
    policy: LinkPolicy,
    min_password_length: int,
) -> Registered:
    """Create a citizen's account that cannot sign in until its address is confirmed.

    The web shows the same page for every outcome; the outcome is returned
    for the tests and the audit trail.
    """
    address = users.normal_email(email)
    name = " ".join(display_name.split())
    if not name or len(name) > 200 or not name.isprintable():
        raise UsageError("give your name (1 to 200 characters)", "registration.name")
    users.check_password_policy(password, users.address_name(address), min_password_length)
    # hashed whatever the outcome: a known address must not answer faster than a new one
    password_hash = users.hash_password(password)
    existing = account_by_email(session, address)
    if existing is not None and _stale(existing, policy):
        _remove_unconfirmed(session, existing)
        existing = None
    if existing is not None and existing.email_confirmed_at is None:
        # The newest registration's name and password count, and confirming asks for the
        # password: someone who registered another's address first cannot keep the account
        # its owner confirms (pre-registration hijack).
        existing.display_name, existing.password_hash = name, password_hash
        existing.language = language if language in mail.LANGUAGES else existing.language
        _send_confirmation(session, existing, links, policy)
        return Registered.PENDING
    if existing is not None:
        token = _reset_token(existing, policy)
        mail.queue(
            session,
            existing,
            "known",
            policy.context,
            signin=links.sign_in(),
            link=links.reset_password(token),
            minutes=policy.reset_minutes,
        )
        audit.record(session, "user.register-known", actor=None, target_type="user",
                     target_id=existing.id)  # fmt: skip
        return Registered.KNOWN
    user = User(
        username=new_pseudonym(session),
        role=Role.CITIZEN.value,
        password_hash=password_hash,
        display_name=name,
        email=address,
        language=language if language in mail.LANGUAGES else mail.LANGUAGES[0],
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.register", actor=user, target_type="user", target_id=user.id)
    _send_confirmation(session, user, links, policy)
    return Registered.NEW


def _stale(user: User, policy: LinkPolicy) -> bool:
    """An unconfirmed account whose link has run out: its address is free again."""
    age = utcnow() - user.created_at
    return user.email_confirmed_at is None and age > dt.timedelta(hours=policy.confirm_hours)


def _remove_unconfirmed(session: Session, user: User) -> None:
    """Never confirmed, so never signed in: its data goes, its row stays (its id is in the
    audit trail and must never be given to someone else)."""
    audit.record(session, "user.register-expired", actor=None, target_type="user",
                 target_id=user.id)  # fmt: skip
    users.erase_personal_data(user)
    session.flush()


def sweep_unconfirmed(session: Session, confirm_hours: int) -> int:
    """Erase the accounts whose confirmation link ran out unused; returns how many.

    The confirmation mail promises that an unconfirmed registration is removed
    after its link expires; until then the account holds its address (a later
    registration or address change could not use it).  Run by the mail sender.
    """
    cutoff = utcnow() - dt.timedelta(hours=confirm_hours)
    stale = session.scalars(
        select(User).where(
            User.email_confirmed_at.is_(None), User.deleted_at.is_(None),
            User.email.is_not(None), User.role == Role.CITIZEN.value,
            User.username.startswith("b-"), User.created_at < cutoff,
        ).with_for_update()
    ).all()  # fmt: skip
    for user in stale:
        _remove_unconfirmed(session, user)
    return len(stale)


def _send_confirmation(session: Session, user: User, links: Links, policy: LinkPolicy) -> None:
    token = signed_links.make(
        policy.secret_key, CONFIRM, [user.id, signed_links.fingerprint(user.email or "")]
    )
    mail.queue(
        session,
        user,
        "confirm",
        policy.context,
        link=links.confirm_email(token),
        hours=policy.confirm_hours,
    )


class Confirmed(StrEnum):
    NOW = "now"
    BEFORE = "before"


class WrongPassword(UsageError):
    """The password given to confirm an address is not the account's."""

    default_code = "password.wrong"


def confirmation_state(session: Session, token: str, policy: LinkPolicy) -> tuple[User, Confirmed]:
    """What a confirmation link is for: an address still to confirm, or one confirmed before."""
    payload = signed_links.read(policy.secret_key, CONFIRM, token, policy.confirm_hours * 3600)
    user = _account(session, payload)
    if len(payload) != 2 or signed_links.fingerprint(user.email or "") != payload[1]:
        raise signed_links.LinkInvalid("this link is not valid any more")
    return user, (Confirmed.BEFORE if user.email_confirmed_at else Confirmed.NOW)


def confirm_email(
    session: Session, token: str, policy: LinkPolicy, password: str
) -> tuple[User, Confirmed]:
    """Confirm the address with the link and the account's password.

    The link proves the mailbox, the password proves the registration: only
    the person who has both gets the account.  Following it again says
    "already confirmed".
    """
    user, state = confirmation_state(session, token, policy)
    if state is Confirmed.BEFORE:
        return user, state
    if not users.check_password(user, password):
        raise WrongPassword("the password is not this account's")
    user.email_confirmed_at = utcnow()
    audit.record(session, "user.email-confirm", actor=user, target_type="user", target_id=user.id)
    return user, Confirmed.NOW


def resend_confirmation(session: Session, email: str, links: Links, policy: LinkPolicy) -> None:
    """Another confirmation link, for an address that still waits; silent otherwise."""
    try:
        address = users.normal_email(email)
    except users.BadEmail:
        return
    user = account_by_email(session, address)
    if user is not None and user.email_confirmed_at is None and not _stale(user, policy):
        _send_confirmation(session, user, links, policy)


def request_reset(session: Session, email: str, links: Links, policy: LinkPolicy) -> None:
    """Mail a reset link to the address if it has an account (an unconfirmed one gets its
    confirmation link again); say nothing either way."""
    try:
        address = users.normal_email(email)
    except users.BadEmail:
        return
    user = account_by_email(session, address)
    if user is None or not user.active or user.deleted_at is not None:
        return
    if user.email_confirmed_at is None:
        if not _stale(user, policy):
            _send_confirmation(session, user, links, policy)
        return
    mail.queue(
        session,
        user,
        "reset",
        policy.context,
        link=links.reset_password(_reset_token(user, policy)),
        minutes=policy.reset_minutes,
    )
    audit.record(session, "user.reset-request", actor=None, target_type="user", target_id=user.id)


def _reset_token(user: User, policy: LinkPolicy) -> str:
    """Void once used (the password hash changes) and once the address changes (a link
    mailed to the old address must not reset the account its new owner holds)."""
    fingerprints = [signed_links.fingerprint(user.password_hash),
                    signed_links.fingerprint(user.email or "")]  # fmt: skip
    return signed_links.make(policy.secret_key, RESET, [user.id, *fingerprints])


def account_for_reset(session: Session, token: str, policy: LinkPolicy) -> User:
    """The account a reset link is for, while the link is fresh and unused."""
    payload = signed_links.read(policy.secret_key, RESET, token, policy.reset_minutes * 60)
    user = _account(session, payload)
    if len(payload) != 3 or signed_links.fingerprint(user.password_hash) != payload[1]:
        raise signed_links.LinkInvalid("this link was used already", "link.used")
    if signed_links.fingerprint(user.email or "") != payload[2]:
        raise signed_links.LinkInvalid(
            "the account's address changed since this link was sent", "link.address_changed"
        )
    return user


def reset_password(
    session: Session, token: str, new_password: str, policy: LinkPolicy, *, min_password_length: int
) -> User:
    """Set the password a reset link was sent for; every session of the account ends.

    Following the link proves the mailbox, so an address not yet confirmed
    is confirmed by it.  It also lifts a sign-in lockout: anyone who knows the
    user name can lock the account, and this is the owner's way out.
    """
    user = account_for_reset(session, token, policy)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    users.set_password_by_mail(session, user, new_password, min_password_length)
    throttle.clear(session, signin.lockout_key(user.username))
    return user


def _account(session: Session, payload: list) -> User:
    user = session.get(User, payload[0]) if payload and isinstance(payload[0], int) else None
    if user is None or not user.active or user.deleted_at is not None:
        raise signed_links.LinkInvalid("this link is not valid any more")
    return user
