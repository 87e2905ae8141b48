"""Registration, confirmation and password reset through the web forms, mail over real SMTP."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from docstore.mail_transport import open_transport
from docstore.models import MailMessage, User
from docstore.services import mail
from tests.servers import SmtpServer, mail_links

from .conftest import Archive, csrf_token, signin

PASSWORD = "Gartenhaus-Anbau-1962"


def _address() -> str:
    return f"buerger.{uuid.uuid4().hex[:8]}@example.de"


def _post(client: FlaskClient, path: str, **data: str):
    page = client.get(path)
    assert page.status_code == 200, path
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


def _register(client: FlaskClient, address: str, password: str = PASSWORD, **extra: str):
    return _post(
        client,
        "/register",
        display_name=extra.pop("name", "Erika Mustermann"),
        email=address,
        password=password,
        repeated=extra.pop("repeated", password),
    )


def confirm_address(client: FlaskClient, link: str, password: str = PASSWORD):
    """Follow the confirmation link and give the password, as the person would."""
    return _post(client, link, password=password)


def _deliver(archive: Archive, mailbox: SmtpServer) -> None:
    inst = archive.instance
    mail.deliver_due(inst.db, open_transport(mailbox.url), inst.config.mail_from)


def _link(archive: Archive, mailbox: SmtpServer, address: str, part: str, nth: int = 1) -> str:
    _deliver(archive, mailbox)
    message = mailbox.wait_for(address, nth)
    links = [link for link in mail_links(message) if part in link]
    assert links, f"no {part} link in {message.get_content()}"
    assert links[0].startswith("https://bauakte.example/"), "links use public_url"
    return links[0].removeprefix("https://bauakte.example")


def test_register_confirm_and_sign_in(app: Flask, archive: Archive, mailbox: SmtpServer) -> None:
    client = app.test_client()
    address = _address()
    page = _register(client, address)
    assert page.status_code == 200 and "Bitte prüfen Sie Ihr Postfach" in page.text
    assert signin(client, address, PASSWORD).status_code == 403  # not confirmed yet
    confirm = _link(archive, mailbox, address, "/register/confirm/")
    assert "Bitte bestätigen" in mailbox.to(address)[0]["Subject"]
    wrong = _post(client, confirm, password="Someone-elses-password")
    assert wrong.status_code == 401 and "Das Passwort stimmt nicht" in wrong.text
    done = confirm_address(client, confirm)
    assert done.status_code == 302 and done.headers["Location"] == "/"  # signed in at once
    assert "Angemeldet als <strong>Erika Mustermann</strong>" in client.get("/").text
    again = client.get(confirm)
    assert again.status_code == 200 and "bereits bestätigt" in again.text
    assert signin(app.test_client(), address.upper(), PASSWORD).status_code == 302


def test_registering_an_address_first_does_not_win_it(
    app: Flask, archive: Archive, mailbox: SmtpServer
) -> None:
    """An attacker registers the victim's address first; the victim registers and confirms."""
    address = _address()
    _register(app.test_client(), address, "Attacker-password-99")
    victim = app.test_client()
    _register(victim, address)
    link = _link(archive, mailbox, address, "/register/confirm/", nth=2)
    assert confirm_address(victim, link).status_code == 302
    assert signin(app.test_client(), address, "Attacker-password-99").status_code == 401
    assert signin(app.test_client(), address, PASSWORD).status_code == 302


def test_the_form_answers_the_same_for_a_known_address(
    app: Flask, archive: Archive, mailbox: SmtpServer
) -> None:
    address = _address()
    first = _register(app.test_client(), address)
    second = _register(app.test_client(), address, "Ganz-anderes-Passwort-3")
    assert first.status_code == second.status_code == 200
    assert first.text.replace(csrf_token(first.text), "") == second.text.replace(
        csrf_token(second.text), ""
    )
    with archive.instance.db.session() as s:
        assert s.scalar(select(func.count()).where(User.email == address)) == 1


def test_english_registration_gets_english_mail(
    app: Flask, archive: Archive, mailbox: SmtpServer
) -> None:
    client = app.test_client()
    page = client.get("/login")
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(page.text)})
    address = _address()
    assert "Please check your mailbox" in _register(client, address).text
    _deliver(archive, mailbox)
    assert mailbox.wait_for(address)["Subject"] == "Please confirm your e-mail address"


def test_forgotten_password_by_mail_once(app: Flask, archive: Archive, mailbox: SmtpServer) -> None:
    client = app.test_client()
    address = _address()
    _register(client, address)
    confirm_address(client, _link(archive, mailbox, address, "/register/confirm/"))
    unknown = _post(client, "/password/forgotten", email=_address())
    known = _post(client, "/password/forgotten", email=address)
    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace(csrf_token(unknown.text), "") == known.text.replace(
        csrf_token(known.text), ""
    )
    reset = _link(archive, mailbox, address, "/password/reset/", nth=2)
    new = "Neues-Passwort-fuer-2027"
    done = _post(client, reset, password=new, repeated=new)
    assert done.status_code == 200 and "Passwort geändert" in done.text
    used = client.get(reset)
    assert used.status_code == 404 and "bereits geändert" in used.text
    assert signin(app.test_client(), address, PASSWORD).status_code == 401
    assert signin(app.test_client(), address, new).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": "keine-adresse"}, "name@beispiel.de"),
        ({"password": "kurz", "repeated": "kurz"}, "zu kurz"),
        ({"repeated": "etwas-anderes-123"}, "verschieden"),
        ({"name": "   "}, "Bitte"),
    ],
)
def test_bad_registrations_are_explained_and_store_nothing(
    app: Flask, archive: Archive, fields: dict[str, str], message: str
) -> None:
    client = app.test_client()
    address = fields.pop("email", _address())
    password = fields.pop("password", PASSWORD)
    response = _register(client, address, password, **fields)
    assert response.status_code == 400 and message in response.text
    with archive.instance.db.session() as s:
        assert s.scalar(select(func.count()).where(User.email == address.lower())) == 0
        assert s.scalar(select(func.count()).where(MailMessage.recipient == address)) == 0


@pytest.mark.parametrize(
    "path",
    ["/register/confirm/not-a-token", "/register/confirm/" + "x" * 5000, "/password/reset/abc"],
)
def test_broken_links_get_a_page_that_says_so(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "Dieser Link gilt nicht" in response.text


def test_a_forged_host_does_not_reach_the_mail(
    app: Flask, archive: Archive, mailbox: SmtpServer
) -> None:
    client = app.test_client()
    address = _address()
    page = client.get("/register", headers={"Host": "evil.example"})
    client.post(
        "/register",
        headers={"Host": "evil.example"},
        data={
            "display_name": "E",
            "email": address,
            "password": PASSWORD,
            "repeated": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    _deliver(archive, mailbox)
    body = mailbox.wait_for(address).get_content()
    assert "evil.example" not in body and "https://bauakte.example/register/confirm/" in body
