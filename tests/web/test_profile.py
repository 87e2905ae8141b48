"""My account in the browser: details, a new address confirmed by mail, deleting the account."""

from __future__ import annotations

from flask import Flask

from docstore.models import User
from tests.servers import SmtpServer

from .conftest import Archive, csrf_token, signin
from .test_registration import PASSWORD, _address, _link, _post, _register, confirm_address


def _citizen(app: Flask, archive: Archive, mailbox: SmtpServer):
    client = app.test_client()
    address = _address()
    _register(client, address)
    assert (
        confirm_address(client, _link(archive, mailbox, address, "/register/confirm/")).status_code
        == 302
    )
    return client, address


def _change_email(client, address: str, password: str):
    token = csrf_token(client.get("/account").text)
    data = {"email": address, "current_password": password, "csrf_token": token}
    return client.post("/account/email", data=data)


def test_details_are_saved_and_shown(app: Flask, archive: Archive, mailbox: SmtpServer) -> None:
    client, _ = _citizen(app, archive, mailbox)
    page = client.get("/account")
    assert page.status_code == 200 and "Ihre Angaben" in page.text
    saved = client.post(
        "/account",
        data={
            "display_name": "Erika Mustermann",
            "street": "Venloer Str. 411",
            "postcode": "50825",
            "city": "Köln",
            "phone": "0221 123456",
            "language": "de",
            "csrf_token": csrf_token(page.text),
        },
        follow_redirects=True,
    )
    assert "Ihre Angaben sind gespeichert" in saved.text and "Venloer Str. 411" in saved.text


def test_a_new_address_is_confirmed_by_its_owner(
    app: Flask, archive: Archive, mailbox: SmtpServer
) -> None:
    client, old = _citizen(app, archive, mailbox)
    new = _address()
    page = client.get("/account")
    stolen = client.post("/account/email", data={"email": new, "csrf_token": csrf_token(page.text)})
    assert stolen.status_code == 400  # a session alone does not move the address
    guessed = _change_email(client, new, "a guess")
    assert guessed.status_code == 401 and "Passwort oder Einmalcode" in guessed.text
    answer = _change_email(client, new, PASSWORD)
    assert "Bestätigungslink an die neue Adresse" in client.get(answer.headers["Location"]).text
    link = _link(archive, mailbox, new, "/account/email/")
    assert app.test_client().get(link).status_code == 302  # signed out: to the sign-in page
    done = client.get(link, follow_redirects=True)
    assert "Ihre neue E-Mail-Adresse ist bestätigt" in done.text and new in done.text
    assert signin(app.test_client(), old, PASSWORD).status_code == 401
    assert signin(app.test_client(), new, PASSWORD).status_code == 302


def test_deleting_the_account(app: Flask, archive: Archive, mailbox: SmtpServer) -> None:
    client, address = _citizen(app, archive, mailbox)
    wrong = _post(client, "/account/delete", current_password="not my password")
    assert wrong.status_code == 401
    done = _post(client, "/account/delete", current_password=PASSWORD)
    assert done.status_code == 200 and "Ihr Konto und Ihre persönlichen Angaben sind gelöscht" in (
        done.text
    )
    assert client.get("/").status_code == 302  # signed out
    assert signin(app.test_client(), address, PASSWORD).status_code == 401
    with archive.instance.db.session() as s:
        assert s.query(User).filter(User.email == address).count() == 0


def test_staff_cannot_delete_their_own_account(client_as) -> None:
    response = client_as("clerk").get("/account/delete")
    assert response.status_code == 403
