"""Signing in: password check, temporary lockout after repeated failures, audit events.

The lockout counts failures per account name in the shared counters (see
:mod:`.throttle`), so every server worker sees the same count.  Unknown
names are counted like known ones: the answer never tells whether an
account exists.  The outcome is returned, not raised, so that the failure
count and the audit events commit with the caller's transaction.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.orm import Session

from ..models import User
from . import audit, second_factor, sessions, throttle, users


class Outcome(StrEnum):
    SIGNED_IN = "signed-in"
    SECOND_FACTOR = "second-factor"
    """The password was right; a one-time code (or enrolment, for new staff) must follow."""
    FAILED = "failed"
    LOCKED = "locked"
    UNCONFIRMED = "unconfirmed"
    """The password was right, but the e-mail address of a self-registered account is not
    confirmed yet (told only to whoever knows the password)."""


@dataclass(frozen=True)
class SignInPolicy:
    secret_key: str
    """Decrypts the stored TOTP secrets (see :mod:`.second_factor`)."""
    max_failures: int = 5
    lockout_seconds: int = 15 * 60
    lifetime: sessions.Lifetime = field(default_factory=sessions.Lifetime)


@dataclass(frozen=True)
class SignInResult:
    outcome: Outcome
    user: User | None = None
    retry_after: int = 0
    """Seconds until a locked account may try again."""
    session_key: str | None = None
    """The new server-side session's key (for the cookie) when signed in."""


def lockout_key(username: str) -> str:
    return f"signin-failures:{username.strip().casefold()}"


def sign_in(
    session: Session, username: str, password: str, *, address: str, policy: SignInPolicy
) -> SignInResult:
    account = users.find_account(session, username)
    key = lockout_key(account.username if account else username)
    details = {"username": _named(account, username), "address": address}
    if locked := _refuse_if_locked(session, key, details, policy):
        return locked
    user = users.authenticate(session, username, password)
    if user is None:
        return _failure(session, key, details, policy)
    if user.email and user.email_confirmed_at is None:
        return SignInResult(Outcome.UNCONFIRMED, user)
    if second_factor.required(user):
        second_factor.discard_unconfirmed(user)  # whoever saw an earlier QR code: not this one
        return SignInResult(Outcome.SECOND_FACTOR, user)
    return _signed_in(session, user, key, {"address": address}, policy)


def _named(account: User | None, typed: str) -> str:
    """Who the audit trail says tried: the account's (pseudonymous) name, never a typed
    e-mail address, which would stay in the unalterable trail after the account is gone."""
    if account is not None:
        return account.username
    return "(unknown e-mail address)" if "@" in typed else typed.strip()[:100]


def complete_with_code(
    session: Session, user: User, code: str, *, address: str, policy: SignInPolicy
) -> SignInResult:
    """The second step: a one-time or recovery code; failures count toward the lockout."""
    key = lockout_key(user.username)
    details = {"username": user.username, "address": address}
    if locked := _refuse_if_locked(session, key, details, policy):
        return locked
    method = second_factor.verify(session, user, code, policy.secret_key)
    if method is None:
        return _failure(session, key, {**details, "reason": "second factor"}, policy)
    details = {"address": address, "second_factor": method}
    return _signed_in(session, user, key, details, policy)


def _refuse_if_locked(
    session: Session, key: str, details: dict, policy: SignInPolicy
) -> SignInResult | None:
    if throttle.count(session, key) < policy.max_failures:
        return None
    audit.record(session, "sign-in-refused", actor=None, details={**details, "reason": "locked"})
    return SignInResult(Outcome.LOCKED, retry_after=_remaining(session, key))


def _failure(session: Session, key: str, details: dict, policy: SignInPolicy) -> SignInResult:
    """Count the failure; the one that reaches the limit locks the account."""
    failures = throttle.hit(session, key, policy.lockout_seconds)
    audit.record(session, "sign-in-failed", actor=None, details=details)
    if failures >= policy.max_failures:
        audit.record(
            session, "account-locked", actor=None, details={**details, "failures": failures}
        )
        return SignInResult(Outcome.LOCKED, retry_after=_remaining(session, key))
    return SignInResult(Outcome.FAILED)


def complete_with_enrolment(
    session: Session, user: User, *, address: str, policy: SignInPolicy
) -> SignInResult:
    """Staff who just confirmed their new second factor are signed in by that confirmation."""
    if not second_factor.enrolled(user):
        return SignInResult(Outcome.FAILED)
    details = {"address": address, "second_factor": "enrolment"}
    return _signed_in(session, user, lockout_key(user.username), details, policy)


def signed_in_by_provider(
    session: Session, user: User, *, address: str, trust_level: str, policy: SignInPolicy
) -> SignInResult:
    """An identity provider vouched for ``user`` (see :mod:`.identities`): a new session."""
    details = {"address": address, "method": "saml", "trust_level": trust_level}
    return _signed_in(session, user, lockout_key(user.username), details, policy)


def _signed_in(
    session: Session, user: User, key: str, details: dict, policy: SignInPolicy
) -> SignInResult:
    throttle.clear(session, key)
    audit.record(session, "sign-in", actor=user, details=details)
    return SignInResult(
        Outcome.SIGNED_IN, user, session_key=sessions.start(session, user, policy.lifetime)
    )


def sign_out(session: Session, user: User, session_key: str, *, everywhere: bool) -> None:
    """End this browser's session; ``everywhere`` ends every session and API token of the user."""
    audit.record(session, "sign-out", actor=user, details={"everywhere": everywhere})
    if everywhere:
        sessions.end_all(session, user, reason="sign-out everywhere", actor=user)
    else:
        sessions.end(session, session_key)


def confirm_identity(
    session: Session,
    user: User,
    password: str,
    code: str | None,
    *,
    address: str,
    policy: SignInPolicy,
) -> sessions.Confirmed | None:
    """Check the password again, and the one-time code if the user has a second factor.

    Failures count toward the same lockout as sign-in, so a stolen session
    cannot be used to guess the password; the failure that locks the
    account also ends its sessions.
    """
    key = lockout_key(user.username)
    details = {"username": user.username, "address": address, "reason": "confirmation"}
    if throttle.count(session, key) >= policy.max_failures:
        audit.record(session, "sign-in-refused", actor=user, details=details)
        return None
    good = users.check_password(user, password)
    if good and second_factor.enrolled(user):
        good = second_factor.verify(session, user, code or "", policy.secret_key) is not None
    if good:
        throttle.clear(session, key)
        return sessions.Confirmed(user.id)
    if _failure(session, key, details, policy).outcome is Outcome.LOCKED:
        sessions.end_all(session, user, reason="locked", actor=user)
    return None


def _remaining(session: Session, key: str) -> int:
    return max(1, math.ceil(throttle.expires_at(session, key) - time.time()))
