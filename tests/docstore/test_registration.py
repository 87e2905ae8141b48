"""Self-registration, confirmation and reset by mail: links that work once, no enumeration."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from docstore.db import Database
from docstore.errors import Conflict
from docstore.models import AuditEvent, MailMessage, Role, User, UserSession, utcnow
from docstore.services import mail, registration, signin, users
from docstore.services.actors import CONSOLE
from docstore.services.signed_links import LinkExpired, LinkInvalid

from .conftest import make_user

CONTEXT = mail.MailContext("Bauaufsicht", "https://portal.example", "amt@example.de")
POLICY = registration.LinkPolicy("s3cret-key-for-tests", 48, 60, CONTEXT)
SIGNIN = signin.SignInPolicy("s3cret-key-for-tests")
PASSWORD = "Dachgeschoss-1957"


class Links:
    def confirm_email(self, token: str) -> str:
        return f"https://portal.example/confirm/{token}"

    def reset_password(self, token: str) -> str:
        return f"https://portal.example/reset/{token}"

    def sign_in(self) -> str:
        return "https://portal.example/login"

    def change_email(self, token: str) -> str:
        return f"https://portal.example/email/{token}"


def _register(s: Session, email: str = "Erika@Example.DE", password: str = PASSWORD, **kw):
    return registration.register(
        s,
        email=email,
        display_name=kw.pop("name", "Erika Mustermann"),
        password=password,
        language=kw.pop("language", "de"),
        links=Links(),
        policy=kw.pop("policy", POLICY),
        min_password_length=12,
    )


def _token(s: Session, address: str, kind: str, nth: int = -1) -> str:
    bodies = s.scalars(
        select(MailMessage.body).where(MailMessage.recipient == address).order_by(MailMessage.id)
    ).all()
    found = [m for b in bodies if (m := re.search(rf"/{kind}/(\S+)", b))]
    return found[nth].group(1)


def _sign_in(s: Session, name: str, password: str = PASSWORD) -> signin.Outcome:
    return signin.sign_in(s, name, password, address="127.0.0.1", policy=SIGNIN).outcome


def test_a_new_account_signs_in_only_after_the_confirmation(session: Session) -> None:
    assert _register(session) is registration.Registered.NEW
    user = session.scalar(select(User).where(User.email == "erika@example.de"))
    assert user.role == Role.CITIZEN and re.fullmatch(r"b-[a-z2-9]{8}", user.username)
    assert _sign_in(session, "erika@example.de") is signin.Outcome.UNCONFIRMED
    token = _token(session, "erika@example.de", "confirm")
    confirmed, how = registration.confirm_email(session, token, POLICY, PASSWORD)
    assert (confirmed, how) == (user, registration.Confirmed.NOW)
    assert _sign_in(session, "ERIKA@example.de") is signin.Outcome.SIGNED_IN
    # the same link again: a clear "already confirmed", not an error page
    assert (
        registration.confirm_email(session, token, POLICY, PASSWORD)[1]
        is registration.Confirmed.BEFORE
    )


def test_the_audit_trail_holds_no_address(session: Session) -> None:
    _register(session)
    registration.confirm_email(
        session, _token(session, "erika@example.de", "confirm"), POLICY, PASSWORD
    )
    _sign_in(session, "erika@example.de", "wrong password!")
    _sign_in(session, "nobody@example.de", "wrong password!")
    _sign_in(session, "erika@example.de")
    events = session.scalars(select(AuditEvent)).all()
    assert {"user.register", "user.email-confirm", "sign-in-failed", "sign-in"} <= {
        e.action for e in events
    }
    for event in events:
        assert "@" not in (event.details + (event.actor_name or "")), event.action


def test_a_known_address_gets_a_mail_and_no_second_account(session: Session) -> None:
    _register(session)
    registration.confirm_email(
        session, _token(session, "erika@example.de", "confirm"), POLICY, PASSWORD
    )
    again = _register(session, email="erika@example.de", password="Another-password-9")
    assert again is registration.Registered.KNOWN
    assert session.scalar(select(func.count()).select_from(User)) == 1
    subjects = session.scalars(select(MailMessage.subject).order_by(MailMessage.id)).all()
    assert subjects[-1] == "Sie haben bereits ein Konto"
    assert _sign_in(session, "erika@example.de") is signin.Outcome.SIGNED_IN  # unchanged


def test_who_registered_an_address_first_cannot_keep_it(session: Session) -> None:
    """The attacker registers the victim's address; the victim registers too and confirms."""
    _register(session, password="Attackers-pw-1234")
    assert _register(session) is registration.Registered.PENDING  # the victim's registration
    token = _token(session, "erika@example.de", "confirm")
    with pytest.raises(registration.WrongPassword):
        registration.confirm_email(session, token, POLICY, "Attackers-pw-1234")
    registration.confirm_email(session, token, POLICY, PASSWORD)
    assert _sign_in(session, "erika@example.de") is signin.Outcome.SIGNED_IN
    assert _sign_in(session, "erika@example.de", "Attackers-pw-1234") is signin.Outcome.FAILED


