"""Time-based one-time passwords (RFC 6238, via pyotp) and recovery codes.

Mandatory for staff, optional for external users.  A code is accepted once:
the time step of the last accepted code is kept, so a code seen over a
shoulder or in a proxy log cannot be replayed.  Recovery codes are stored
as SHA-256 hashes (they are long random strings; a slow hash adds nothing)
and each works once.

The TOTP secret is stored encrypted (Fernet) under a key derived from the
instance's secret key, which lives in ``config.toml``, not in the database:
a copy of the database alone does not yield anyone's codes.  Changing the
secret key therefore makes every enrolled user set up the app again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import UsageError
from ..models import RecoveryCode, User, utcnow
from . import audit, roles, sessions
from .actors import Actor
from .roles import Capability

ISSUER = "Bauakte"
RECOVERY_CODES = 10
STEP_SECONDS = 30
SIX_DIGITS = re.compile(r"[0-9]{6}")
"""ASCII digits only: str.isdigit() also takes '١٢٣٤٥٦' or '²', which hmac cannot compare."""


def required(user: User) -> bool:
    """Staff must use a second factor; anyone who enrolled one uses it."""
    return user.is_staff or enrolled(user)


def enrolled(user: User) -> bool:
    return user.totp_secret is not None and user.totp_confirmed_at is not None


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(b"bauakte second factor\0" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_of(user: User, key: str) -> str:
    """The user's TOTP secret in clear (for the QR code and for checking codes)."""
    if user.totp_secret is None:
        raise UsageError("no second factor is being set up", "totp.not_started")
    try:
        return _fernet(key).decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        raise UsageError(
            "the second factor was set up under another secret key; an admin must reset it",
            "totp.other_key",
        ) from None


def begin_enrolment(session: Session, user: User, key: str) -> str:
    """A new secret for the user to scan; it counts only after a code confirms it."""
    if enrolled(user):
        raise UsageError("a second factor is already set up for this account", "totp.exists")
    secret = pyotp.random_base32()
    user.totp_secret = _fernet(key).encrypt(secret.encode()).decode()
    user.totp_confirmed_at = None
    return secret


def restart_enrolment(
    session: Session, user: User, key: str, *, confirmed: sessions.Confirmed
) -> str:
    """A signed-in user's own set-up: always a fresh secret, shown only after the password.

    A secret made before the confirmation (perhaps seen by someone holding
    the session) is thrown away, so nobody else can know the confirmed one.
    """
    confirmed.require(user)
    if enrolled(user):
        raise UsageError("a second factor is already set up for this account", "totp.exists")
    user.totp_secret = None
    return begin_enrolment(session, user, key)


def discard_unconfirmed(user: User) -> None:
    """Forget a secret that no code has confirmed yet (the next enrolment makes a new one)."""
    if not enrolled(user):
        user.totp_secret = None


def provisioning_uri(user: User, key: str) -> str:
    totp = pyotp.TOTP(secret_of(user, key))
    return totp.provisioning_uri(name=user.username, issuer_name=ISSUER)


def confirm_enrolment(session: Session, user: User, code: str, key: str) -> list[str] | None:
    """Confirm with a first code; returns the recovery codes (shown once), None if wrong."""
    if user.totp_secret is None or enrolled(user) or not _accept_code(user, code, key):
        return None
    user.totp_confirmed_at = utcnow()
    codes = _new_recovery_codes(session, user)
    audit.record(session, "second-factor.enrol", actor=user)
    return codes


def verify(session: Session, user: User, code: str, key: str) -> str | None:
    """'totp' or 'recovery' when ``code`` is good (a recovery code is used up), else None."""
    if not enrolled(user):
        return None
    cleaned = code.strip().replace(" ", "")
    if SIX_DIGITS.fullmatch(cleaned) and _accept_code(user, cleaned, key):
        return "totp"
    digest = _hash(cleaned.lower())
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.used_at.is_(None),
            RecoveryCode.code_hash == digest,
        )
    )
    if row is None:
        return None
    row.used_at = utcnow()
    return "recovery"


def remaining_recovery_codes(session: Session, user: User) -> int:
    rows = session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(rows.all())


def reset(
    session: Session, user: User, *, actor: Actor, confirmed: sessions.Confirmed | None
) -> None:
    """Remove the second factor (an admin's help for a lost phone); staff enrol again at sign-in.

    Every session and token of the account ends.  A signed-in admin confirms
    with their own password and code first (the console needs neither).
    """
    roles.require(actor, Capability.ADMINISTER)
    sessions.require_confirmed(actor, confirmed)
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    audit.record(session, "second-factor.reset", actor=actor, details={"user": user.username})
    sessions.end_all(session, user, reason="second-factor reset", actor=actor)


def _accept_code(user: User, code: str, key: str) -> bool:
    """Check against the previous, current and next time step; never the same step twice."""
    if not SIX_DIGITS.fullmatch(code) or user.totp_secret is None:
        return False
    totp = pyotp.TOTP(secret_of(user, key))
    now_step = int(time.time()) // STEP_SECONDS
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    for row in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(row)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
