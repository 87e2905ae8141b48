"""One's own details, a new address confirmed by mail, and deleting one's account."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docstore.errors import PermissionDenied
from docstore.models import (
    AuditEvent,
    Grant,
    Legitimation,
    MailMessage,
    RequestStatus,
    Role,
    User,
    UserSession,
)
from docstore.services import (
    applications,
    audit,
    grants,
    profile,
    registration,
    sessions,
    signin,
    tokens,
)
from docstore.services.actors import CONSOLE
from docstore.services.signed_links import LinkInvalid

from .conftest import make_file, make_user
from .test_registration import PASSWORD, POLICY, SIGNIN, Links, _register, _token


def _citizen(s: Session, email: str = "erika@example.de") -> User:
    _register(s, email=email)
    registration.confirm_email(s, _token(s, email, "confirm"), POLICY, PASSWORD)
    return s.scalar(select(User).where(User.email == email))


def _confirmed(s: Session, user: User) -> sessions.Confirmed:
    proof = signin.confirm_identity(s, user, PASSWORD, None, address="127.0.0.1", policy=SIGNIN)
    assert proof is not None
    return proof


def test_details_are_stored_and_the_trail_names_only_the_fields(session: Session) -> None:
    user = _citizen(session)
    details = profile.Details(
        "Erika  Mustermann", "Venloer Str. 411", "50825", "Köln", "+49 221 123", "en"
    )
    changed = profile.update_details(session, user, details)
    assert changed == ["street", "postcode", "city", "phone", "language"]
    assert (user.street, user.city, user.language) == ("Venloer Str. 411", "Köln", "en")
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "user.profile" and "Venloer" not in event.details
    assert profile.update_details(session, user, details) == []


@pytest.mark.parametrize(
    "details",
    [
        profile.Details(""),
        profile.Details("E", phone="1" * 51),
        profile.Details("E", street="a\x00b"),
        profile.Details("E", language="fr"),
    ],
)
def test_bad_details_are_refused_by_field(session: Session, details: profile.Details) -> None:
    user = _citizen(session)
    with pytest.raises(profile.BadDetail):
        profile.update_details(session, user, details)


def test_a_new_address_counts_once_its_owner_confirms(session: Session) -> None:
    user = _citizen(session)
    other = _citizen(session, "max@example.de")
    sessions.start(session, user, sessions.Lifetime())
    registration.request_reset(session, "erika@example.de", Links(), POLICY)
    reset_token = _token(session, "erika@example.de", "reset")
    change(session, user, "Neu@Example.de")
    assert user.email == "erika@example.de"  # until confirmed
    token = _token(session, "neu@example.de", "email")
    with pytest.raises(LinkInvalid):
        profile.confirm_email_change(session, other, token, POLICY)
    assert profile.confirm_email_change(session, user, token, POLICY) == "neu@example.de"
    assert (
        signin.sign_in(session, "neu@example.de", PASSWORD, address="x", policy=SIGNIN).outcome
        is signin.Outcome.SIGNED_IN
    )
    told = session.scalars(select(MailMessage).where(MailMessage.recipient == "erika@example.de"))
    notice = [m for m in told if "geändert" in m.subject]
    assert notice and "n***@example.de" in notice[0].body  # the old address hears of it
    own = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert session.scalar(own) == 1  # only the sign-in just made; the earlier session ended
    with pytest.raises(LinkInvalid):  # a reset link sent to the old address is void now
        registration.account_for_reset(session, reset_token, POLICY)


def change(session: Session, user: User, address: str) -> None:
    profile.request_email_change(
        session, user, address, Links(), POLICY, confirmed=_confirmed(session, user)
    )


def test_a_new_address_needs_the_password(session: Session) -> None:
    user, stranger = _citizen(session), _citizen(session, "max@example.de")
    with pytest.raises(PermissionDenied):
        profile.request_email_change(session, user, "neu@example.de", Links(), POLICY,
                                     confirmed=_confirmed(session, stranger))  # fmt: skip
    assert user.pending_email is None


def test_an_address_in_use_gets_no_mail(session: Session) -> None:
    user = _citizen(session)
    _citizen(session, "max@example.de")
    before = session.scalar(select(func.count()).select_from(MailMessage))
    change(session, user, "max@example.de")
    assert session.scalar(select(func.count()).select_from(MailMessage)) == before


def test_deleting_removes_the_person_and_keeps_the_trail(session: Session) -> None:
    user = _citizen(session)
    profile.update_details(session, user, profile.Details("Erika Mustermann", "Weg 1", "1", "K"))
    grant = grants.grant_access(session, user, make_file(session, "63-BA-2020-0009"), actor=CONSOLE)
    _, plain = tokens.create_token(
        session, user, "laptop", confirmed=_confirmed(session, user), valid_days=30
    )
    pseudonym = user.username
    notice = applications.Notice(POLICY.context)
    pending = applications.submit(session, user, applications.Application(
        Legitimation.NEIGHBOUR, "Anbau", aktenzeichen="63-BA-2020-0009"), notice)  # fmt: skip
    profile.delete_own_account(session, user, confirmed=_confirmed(session, user))
    assert pending.status == RequestStatus.WITHDRAWN  # no clerk works on it any more
    assert user.username == pseudonym and user.deleted_at is not None and not user.active
    assert (user.email, user.display_name, user.street, user.phone) == (None, None, None, None)
    assert session.get(Grant, grant.id).revoked_at is not None
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert tokens.live_token(session, plain) is None
    assert session.scalar(select(func.count()).where(MailMessage.user_id == user.id)) == 0
    assert (
        signin.sign_in(session, "erika@example.de", PASSWORD, address="x", policy=SIGNIN).outcome
        is signin.Outcome.FAILED
    )
    assert audit.verify_chain(session).ok
    trail = " ".join(e.details + (e.actor_name or "") for e in session.scalars(select(AuditEvent)))
    assert not re.search(r"erika|Mustermann|Weg 1", trail, re.I)
    # the address is free for a new account
    assert _register(session) is registration.Registered.NEW


def test_deleting_needs_the_password_and_is_not_for_staff(session: Session) -> None:
    user = _citizen(session)
    clerk = make_user(session, "k.weber", Role.CLERK)
    with pytest.raises(PermissionDenied):
        profile.delete_own_account(session, user, confirmed=sessions.Confirmed(clerk.id))
    with pytest.raises(PermissionDenied):
        profile.delete_own_account(session, clerk, confirmed=sessions.Confirmed(clerk.id))
    assert user.active and clerk.active