def test_an_expired_registration_frees_its_address(session: Session) -> None:
    quick = registration.LinkPolicy(POLICY.secret_key, 0, 60, CONTEXT)
    _register(session, policy=quick)
    first = session.scalar(select(User).where(User.email == "erika@example.de"))
    token = _token(session, "erika@example.de", "confirm")
    time.sleep(1.1)
    with pytest.raises(LinkExpired):
        registration.confirm_email(session, token, quick, PASSWORD)
    assert _register(session, policy=quick) is registration.Registered.NEW
    assert first.email is None and first.deleted_at is not None and not first.active
    assert session.scalar(select(func.count()).select_from(User)) == 2


def test_the_sweep_erases_only_registrations_whose_link_ran_out(session: Session) -> None:
    _register(session, email="alt@example.de")
    staff = users.create_user(session, "k.weber", PASSWORD, Role.CLERK, actor=CONSOLE)
    staff.email = "k.weber@example.de"  # unconfirmed, but no self-registration
    session.flush()
    session.execute(update(User).values(created_at=utcnow() - dt.timedelta(hours=49)))
    _register(session, email="neu@example.de")  # its link is still good
    assert registration.sweep_unconfirmed(session, 48) == 1
    emails = set(session.scalars(select(User.email).where(User.email.is_not(None))))
    assert emails == {"k.weber@example.de", "neu@example.de"}
    assert _register(session, email="alt@example.de") is registration.Registered.NEW


def test_links_are_bound_to_their_purpose_and_signature(session: Session) -> None:
    _register(session)
    token = _token(session, "erika@example.de", "confirm")
    with pytest.raises(LinkInvalid):
        registration.confirm_email(session, token[:-3] + "abc", POLICY, PASSWORD)
    with pytest.raises(LinkInvalid):
        registration.account_for_reset(session, token, POLICY)
    other_key = registration.LinkPolicy("another-instance", 48, 60, CONTEXT)
    with pytest.raises(LinkInvalid):
        registration.confirm_email(session, token, other_key, PASSWORD)


def test_a_reset_link_works_once_and_ends_every_session(session: Session) -> None:
    _register(session)
    registration.confirm_email(
        session, _token(session, "erika@example.de", "confirm"), POLICY, PASSWORD
    )
    assert _sign_in(session, "erika@example.de") is signin.Outcome.SIGNED_IN
    registration.request_reset(session, " Erika@example.de ", Links(), POLICY)
    token = _token(session, "erika@example.de", "reset")
    user = registration.reset_password(
        session, token, "Neues-Passwort-2026", POLICY, min_password_length=12
    )
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert _sign_in(session, "erika@example.de", "Neues-Passwort-2026") is signin.Outcome.SIGNED_IN
    with pytest.raises(LinkInvalid):
        registration.reset_password(
            session, token, "Drittes-Passwort-77", POLICY, min_password_length=12
        )
    assert users.check_password(user, "Neues-Passwort-2026")


def test_a_reset_lifts_the_lockout_a_stranger_caused(session: Session) -> None:
    """Knowing the address is enough to lock an account; the owner's reset unlocks it."""
    _register(session)
    registration.confirm_email(
        session, _token(session, "erika@example.de", "confirm"), POLICY, PASSWORD
    )
    for _ in range(SIGNIN.max_failures):
        _sign_in(session, "erika@example.de", "wrong guess")
    assert _sign_in(session, "erika@example.de") is signin.Outcome.LOCKED
    registration.request_reset(session, "erika@example.de", Links(), POLICY)
    registration.reset_password(session, _token(session, "erika@example.de", "reset"),
                                "Neues-Passwort-2026", POLICY, min_password_length=12)  # fmt: skip
    assert _sign_in(session, "erika@example.de", "Neues-Passwort-2026") is signin.Outcome.SIGNED_IN


def test_a_reset_for_an_unknown_address_sends_nothing(session: Session) -> None:
    registration.request_reset(session, "niemand@example.de", Links(), POLICY)
    registration.request_reset(session, "kein adresse", Links(), POLICY)
    assert session.scalar(select(func.count()).select_from(MailMessage)) == 0


def test_a_staff_account_resets_its_password_by_mail_too(session: Session) -> None:
    clerk = users.create_user(
        session, "k.weber", "Sachbearbeitung-1", Role.CLERK, actor=CONSOLE,
        email="K.Weber@Stadt.example",
    )  # fmt: skip
    assert clerk.email == "k.weber@stadt.example" and clerk.email_confirmed_at is not None
    registration.request_reset(session, "k.weber@stadt.example", Links(), POLICY)
    assert _token(session, "k.weber@stadt.example", "reset")


@pytest.mark.parametrize(
    ("email", "password", "problem"),
    [
        ("erika@", PASSWORD, users.BadEmail),
        ("erika@example.de", "kurz", users.WeakPassword),
        ("erika.mustermann@example.de", "erika.mustermann!", users.WeakPassword),
    ],
)
def test_bad_registrations_store_nothing(db: Database, email, password, problem) -> None:
    with pytest.raises(problem), db.transaction() as s:
        _register(s, email=email, password=password)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0
        assert s.scalar(select(func.count()).select_from(MailMessage)) == 0


def test_a_clerk_cannot_take_an_address_a_citizen_has(session: Session) -> None:
    _register(session)
    with pytest.raises(Conflict):
        users.create_user(session, "x.y", PASSWORD, Role.CLERK, actor=CONSOLE,
                          email="erika@example.de")  # fmt: skip
    make_user(session, "plain.user", Role.CITIZEN)  # no address: none needed
