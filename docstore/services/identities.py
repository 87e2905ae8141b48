"""Sign-in through a SAML identity provider (BundID-style): the handshake and the account.

The web layer only carries messages: :func:`begin` records a request and the
nonce of the browser that made it; :func:`receive` parks the checked answer and
returns a one-time handoff; :func:`finish` hands it to the same browser and
signs in (or links) the account.  Each request and each assertion is used once.

A first sign-in creates a citizen's account (or links the identity to the
signed-in account asking for it); later ones find it by (issuer, subject).
The provider's e-mail address is taken as confirmed only while no other
account has it: an account is never taken over by an address alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import asdict

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import PermissionDenied
from ..identity_models import ExternalIdentity, SamlLogin, SeenAssertion, TrustLevel
from ..models import Role, User, utcnow
from ..saml import Assertion, SamlRejected
from . import audit, registration, users

LOGIN_SECONDS = 10 * 60
"""How long a started sign-in waits for the provider's answer (the person types a PIN)."""
HANDOFF_SECONDS = 2 * 60
NOT_WAITING = "the answer is for no sign-in that waits (used, expired or foreign)"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def begin(session: Session, request_id: str, nonce: str, next_url: str) -> None:
    """A browser (holding ``nonce`` in its session) was sent to the provider."""
    now = utcnow()
    session.execute(delete(SamlLogin).where(SamlLogin.expires_at < now))
    session.add(SamlLogin(request_id=request_id[:100], nonce_hash=_digest(nonce),
                          next_url=next_url[:500],
                          expires_at=now + dt.timedelta(seconds=LOGIN_SECONDS)))  # fmt: skip


def waiting(session: Session, request_id: str) -> bool:
    """Whether an answer to ``request_id`` is still expected (checked before parsing it)."""
    row = session.scalar(select(SamlLogin).where(SamlLogin.request_id == request_id))
    return row is not None and row.result is None and row.expires_at > utcnow()


def receive(session: Session, request_id: str, assertion: Assertion) -> str:
    """Park the checked assertion for the browser that asked; returns the handoff token."""
    row = session.scalar(
        select(SamlLogin).where(SamlLogin.request_id == request_id).with_for_update()
    )
    if row is None or row.result is not None or row.expires_at <= utcnow():
        raise SamlRejected(NOT_WAITING)
    _use_once(session, assertion)
    token = secrets.token_urlsafe(32)
    row.handoff_hash = _digest(token)
    row.result = json.dumps({**asdict(assertion), "expires_at": assertion.expires_at.isoformat()})
    row.expires_at = utcnow() + dt.timedelta(seconds=HANDOFF_SECONDS)
    return token


def _use_once(session: Session, assertion: Assertion) -> None:
    session.execute(delete(SeenAssertion).where(SeenAssertion.expires_at < utcnow()))
    try:
        with session.begin_nested():
            session.add(SeenAssertion(assertion_id=assertion.assertion_id[:200],
                                      expires_at=assertion.expires_at))  # fmt: skip
    except IntegrityError:
        raise SamlRejected("this assertion was used already (replay)") from None


def collect(session: Session, token: str, nonce: str) -> tuple[Assertion, str] | None:
    """The parked assertion and where to go next, for the browser holding ``nonce`` only.

    Used once either way: a handoff shown by another browser is spent and None returned
    (the caller commits, then refuses), so it cannot be tried again elsewhere.
    """
    row = session.scalar(
        select(SamlLogin).where(SamlLogin.handoff_hash == _digest(token)).with_for_update()
    )
    if row is None or row.expires_at <= utcnow() or row.result is None:
        raise SamlRejected("this sign-in is unknown or expired")
    session.delete(row)
    if not secrets.compare_digest(row.nonce_hash, _digest(nonce)):
        return None
    data = json.loads(row.result)
    data["trust_level"] = TrustLevel(data["trust_level"])
    data["expires_at"] = dt.datetime.fromisoformat(data["expires_at"])
    return Assertion(**data), row.next_url


def account_for(session: Session, assertion: Assertion, *, link_to: User | None = None) -> User:
    """The account the identity signs in to: found, linked to ``link_to``, or created."""
    identity = session.scalar(
        select(ExternalIdentity).where(
            ExternalIdentity.issuer == assertion.issuer,
            ExternalIdentity.subject == assertion.subject,
        )
    )
    if link_to is not None and link_to.is_staff:
        raise PermissionDenied(
            "staff accounts sign in with password and one-time code", "identity.staff"
        )
    if identity is not None:
        user = session.get(User, identity.user_id)
        if link_to is not None and link_to.id != identity.user_id:
            raise PermissionDenied("this identity belongs to another account", "identity.taken")
        if user is None or not user.active or user.deleted_at is not None:
            raise PermissionDenied("this account is closed", "identity.closed")
        if user.is_staff:  # an account made staff later must not skip its one-time code
            raise PermissionDenied(
                "staff accounts sign in with password and one-time code", "identity.staff"
            )
        identity.trust_level, identity.last_seen_at = assertion.trust_level.value, utcnow()
        identity.asserted_name = asserted_name(assertion)
        return user
    user = link_to or _new_account(session, assertion)
    level = assertion.trust_level.value
    session.add(ExternalIdentity(user_id=user.id, issuer=assertion.issuer[:500],
                                 subject=assertion.subject, trust_level=level,
                                 asserted_name=asserted_name(assertion)))  # fmt: skip
    details = {"issuer": assertion.issuer[:200], "trust_level": level}
    audit.record(session, "user.identity-link", actor=user, target_type="user",
                 target_id=user.id, details=details)  # fmt: skip
    return user


def asserted_name(assertion: Assertion) -> str | None:
    names = (assertion.attributes.get("given_name", ""), assertion.attributes.get("surname", ""))
    name = " ".join(" ".join(names).split())[:200]
    return name if name and name.isprintable() else None


def _new_account(session: Session, assertion: Assertion) -> User:
    name = asserted_name(assertion)
    email = _free_address(session, assertion.attributes.get("email", ""))
    user = User(
        username=registration.new_pseudonym(session),
        role=Role.CITIZEN.value,
        password_hash=users.hash_password(secrets.token_urlsafe(32)),  # no password to guess
        display_name=name,
        email=email,
        email_confirmed_at=utcnow() if email else None,
    )
    session.add(user)
    session.flush()
    audit.record(session, "user.register-saml", actor=user, target_type="user",
                 target_id=user.id)  # fmt: skip
    return user


def _free_address(session: Session, address: str) -> str | None:
    try:
        normal = users.normal_email(address)
    except users.BadEmail:
        return None
    taken = session.scalar(select(User.id).where(User.email == normal))
    return None if taken is not None else normal


def identity_of(session: Session, user_id: int) -> ExternalIdentity | None:
    """The linked identity with the highest level its last sign-in had; None: own account."""
    found = session.scalars(
        select(ExternalIdentity).where(ExternalIdentity.user_id == user_id)
    ).all()
    order = list(TrustLevel)
    return max(found, key=lambda i: order.index(TrustLevel(i.trust_level)), default=None)


def trust_of(session: Session, user_id: int) -> TrustLevel | None:
    identity = identity_of(session, user_id)
    return TrustLevel(identity.trust_level) if identity else None


def spoil(session: Session, request_id: str) -> None:
    """A refused answer ends the sign-in it claimed to answer: one waiting request does not
    take hostile answers (each a signature check) for its whole lifetime."""
    session.execute(delete(SamlLogin).where(SamlLogin.request_id == request_id))


def forget(session: Session, user: User) -> None:
    """The account is erased: its identities go, so the person may start afresh."""
    session.execute(delete(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
