"""Sessions that end on the server, tokens kept to the API, and changes that re-check.

Each test stands for a hole found by trying an old cookie or token after
the event that should have ended it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from sqlalchemy import select, update

from docstore.models import BuildingFile, Role, User, UserSession, utcnow
from docstore.services import grants, second_factor, sessions, users
from docstore.services.actors import CONSOLE

from .conftest import GRANTED, PASSWORD, csrf_token, enrol, make_token, signin, totp_code

NEW_PASSWORD = "a-new-password-for-2027"


def _new(archive, name: str, role: Role = Role.CITIZEN, *, granted: bool = True) -> str:
    with archive.instance.db.transaction() as s:
        user = users.create_user(s, name, PASSWORD, role, actor=CONSOLE)
        if granted and role is Role.CITIZEN:
            bf = s.get(BuildingFile, archive.files[GRANTED])
            grants.grant_access(s, user, bf, actor=CONSOLE, may_download=True)
    return name


def _staff(archive, name: str, role: Role = Role.CLERK) -> str:
    """A new staff account with its second factor; returns its TOTP secret."""
    _new(archive, name, role)
    with archive.instance.db.transaction() as s:
        return enrol(s, name, archive.instance.config.secret_key)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _form(client, url: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client.get(url).text)}


def _signed_in(app, name: str, code: str | None = None):
    client = app.test_client()
    response = signin(client, name, code=code)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return client


def _replay(app, cookie: str):
    client = app.test_client()
    client.set_cookie("bauakte_session", cookie)
    return client


@pytest.mark.parametrize("role", [Role.CITIZEN, Role.CLERK])
def test_a_cookie_saved_before_sign_out_opens_nothing(archive, app, role) -> None:
    name = f"signout.{role.value}"
    if role is Role.CLERK:
        client = _signed_in(app, name, totp_code(_staff(archive, name)))
    else:
        client = _signed_in(app, _new(archive, name))
    doc = archive.documents[GRANTED][0]
    assert client.get(f"/documents/{doc}/download").status_code == 200
    saved = client.get_cookie("bauakte_session").value
    assert client.post("/logout", data=_form(client, "/")).status_code == 302
    replay = _replay(app, saved)
    assert replay.get(f"/documents/{doc}").status_code == 302
    assert replay.get(f"/documents/{doc}/download").status_code == 302
    assert replay.get("/api/v1/building-files").status_code == 401


def _change_password(archive, user: User) -> None:
    with archive.instance.db.transaction() as s:
        fresh = s.get(User, user.id)
        confirmed = sessions.Confirmed(fresh.id)
        users.change_password(s, fresh, NEW_PASSWORD, confirmed=confirmed)


def _everywhere(archive, user: User) -> None:
    with archive.instance.db.transaction() as s:
        from docstore.services import signin as signin_service

        signin_service.sign_out(s, s.get(User, user.id), "", everywhere=True)


def _role(archive, user: User) -> None:
    with archive.instance.db.transaction() as s:
        users.set_role(s, s.get(User, user.id), Role.ARCHITECT, actor=CONSOLE)


def _reset_second_factor(archive, user: User) -> None:
    with archive.instance.db.transaction() as s:
        second_factor.reset(s, s.get(User, user.id), actor=CONSOLE, confirmed=None)


def _reset_password(archive, user: User) -> None:
    with archive.instance.db.transaction() as s:
        users.reset_password(s, s.get(User, user.id), NEW_PASSWORD, actor=CONSOLE, confirmed=None)


def _disable_and_enable(archive, user: User) -> None:
    for active in (False, True):
        with archive.instance.db.transaction() as s:
            users.set_active(s, s.get(User, user.id), active, actor=CONSOLE)


ENDINGS: dict[str, Callable] = {
    "password change": _change_password,
    "sign-out everywhere": _everywhere,
    "role change": _role,
    "second-factor reset": _reset_second_factor,
    "password reset": _reset_password,
    "disabled, then enabled again": _disable_and_enable,
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_each_change_ends_every_session_and_token(archive, app, ending: str) -> None:
    name = _new(archive, "ends." + ending.replace(" ", "-").replace(",", ""))
    first, second = _signed_in(app, name), _signed_in(app, name)
    token = make_token(archive.instance, name)
    api = app.test_client()
    assert api.get("/api/v1/building-files", headers=_bearer(token)).status_code == 200
    with archive.instance.db.session() as s:
        user = users.get_user(s, name)
    ENDINGS[ending](archive, user)
    for browser in (first, second):
        assert browser.get("/").status_code == 302
        assert browser.get(f"/files/{archive.files[GRANTED]}").status_code == 302
    assert api.get("/api/v1/building-files", headers=_bearer(token)).status_code == 401


def test_a_promoted_citizen_signs_in_again_through_the_second_factor(archive, app) -> None:
    name = _new(archive, "promoted.citizen")
    browser = _signed_in(app, name)  # a password only: no second factor
    token = make_token(archive.instance, name)
    with archive.instance.db.transaction() as s:
        users.set_role(s, users.get_user(s, name), Role.CLERK, actor=CONSOLE)
    assert browser.get("/inbox").status_code == 302
    assert browser.get("/upload").status_code == 302
    api = app.test_client()
    assert api.get("/api/v1/building-files", headers=_bearer(token)).status_code == 401
    form = {"csrf_token": csrf_token(api.get("/login").text), "aktenzeichen": GRANTED}
    grant = api.post(f"/files/{archive.files[GRANTED]}/grants", data=form, headers=_bearer(token))
    assert grant.status_code == 302 and "/login" in grant.headers["Location"]
    again = app.test_client()
    assert signin(again, name).headers["Location"] == "/login/enrol"
    assert again.get("/inbox").status_code == 302  # not before the enrolment is done


def test_a_token_is_refused_on_pages_and_forms(archive, app, client_as) -> None:
    token = make_token(archive.instance, "clerk")
    api = app.test_client()
    for url in ("/", "/inbox", "/upload", "/account/tokens", f"/files/{archive.files[GRANTED]}"):
        assert api.get(url, headers=_bearer(token)).status_code == 302, url
    doc = archive.documents[GRANTED][0]
    for url in (f"/documents/{doc}/pages/1/thumb.jpg", f"/documents/{doc}/download"):
        assert api.get(url, headers=_bearer(token)).status_code == 200, url


def test_a_token_expires(archive, app) -> None:
    name = _new(archive, "token.expiry")
    token = make_token(archive.instance, name, days=1)
    api = app.test_client()
    assert api.get("/api/v1/building-files", headers=_bearer(token)).status_code == 200
    with archive.instance.db.transaction() as s:
        from docstore.models import ApiToken

        user = users.get_user(s, name)
        s.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id)
            .values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    assert api.get("/api/v1/building-files", headers=_bearer(token)).status_code == 401


def test_the_default_token_lifetime_is_90_days(archive, app, client_as) -> None:
    browser = _signed_in(app, _new(archive, "token.days"))
    made = browser.post(
        "/api/v1/tokens",
        json={"name": "laptop", "password": PASSWORD},
        headers={"X-CSRFToken": csrf_token(browser.get("/").text)},
    ).get_json()
    created = dt.datetime.fromisoformat(made["created_at"])
    expires = dt.datetime.fromisoformat(made["expires_at"])
    assert expires - created == dt.timedelta(days=90)


def test_an_idle_or_old_session_ends(archive, app) -> None:
    name = _new(archive, "session.idle")
    idle, old = _signed_in(app, name), _signed_in(app, name)
    with archive.instance.db.transaction() as s:
        rows = s.scalars(
            select(UserSession).where(UserSession.user_id == users.get_user(s, name).id)
        ).all()
        rows[0].last_seen_at = utcnow() - dt.timedelta(minutes=61)
        rows[1].expires_at = utcnow() - dt.timedelta(seconds=1)
    assert idle.get("/").status_code == 302
    assert old.get("/").status_code == 302


def test_sensitive_changes_need_the_password_again(archive, app) -> None:
    """A stolen session alone can make no token, set up no second factor, change no password."""
    name = _new(archive, "stolen.session")
    thief = _signed_in(app, name)
    token = thief.post("/account/tokens", data={**_form(thief, "/account/tokens"), "name": "mine"})
    assert token.status_code == 400 and "bak_" not in token.text
    enrolment = thief.get("/account/second-factor").text
    assert 'id="totp-secret"' not in enrolment
    guessed = thief.post("/account/second-factor", data={**_form(thief, "/"), "code": "123456"})
    assert guessed.status_code == 302  # nothing to confirm without the password step
    change = thief.post(
        "/account/password",
        data={
            **_form(thief, "/account/password"),
            "new_password": NEW_PASSWORD,
            "repeated": NEW_PASSWORD,
            "current_password": "a guess",
        },
    )
    assert change.status_code == 401
    with archive.instance.db.session() as s:
        user = users.get_user(s, name)
        assert not second_factor.enrolled(user) and users.check_password(user, PASSWORD)


def test_guessing_the_password_in_a_confirmation_locks_and_ends_the_session(archive, app) -> None:
    name = _new(archive, "guessing.thief")
    thief = _signed_in(app, name)
    statuses = []
    for i in range(5):
        form = {**_form(thief, "/account/tokens"), "name": "x", "current_password": f"guess {i}"}
        statuses.append(thief.post("/account/tokens", data=form).status_code)
    assert statuses[:4] == [401] * 4
    assert thief.get("/").status_code == 302  # the fifth locked the account and ended it
    assert signin(app.test_client(), name).status_code == 429  # locked, like wrong sign-ins


def test_staff_confirm_with_password_and_code(archive, app) -> None:
    secret = _staff(archive, "confirming.clerk")
    browser = _signed_in(app, "confirming.clerk", totp_code(secret))
    form = {**_form(browser, "/account/tokens"), "name": "x", "current_password": PASSWORD}
    assert browser.post("/account/tokens", data=form).status_code == 401  # no code
    made = browser.post("/account/tokens", data={**form, "code": totp_code(secret, +1)})
    assert made.status_code == 200 and re.search(r'id="new-token">bak_', made.text)


def test_changing_the_password(archive, app) -> None:
    name = _new(archive, "changing.password")
    here, elsewhere = _signed_in(app, name), _signed_in(app, name)
    form = {
        **_form(here, "/account/password"),
        "new_password": NEW_PASSWORD,
        "repeated": NEW_PASSWORD + "x",
        "current_password": PASSWORD,
    }
    assert here.post("/account/password", data=form).status_code == 400  # not the same twice
    weak = {**form, "new_password": "short", "repeated": "short"}
    assert here.post("/account/password", data=weak).status_code == 400
    done = here.post("/account/password", data={**form, "repeated": NEW_PASSWORD})
    assert done.status_code == 302
    assert here.get("/").status_code == 200  # this browser carries on, with a new session
    assert elsewhere.get("/").status_code == 302
    assert signin(app.test_client(), name).status_code == 401
    assert signin(app.test_client(), name, NEW_PASSWORD).status_code == 302


def test_an_admin_reset_forces_a_new_password_at_the_next_sign_in(archive, app) -> None:
    admin_secret = _staff(archive, "resetting.admin", Role.ADMIN)
    admin = _signed_in(app, "resetting.admin", totp_code(admin_secret))
    name = _new(archive, "forgot.password")
    person = _signed_in(app, name)
    with archive.instance.db.session() as s:
        person_id = users.get_user(s, name).id
    url = f"/admin/users/{person_id}/credentials?change=reset-password"
    asked = admin.post(
        f"/admin/users/{person_id}", data={**_form(admin, "/"), "change": "reset-password"}
    )
    assert asked.headers["Location"] == url  # a change of credentials asks first
    form = {**_form(admin, url), "temporary": "temporary-Pass-2026", "current_password": PASSWORD}
    assert admin.post(url, data=form).status_code == 400  # without the admin's code
    done = admin.post(url, data={**form, "code": totp_code(admin_secret, +1)})
    assert done.status_code == 302
    assert person.get("/").status_code == 302  # the reset ended the person's session

    back = app.test_client()
    assert signin(back, name, "temporary-Pass-2026").status_code == 302
    assert back.get("/").headers["Location"] == "/account/password"
    assert back.get(f"/files/{archive.files[GRANTED]}").headers["Location"] == "/account/password"
    assert back.get("/api/v1/building-files").status_code == 403
    page = back.get("/account/password").text
    assert "current_password" not in page  # the temporary password was just given
    new = {"csrf_token": csrf_token(page), "new_password": NEW_PASSWORD, "repeated": NEW_PASSWORD}
    assert back.post("/account/password", data=new).status_code == 302
    assert back.get("/").status_code == 200


def test_an_admin_resets_a_second_factor_only_with_their_own(archive, app) -> None:
    admin_secret = _staff(archive, "factor.admin", Role.ADMIN)
    admin = _signed_in(app, "factor.admin", totp_code(admin_secret))
    clerk_secret = _staff(archive, "lost.phone")
    clerk = _signed_in(app, "lost.phone", totp_code(clerk_secret))
    with archive.instance.db.session() as s:
        clerk_id = users.get_user(s, "lost.phone").id
    url = f"/admin/users/{clerk_id}/credentials?change=reset-second-factor"
    form = {**_form(admin, url), "current_password": "wrong", "code": totp_code(admin_secret, 1)}
    assert admin.post(url, data=form).status_code == 400
    with archive.instance.db.session() as s:
        assert second_factor.enrolled(users.get_user(s, "lost.phone"))
    form = {**form, "current_password": PASSWORD}
    assert admin.post(url, data=form).status_code == 302
    assert clerk.get("/").status_code == 302
    assert signin(app.test_client(), "lost.phone").headers["Location"] == "/login/enrol"
