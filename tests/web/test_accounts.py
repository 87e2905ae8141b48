"""Signing in: lockout and rate limits shared by every worker, sessions, CSRF, headers."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import select

from docstore.instance import Instance
from docstore.models import AuditEvent, RateCounter, Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from viewer.web import create_app

from .conftest import PASSWORD, build_archive, csrf_token, signin


def _new_user(archive, name: str, role: Role = Role.CITIZEN) -> str:
    with archive.instance.db.transaction() as s:
        users.create_user(s, name, PASSWORD, role, actor=CONSOLE)
    return name


def _actions(archive, username: str) -> list[str]:
    with archive.instance.db.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    return [
        e.action
        for e in events
        if username in (e.actor_name, json.loads(e.details).get("username"))
        and not e.action.startswith("user.")
    ]


def test_sign_in_and_failure_are_audited(archive, app) -> None:
    name = _new_user(archive, "citizen.audited")
    client = app.test_client()
    assert signin(client, name, "wrong password").status_code == 401
    assert signin(client, name).status_code == 302
    assert _actions(archive, name) == ["sign-in-failed", "sign-in"]


def test_lockout_counts_across_workers(archive) -> None:
    """Two app objects on one database stand for two server processes."""
    name = _new_user(archive, "citizen.locked")
    workers = [create_app(archive.instance, TESTING=True) for _ in range(2)]
    clients = [w.test_client() for w in workers]
    statuses = [signin(clients[i % 2], name, f"wrong {i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = signin(clients[1], name)  # the right password, on the other worker
    assert locked.status_code == 429
    assert "gesperrt" in locked.text
    assert _actions(archive, name)[-2:] == ["account-locked", "sign-in-refused"]
    assert signin(app_client := workers[0].test_client(), "citizen.active").status_code == 302
    assert app_client.get("/").status_code == 200  # other accounts are unaffected


def test_rate_limit_per_address_is_shared_by_workers(tmp_path) -> None:
    arc = build_archive(
        tmp_path / "instance", tmp_path / "batch", signin_rate_limit="4 per 10 minutes"
    )
    try:
        workers = [create_app(arc.instance, TESTING=True).test_client() for _ in range(2)]
        statuses = [signin(workers[i % 2], f"nobody{i}", "x").status_code for i in range(5)]
        assert statuses == [401, 401, 401, 401, 429]
        assert "Zu viele" in signin(workers[0], "clerk").text  # even the right password waits
        with arc.instance.db.session() as s:  # counted where every server process counts
            counters = s.scalars(select(RateCounter.key)).all()
        assert any("signin-address" in key for key in counters)
        forged = workers[0]  # without a trusted proxy, X-Forwarded-For is the client's word
        forged.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
        assert signin(forged, "nobody9", "x").status_code == 429
    finally:
        arc.instance.close()


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(tmp_path) -> None:
    arc = build_archive(
        tmp_path / "instance", tmp_path / "batch", signin_rate_limit="2 per 10 minutes"
    )
    config = arc.instance.config
    behind = Instance(replace(config, values={**config.values, "trusted_proxies": 1}))
    try:
        client = create_app(behind, TESTING=True).test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
        assert [signin(client, "nobody", "x").status_code for _ in range(3)] == [401, 401, 429]
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.8"  # another citizen
        assert signin(client, "nobody2", "x").status_code == 401
    finally:
        behind.close()
        arc.instance.close()


def test_session_is_new_at_sign_in_and_sign_out_everywhere_ends_all(archive, app) -> None:
    name = _new_user(archive, "citizen.twodevices")
    first, second = app.test_client(), app.test_client()
    first.get("/login")
    before = first.get_cookie("bauakte_session").value
    assert signin(first, name).status_code == 302
    assert first.get_cookie("bauakte_session").value != before
    signin(second, name)
    assert second.get("/").status_code == 200
    token = csrf_token(first.get("/").text)
    assert first.post("/logout", data={"csrf_token": token, "everywhere": "1"}).status_code == 302
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 302  # the other browser's session is void too
    assert signin(second, name).status_code == 302  # signing in again works
    assert second.get("/").status_code == 200


def test_forms_need_the_csrf_token(app) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_security_headers_and_cookie_flags(app) -> None:
    client = app.test_client()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "<script>" not in response.text.replace('<script src="', "")  # no inline script


TRICKY_NEXT = [
    "//evil.example/",
    "/\t/evil.example",
    "/%09/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\n/evil.example",
    "/%0d%0aSet-Cookie:x=1",
    " //evil.example",
    "/\x00/evil.example",
    "///evil.example",
    "http:/evil.example",
    "%2F%2Fevil.example",
]


def _lands_on_the_site(location: str) -> bool:
    """Where a browser goes: it drops tabs and newlines and reads a backslash as a slash."""
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("https://bauakte.example/a/", seen)).netloc == "bauakte.example"


@pytest.mark.parametrize("target", TRICKY_NEXT)
def test_no_open_redirect_after_sign_in(app, target) -> None:
    client = app.test_client()
    url = "/login?" + urlencode({"next": target}, safe="%")
    page = client.get(url)
    response = client.post(
        url,
        data={
            "username": "citizen.active",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", TRICKY_NEXT)
def test_no_open_redirect_from_the_language_switch(app, target) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    response = client.post("/language", data={"lang": "en", "csrf_token": token, "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/", target)  # a literal "%09" in a form field is a path on the site
    assert _lands_on_the_site(location)


def test_a_path_on_the_site_is_kept(app) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/language", data={"lang": "en", "csrf_token": token, "next": "/search?q=Dach%20gaube"}
    )
    assert response.headers["Location"] == "/search?q=Dach%20gaube"
    assert _lands_on_the_site(response.headers["Location"])


def test_english_on_request(app) -> None:
    client = app.test_client()
    assert "Anmelden" in client.get("/login").text
    token = csrf_token(client.get("/login").text)
    client.post("/language", data={"lang": "en", "csrf_token": token, "next": "/login"})
    assert "Sign in" in client.get("/login").text
