"""Identities from a SAML provider: account found, created or linked; each answer used once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docstore.errors import PermissionDenied
from docstore.identity_models import ExternalIdentity, TrustLevel
from docstore.models import Role, utcnow
from docstore.saml import Assertion, SamlRejected, trust_level
from docstore.services import identities

from .conftest import make_user


def _assertion(subject: str = "G1234", **kw) -> Assertion:
    values = {"issuer": "https://id.bund.de", "subject": subject, "assertion_id": f"_a-{subject}",
              "trust_level": TrustLevel.SUBSTANTIAL,
              "expires_at": utcnow() + dt.timedelta(minutes=5),
              "attributes": {"email": "Max@Example.de", "given_name": "Max", "surname": "Muster"},
              **kw}  # fmt: skip
    return Assertion(**values)


def test_levels_follow_eidas_and_stork_and_default_to_basic() -> None:
    assert trust_level(["STORK-QAA-Level-4"]) is TrustLevel.HIGH
    assert trust_level(["http://eidas.europa.eu/LoA/substantial"]) is TrustLevel.SUBSTANTIAL
    assert trust_level(["urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified"]) is TrustLevel.BASIC
    assert trust_level([]) is TrustLevel.BASIC


def test_an_identity_makes_one_account_and_keeps_its_latest_level(session: Session) -> None:
    first = identities.account_for(session, _assertion())
    assert (first.email, first.display_name, first.role) == (
        "max@example.de",
        "Max Muster",
        "citizen",
    )
    again = identities.account_for(session, _assertion(trust_level=TrustLevel.HIGH))
    assert again.id == first.id
    assert identities.trust_of(session, first.id) is TrustLevel.HIGH
    assert session.scalar(select(func.count()).select_from(ExternalIdentity)) == 1


def test_an_address_another_account_has_is_not_taken(session: Session) -> None:
    owner = make_user(session, "erika", Role.CITIZEN)
    owner.email = "max@example.de"
    session.flush()
    created = identities.account_for(session, _assertion("G999"))
    assert created.id != owner.id and created.email is None  # never a takeover by address


def test_linking_is_for_citizens_and_one_account_per_identity(session: Session) -> None:
    own = make_user(session, "erika", Role.CITIZEN)
    clerk = make_user(session, "k.weber", Role.CLERK)
    with pytest.raises(PermissionDenied):
        identities.account_for(session, _assertion(), link_to=clerk)
    assert identities.account_for(session, _assertion(), link_to=own).id == own.id
    other = make_user(session, "max", Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        identities.account_for(session, _assertion(), link_to=other)
    own.role = Role.CLERK.value  # made staff later: no sign-in around the one-time code
    with pytest.raises(PermissionDenied):
        identities.account_for(session, _assertion())


def test_each_request_and_each_assertion_counts_once(session: Session) -> None:
    identities.begin(session, "_r1", "nonce-1", "/")
    identities.begin(session, "_r2", "nonce-2", "/")
    token = identities.receive(session, "_r1", _assertion())
    with pytest.raises(SamlRejected):  # the same request again
        identities.receive(session, "_r1", _assertion("G2"))
    with pytest.raises(SamlRejected, match="replay"):  # the same assertion for another request
        identities.receive(session, "_r2", _assertion())
    assert identities.collect(session, token, "another browser's nonce") is None
    with pytest.raises(SamlRejected):  # spent, even for the right browser now
        identities.collect(session, token, "nonce-1")
    identities.begin(session, "_r3", "nonce-3", "/applications/new")
    token = identities.receive(session, "_r3", _assertion("G3", assertion_id="_a3"))
    assertion, next_url = identities.collect(session, token, "nonce-3")
    assert (assertion.subject, next_url) == ("G3", "/applications/new")


def test_an_erased_account_lets_go_of_its_identity(session: Session) -> None:
    from docstore.services import profile, sessions

    user = identities.account_for(session, _assertion("G-erase"))
    profile.delete_own_account(session, user, confirmed=sessions.Confirmed(user.id))
    again = identities.account_for(session, _assertion("G-erase"))
    assert again.id != user.id and again.active  # the person can start afresh
