"""Sign-in through a real SAML identity provider (Keycloak): first sign-in, link, refusals."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import saml2.time_util
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from docstore.identity_models import ExternalIdentity
from docstore.instance import Instance
from docstore.models import AuditEvent, User
from docstore.saml import SamlRejected, ServiceProvider, in_response_to
from tests.conftest import KEYCLOAK_PASSWORD, KEYCLOAK_REALM, KEYCLOAK_USER
from tests.saml_flow import keycloak_answer
from tests.servers import KeycloakServer
from viewer.web import create_app

from .conftest import PASSWORD, Archive, csrf_token, signin

PUBLIC = "https://bauakte.example"


@dataclass
class Saml:
    app: Flask
    instance: Instance
    keycloak: KeycloakServer
    metadata: Path


def with_saml(instance: Instance, keycloak: KeycloakServer, folder: Path) -> Saml:
    """``instance`` with BundID-style sign-in configured against the real Keycloak."""
    keycloak.add_saml_client(KEYCLOAK_REALM, f"{PUBLIC}/saml/metadata", f"{PUBLIC}/saml/acs")
    metadata = folder / "idp.xml"
    metadata.write_bytes(keycloak.metadata(KEYCLOAK_REALM))
    config = instance.config
    values = {**config.values, "public_url": PUBLIC, "saml_idp_metadata": str(metadata)}
    inst = Instance(replace(config, values=values))
    return Saml(create_app(inst, TESTING=True), inst, keycloak, metadata)


@pytest.fixture(scope="module")
def saml(archive: Archive, keycloak: KeycloakServer, tmp_path_factory) -> Iterator[Saml]:
    configured = with_saml(archive.instance, keycloak, tmp_path_factory.mktemp("saml"))
    yield configured
    configured.instance.close()


def _start(client: FlaskClient, **params: str) -> str:
    """Press "Mit BundID anmelden"; returns where the browser is sent."""
    page = client.get("/login")
    assert "Mit BundID anmelden" in page.text
    # the button's redirect leads to the provider's page: the policy must allow that form
    assert "form-action 'self' http://127.0.0.1:" in page.headers["Content-Security-Policy"]
    started = client.post("/saml/login", data={"csrf_token": csrf_token(page.text), **params})
    assert started.status_code == 302
    return started.headers["Location"]


def _answer(client: FlaskClient) -> str:
    return keycloak_answer(_start(client), KEYCLOAK_USER, KEYCLOAK_PASSWORD)


def _sign_in(client: FlaskClient):
    back = client.post("/saml/acs", data={"SAMLResponse": _answer(client)})
    assert back.status_code == 302 and "/saml/finish/" in back.headers["Location"]
    return client.get(back.headers["Location"])


def _identities(saml: Saml) -> list[tuple[int, str]]:
    with saml.instance.db.session() as s:
        return [(i.user_id, i.trust_level) for i in s.scalars(select(ExternalIdentity))]


def _refusals(saml: Saml) -> int:
    with saml.instance.db.session() as s:
        stmt = select(func.count()).where(AuditEvent.action == "sign-in-refused")
        return s.scalar(stmt.select_from(AuditEvent))


def _last_refusal(saml: Saml) -> str:
    with saml.instance.db.session() as s:
        stmt = select(AuditEvent.details).where(AuditEvent.action == "sign-in-refused")
        return s.scalars(stmt.order_by(AuditEvent.seq.desc())).first()


def test_the_first_sign_in_creates_an_account_the_next_finds(saml: Saml) -> None:
    client = saml.app.test_client()
    done = _sign_in(client)
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    [(user_id, level)] = _identities(saml)
    assert level == "basic"  # Keycloak's password sign-in names no eIDAS level
    with saml.instance.db.session() as s:
        user = s.get(User, user_id)
        assert (user.email, user.display_name) == ("max@example.de", "Max Mustermann")
        assert user.email_confirmed_at is not None and user.role == "citizen"
    again = saml.app.test_client()
    _sign_in(again)
    assert _identities(saml) == [(user_id, "basic")]  # the same account, no second one
    assert "über BundID angemeldet" in again.get("/account").text


def test_a_forged_assertion_is_refused(saml: Saml) -> None:
    client = saml.app.test_client()
    xml = base64.b64decode(_answer(client)).replace(b"max@example.de", b"eve@example.de")
    before = _refusals(saml)
    refused = client.post("/saml/acs", data={"SAMLResponse": base64.b64encode(xml).decode()})
    assert refused.status_code == 400 and "nicht geklappt" in refused.text
    assert _refusals(saml) == before + 1
    assert "Signature" in _last_refusal(saml)
    with saml.instance.db.session() as s:
        assert s.scalar(select(User.id).where(User.email == "eve@example.de")) is None


def _outer_issuer(answer: str, issuer_xml: str) -> str:
    """The answer with the Response's own signature dropped and its Issuer replaced (the
    signed assertion inside left as it is)."""
    xml = base64.b64decode(answer).decode()
    head, sep, rest = xml.partition("<saml:Assertion")
    head = re.sub(r"<dsig:Signature.*?</dsig:Signature>", "", head, flags=re.S)
    head = re.sub(r"<saml:Issuer>[^<]*</saml:Issuer>", issuer_xml, head)
    return base64.b64encode((head + sep + rest).encode()).decode()


@pytest.mark.parametrize("issuer_xml", ["<saml:Issuer>https://evil.example/</saml:Issuer>", ""])
def test_an_answer_must_name_the_configured_provider(saml: Saml, issuer_xml: str) -> None:
    """The outer Response is not signed: its Issuer must agree with the signed assertion's,
    which must be the provider of the metadata (else one person makes many accounts)."""
    client = saml.app.test_client()
    forged = _outer_issuer(_answer(client), issuer_xml)
    before = _identities(saml)
    response = client.post("/saml/acs", data={"SAMLResponse": forged})
    if issuer_xml:
        assert response.status_code == 400 and "is not from" in _last_refusal(saml)
    else:  # no outer Issuer at all is allowed by the standard: the assertion's counts
        assert response.status_code == 302
        client.get(response.headers["Location"])
    assert _issuers(saml) <= {saml_idp(saml)}  # no account under another issuer
    assert len(_identities(saml)) <= len(before) + 1


def _issuers(saml: Saml) -> set[str]:
    with saml.instance.db.session() as s:
        return set(s.scalars(select(ExternalIdentity.issuer)))


def saml_idp(saml: Saml) -> str:
    return f"{saml.keycloak.url}/realms/{KEYCLOAK_REALM}"


def test_an_answer_for_another_service_is_refused(saml: Saml) -> None:
    """The audience is checked: an assertion Keycloak made for Bauakte opens nothing else."""
    answer = _answer(saml.app.test_client())
    other = ServiceProvider("https://other.example/saml/metadata", f"{PUBLIC}/saml/acs",
                            saml.metadata)  # fmt: skip
    with pytest.raises(SamlRejected) as caught:
        other.read(answer, in_response_to(answer))
    assert "audience" in caught.value.reason.lower() or "Audience" in caught.value.reason


def test_an_expired_answer_is_refused(saml: Saml, monkeypatch) -> None:
    client = saml.app.test_client()
    answer = _answer(client)
    later = saml2.time_util.utc_now() + 3600  # posted an hour after it was made
    monkeypatch.setattr(saml2.time_util, "utc_now", lambda: later)
    assert client.post("/saml/acs", data={"SAMLResponse": answer}).status_code == 400
    assert "too old" in _last_refusal(saml)


def test_a_replayed_answer_is_refused(saml: Saml) -> None:
    client = saml.app.test_client()
    answer = _answer(client)
    assert client.post("/saml/acs", data={"SAMLResponse": answer}).status_code == 302
    assert client.post("/saml/acs", data={"SAMLResponse": answer}).status_code == 400
    assert "no sign-in that waits" in _last_refusal(saml)
    _start(client)  # a new sign-in waiting does not make the old answer good again
    assert client.post("/saml/acs", data={"SAMLResponse": answer}).status_code == 400


def test_an_answer_collected_by_another_browser_signs_nobody_in(saml: Saml) -> None:
    """Login CSRF: an attacker's own answer pushed into a victim's browser opens nothing."""
    attacker, victim = saml.app.test_client(), saml.app.test_client()
    back = victim.post("/saml/acs", data={"SAMLResponse": _answer(attacker)})
    assert back.status_code == 302
    assert victim.get(back.headers["Location"]).status_code == 400
    assert "another browser" in _last_refusal(saml)
    assert victim.get("/").status_code == 302  # still signed out
    assert attacker.get(back.headers["Location"]).status_code == 400  # and the handoff is spent


def test_a_signed_in_citizen_links_the_identity(
    saml: Saml, keycloak: KeycloakServer, archive: Archive
) -> None:
    keycloak.add_user(KEYCLOAK_REALM, "erika", "erika-password-1", email="erika.saml@example.de",
                      firstName="Erika", lastName="Musterfrau")  # fmt: skip
    client = saml.app.test_client()
    assert signin(client, "citizen.none").status_code == 302
    profile = client.get("/account")
    assert "Mit BundID verknüpfen" in profile.text
    link = {"link-csrf_token": csrf_token(profile.text), "next": "/account"}
    stolen = client.post("/saml/login", data={**link, "link-current_password": "a guess"})
    assert stolen.headers["Location"] == "/account"  # a session alone links nothing
    started = client.post("/saml/login", data={**link, "link-current_password": PASSWORD})
    assert started.headers["Location"].startswith(saml.keycloak.url)
    answer = keycloak_answer(started.headers["Location"], "erika", "erika-password-1")
    back = client.post("/saml/acs", data={"SAMLResponse": answer})
    done = client.get(back.headers["Location"])
    assert done.status_code == 302 and done.headers["Location"] == "/account"
    with saml.instance.db.session() as s:
        own = s.scalar(select(User).where(User.username == "citizen.none"))
        linked = s.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == own.id))
        assert linked is not None
    assert "Ihre BundID ist mit Ihrem Konto verknüpft" in client.get("/account").text
    desk = _own_clerk(saml, "clerk.desk").get(f"/review/{archive.application}").text
    assert "Name laut BundID: Erika Musterfrau" in desk  # beside the name the account gives


def _own_clerk(saml: Saml, name: str) -> FlaskClient:
    """A clerk of the test's own: a one-time code counts once."""
    from docstore.models import Role
    from docstore.services import users
    from docstore.services.actors import CONSOLE

    from .conftest import enrol, totp_code

    with saml.instance.db.transaction() as s:
        users.create_user(s, name, PASSWORD, Role.CLERK, actor=CONSOLE)
        secret = enrol(s, name, saml.instance.config.secret_key)
    clerk = saml.app.test_client()
    assert signin(clerk, name, code=totp_code(secret)).status_code == 302
    return clerk


