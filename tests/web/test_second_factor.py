"""One-time codes: mandatory enrolment for staff, codes accepted once, recovery codes, opt-in."""

from __future__ import annotations

import re

import pyotp
import pytest

from docstore.errors import UsageError
from docstore.models import Role
from docstore.services import second_factor, users
from docstore.services.actors import CONSOLE

from .conftest import PASSWORD, csrf_token, enrol, signin, totp_code


def _new(archive, name: str, role: Role) -> str:
    with archive.instance.db.transaction() as s:
        users.create_user(s, name, PASSWORD, role, actor=CONSOLE)
    return name


def _secret(page: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)


def _post(client, url: str, code: str):
    return client.post(url, data={"code": code, "csrf_token": csrf_token(client.get(url).text)})


def test_new_staff_must_enrol_before_being_signed_in(archive, app) -> None:
    name = _new(archive, "clerk.new", Role.CLERK)
    client = app.test_client()
    response = signin(client, name)
    assert response.headers["Location"] == "/login/enrol"
    assert client.get("/").status_code == 302  # the password alone signs nobody in
    page = client.get("/login/enrol").text
    assert "<svg" in page  # the QR code, inline (no script, no external image)
    secret = _secret(page)
    assert client.get("/login/enrol").text.count(secret) == 1  # a reload keeps the secret
    assert _post(client, "/login/enrol", "000000").status_code == 401
    done = _post(client, "/login/enrol", pyotp.TOTP(secret).now())
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", done.text)
    assert len(codes) == 10
    assert client.get("/").status_code == 200  # signed in by the confirmation

    # next time: password, then a code; a recovery code works once
    later = app.test_client()
    assert signin(later, name).headers["Location"] == "/login/code"
    assert _post(later, "/login/code", codes[0]).headers["Location"] == "/"
    again = app.test_client()
    signin(again, name)
    assert _post(again, "/login/code", codes[0]).status_code == 401


def test_a_code_is_accepted_only_once(archive, app) -> None:
    name = _new(archive, "auditor.replay", Role.AUDITOR)  # its own: the shared auditor's
    with archive.instance.db.transaction() as s:  # last code step must not move ahead
        secret = enrol(s, name, archive.instance.config.secret_key)
    code = totp_code(secret, +1)
    first, second = app.test_client(), app.test_client()
    assert signin(first, name, code=code).headers["Location"] == "/"
    replay = signin(second, name, code=code)
    assert replay.status_code == 401 and "stimmt nicht" in replay.text
    assert second.get("/").status_code == 302


def test_wrong_codes_count_toward_the_lockout(archive, app) -> None:
    name = _new(archive, "admin.locked", Role.ADMIN)
    client = app.test_client()
    signin(client, name)
    _post(client, "/login/enrol", pyotp.TOTP(_secret(client.get("/login/enrol").text)).now())
    other = app.test_client()
    signin(other, name)
    statuses = [_post(other, "/login/code", "123456").status_code for _ in range(5)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}


def test_external_users_may_opt_in(archive, app) -> None:
    name = _new(archive, "citizen.careful", Role.CITIZEN)
    client = app.test_client()
    assert signin(client, name).headers["Location"] == "/"  # optional: not asked for
    start = client.get("/account/second-factor").text
    assert 'id="totp-secret"' not in start  # no secret before the password
    form = {"csrf_token": csrf_token(start)}
    wrong = client.post("/account/second-factor", data={**form, "current_password": "guess"})
    assert wrong.status_code == 401 and 'id="totp-secret"' not in wrong.text
    page = client.post("/account/second-factor", data={**form, "current_password": PASSWORD})
    secret = _secret(page.text)
    done = client.post("/account/second-factor", data={**form, "code": pyotp.TOTP(secret).now()})
    assert "Wiederherstellungscodes" in done.text
    assert signin(app.test_client(), name).headers["Location"] == "/login/code"  # from now on


def test_the_stored_secret_is_encrypted_under_the_secret_key(archive) -> None:
    with archive.instance.db.session() as s:
        user = users.get_user(s, "auditor")
        stored = user.totp_secret
        key = archive.instance.config.secret_key
        assert second_factor.secret_of(user, key) == archive.secrets["auditor"]
        assert archive.secrets["auditor"] not in stored  # a database copy alone yields no codes
        with pytest.raises(UsageError, match="another secret key"):
            second_factor.secret_of(user, "a different key")