def test_staff_do_not_sign_in_through_the_provider(saml: Saml) -> None:
    clerk = _own_clerk(saml, "clerk.saml")
    page = clerk.get("/account")
    assert "Mit BundID verknüpfen" not in page.text
    assert clerk.post("/saml/login", data={"csrf_token": csrf_token(page.text)}).status_code == 403


def test_without_a_provider_there_is_no_button_and_no_route(app: Flask) -> None:
    client = app.test_client()
    assert "BundID" not in client.get("/login").text
    assert client.get("/saml/metadata").status_code == 404
    assert client.post("/saml/acs", data={"SAMLResponse": "x"}).status_code == 404


def test_the_metadata_names_this_service(saml: Saml) -> None:
    answer = saml.app.test_client().get("/saml/metadata")
    assert answer.status_code == 200 and f"{PUBLIC}/saml/acs".encode() in answer.data


BOMB = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
        b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        b'InResponseTo="&c;"/>')  # fmt: skip


@pytest.mark.parametrize(
    "answer",
    ["", "not base64 at all ✓", base64.b64encode(b"<html/>").decode(),
     base64.b64encode(BOMB).decode(), "A" * 600_000,
     base64.b64encode(b'<Response xmlns="urn:oasis:names:tc:SAML:2.0:protocol" '
                      b'InResponseTo="_forged"/>').decode()],
)  # fmt: skip
def test_hostile_answers_are_refused_plainly(saml: Saml, answer: str) -> None:
    response = saml.app.test_client().post("/saml/acs", data={"SAMLResponse": answer})
    assert response.status_code == 400 and "nicht geklappt" in response.text


def test_the_way_back_only_leads_into_this_site(saml: Saml) -> None:
    client = saml.app.test_client()
    location = _start(client, next="https://evil.example/")
    back = client.post(
        "/saml/acs",
        data={"SAMLResponse": keycloak_answer(location, KEYCLOAK_USER, KEYCLOAK_PASSWORD)},
    )
    done = client.get(back.headers["Location"])
    assert done.status_code == 302 and done.headers["Location"] == "/"


def test_a_stray_link_does_not_spoil_a_sign_in_under_way(saml: Saml) -> None:
    client = saml.app.test_client()
    answer = _answer(client)
    assert client.get("/saml/finish/planted-elsewhere").status_code == 400
    back = client.post("/saml/acs", data={"SAMLResponse": answer})
    assert client.get(back.headers["Location"]).status_code == 302
    assert client.get("/").status_code == 200


def test_a_refused_answer_ends_the_sign_in_it_named(saml: Saml) -> None:
    client = saml.app.test_client()
    answer = _answer(client)
    forged = base64.b64decode(answer).replace(b"Mustermann", b"Musterfrau")
    assert client.post("/saml/acs", data={
        "SAMLResponse": base64.b64encode(forged).decode()}).status_code == 400  # fmt: skip
    assert client.post("/saml/acs", data={"SAMLResponse": answer}).status_code == 400
    assert "no sign-in that waits" in _last_refusal(saml)
