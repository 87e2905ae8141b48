"""A small archive served by the web app, with users in every role and grants in every state.

Built once per session (ingest is slow) on SQLite + files; tests that change
it use their own users.  ``signin`` goes through the real login form, CSRF
token included.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import ingest
from docstore import fees
from docstore.fee_models import FeeNotice
from docstore.instance import Instance
from docstore.models import BuildingFile, Document, Legitimation, Role, utcnow
from docstore.services import (
    applications,
    fee_notices,
    grants,
    review,
    second_factor,
    sessions,
    tokens,
    users,
)
from docstore.services.actors import CONSOLE
from ingest import spool
from ingest.printing import store_fee_notice
from ingest.proofs import accept_proof
from ingest.runner import Outcome
from tests.ingest.conftest import make_instance
from tests.ingest.samples import text_pdf
from viewer.web import create_app

PASSWORD = "web-test-password-2026"
GRANTED = "63-BA-2020-0001"
OTHER = "63-BA-2020-0002"
MARKER = "Dachgaube"  # a word on every page of both files
PLANTED = "Nachbarsgeheimnis"  # a word in OTHER only

# grant state -> citizen user having it on GRANTED
GRANT_STATES = ("active", "download", "expired", "future", "revoked", "none", "documents")


@dataclass
class Archive:
    instance: Instance
    files: dict[str, int]
    documents: dict[str, list[int]]  # aktenzeichen -> document ids
    secrets: dict[str, str] = field(default_factory=dict)  # staff user -> TOTP secret
    upload: int = 0  # a browser upload, ingested
    inbox_document: int = 0  # its document, in the inbox
    application: int = 0  # citizen.none's application, with one proof
    proof: int = 0
    fee_notice: int = 0  # citizen.none's second application (GRANTED), approved, fee unpaid

    def user_for(self, state: str) -> str:
        return f"citizen.{state}"


def build_archive(home: Path, batch: Path, **overrides: object) -> Archive:
    settings: dict[str, object] = {
        "signin_rate_limit": "10000 per minute",
        "search_rate_limit": "10000 per minute",
        "mail_rate_limit": "10000 per minute",
        "application_rate_limit": "10000 per minute",
        "extract_rate_limit": "10000 per minute",
        "public_url": "https://bauakte.example",
        **overrides,
    }
    inst = make_instance(home, ingest_workers=1, **settings)
    batch.mkdir(parents=True, exist_ok=True)
    for az in (GRANTED, OTHER):
        secret = f" {PLANTED}" if az == OTHER else ""
        text_pdf(
            batch / f"{az}_baugenehmigung_2020-03-01_Wohnhaus.pdf",
            pages=3,
            marker=f"{MARKER} {az}{secret}",
        )
        text_pdf(
            batch / f"{az}_statik_2019-05-01_Tragwerk.pdf", pages=2, marker=f"{MARKER} Statik {az}"
        )
    report = ingest.run([batch], inst)
    assert report.count(Outcome.ACCEPTED) == 4, report.summary()
    now = utcnow()
    day = dt.timedelta(days=1)
    with inst.db.transaction() as s:
        clerk = users.create_user(s, "clerk", PASSWORD, Role.CLERK, actor=CONSOLE)
        users.create_user(s, "auditor", PASSWORD, Role.AUDITOR, actor=CONSOLE)
        users.create_user(s, "admin", PASSWORD, Role.ADMIN, actor=CONSOLE)
        secrets = {
            name: enrol(s, name, inst.config.secret_key) for name in ("clerk", "auditor", "admin")
        }
        files = {bf.aktenzeichen: bf for bf in s.scalars(select(BuildingFile))}
        granted = files[GRANTED]
        docs = {
            az: sorted(
                d.id for d in s.scalars(select(Document).where(Document.building_file_id == bf.id))
            )
            for az, bf in files.items()
        }
        people = {
            state: users.create_user(s, f"citizen.{state}", PASSWORD, Role.CITIZEN, actor=CONSOLE)
            for state in GRANT_STATES
        }
        users.create_user(s, "architect", PASSWORD, Role.ARCHITECT, actor=CONSOLE)
        grants.grant_access(s, people["active"], granted, actor=clerk, valid_until=now + day)
        grants.grant_access(s, people["download"], granted, actor=clerk, may_download=True)
        grants.grant_access(
            s,
            people["expired"],
            granted,
            actor=clerk,
            may_download=True,
            valid_from=now - 3 * day,
            valid_until=now - day,
        )
        grants.grant_access(
            s,
            people["future"],
            granted,
            actor=clerk,
            may_download=True,
            valid_from=now + day,
            valid_until=now + 3 * day,
        )
        grants.grant_access(s, people["revoked"], granted, actor=clerk, may_download=True)
        grants.revoke_access(s, people["revoked"], granted, actor=clerk)
        first = s.get(Document, docs[GRANTED][0])
        grants.grant_access(s, people["documents"], granted, actor=clerk, documents=[first])
        ids = {az: bf.id for az, bf in files.items()}
        clerk_user = users.get_user(s, "clerk")
    unsorted = text_pdf(
        batch.parent / "scan-0001.pdf", pages=1, marker="Posteingang ohne Zuordnung"
    )
    with unsorted.open("rb") as f:
        upload = spool.receive(inst, clerk_user, [("scan-0001.pdf", f)])
    spool.process_pending(inst)
    with inst.db.session() as s:
        inbox_doc = s.scalar(select(Document.id).where(Document.building_file_id.is_(None)))
    application, proof = _application(inst, batch.parent)
    notice = _unpaid_fee(inst, ids[GRANTED])
    return Archive(inst, ids, docs, secrets, upload, inbox_doc, application, proof, notice)


def _unpaid_fee(
    inst: Instance, building_file_id: int, applicant: str = "citizen.none", *, plans: bool = True
) -> int:
    """``applicant``, a neighbour, approved for GRANTED's plans (``plans=False``: the whole
    file): the access waits for the fee, so it gives nothing yet (the access matrix checks that
    it does not)."""
    fee = fee_notices.FeeTerms(
        fees.schedule_of(inst.config), fee_notices.letterhead_of(inst.config),
        lambda letter: store_fee_notice(inst.store, letter),
    )  # fmt: skip
    notice = applications.notice_of(inst.config)
    with inst.db.transaction() as s:
        entry = applications.submit(
            s, users.get_user(s, applicant),
            applications.Application(Legitimation.NEIGHBOUR, "Anbau", aktenzeichen=GRANTED),
            notice,
        )  # fmt: skip
        s.flush()
        kinds = list(review.NEIGHBOUR_KINDS) if plans else []
        approval = review.Approval(building_file_id, 30, kinds=kinds)
        grant = review.approve(s, users.get_user(s, "clerk"), entry.id, approval, notice,
                               inst.config.tz, fee)  # fmt: skip
        assert grant.awaiting_payment
        return s.scalar(select(FeeNotice.id).where(FeeNotice.request_id == entry.id))


def _application(inst: Instance, folder: Path) -> tuple[int, int]:
    """citizen.none applies as owner of the other file's building, with a land-register extract."""
    extract = text_pdf(folder / "grundbuchauszug.pdf", pages=1, marker="Grundbuch von Köln")
    stored = accept_proof(inst, extract, "grundbuchauszug.pdf")
    with inst.db.transaction() as s:
        entry = applications.submit(
            s, users.get_user(s, "citizen.none"),
            applications.Application(Legitimation.OWNER, "Verkauf", aktenzeichen=OTHER,
                                     proofs=[stored]),
            applications.notice_of(inst.config),
        )  # fmt: skip
        s.flush()
        return entry.id, entry.proofs[0].id


def enrol(s, username: str, key: str) -> str:
    """Set up a user's second factor as the enrolment page would (code of the previous step)."""
    user = users.get_user(s, username)
    secret = second_factor.begin_enrolment(s, user, key)
    codes = second_factor.confirm_enrolment(s, user, totp_code(secret, -1), key)
    assert codes is not None
    return secret


def make_token(inst: Instance, username: str, days: int = 90) -> str:
    """An API token as the tokens page makes one after the password was confirmed."""
    with inst.db.transaction() as s:
        user = users.get_user(s, username)
        confirmed = sessions.Confirmed(user.id)
        return tokens.create_token(s, user, "tests", confirmed=confirmed, valid_days=days)[1]


def totp_code(secret: str, offset: int = 0) -> str:
    """The code of the current time step plus ``offset`` (the server accepts -1..+1)."""
    return pyotp.TOTP(secret).at(time.time() + offset * second_factor.STEP_SECONDS)


@pytest.fixture(scope="session")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    root = tmp_path_factory.mktemp("web")
    arc = build_archive(root / "instance", root / "batch")
    yield arc
    arc.instance.close()


@pytest.fixture(scope="session")
def app(archive: Archive) -> Flask:
    return create_app(archive.instance, TESTING=True)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def signin(client: FlaskClient, username: str, password: str = PASSWORD, code: str | None = None):
    """The password form; with ``code``, also the one-time-code form that follows it."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page.text)},
    )
    if code is None or response.headers.get("Location") != "/login/code":
        return response
    form = client.get("/login/code")
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(form.text)})


@pytest.fixture(scope="session")
def signed_in_cookies() -> dict[str, str]:
    return {}


@pytest.fixture
def client_as(app: Flask, archive: Archive, signed_in_cookies: dict[str, str]):
    """client_as("citizen.active") -> a signed-in test client (None: anonymous).

    Each user signs in once per test session and later clients reuse the
    session cookie: a one-time code is accepted only once, by design.
    """

    def make(username: str | None) -> FlaskClient:
        client = app.test_client()
        if username is None:
            return client
        if username not in signed_in_cookies:
            secret = archive.secrets.get(username)
            response = signin(client, username, code=totp_code(secret) if secret else None)
            assert response.status_code == 302, f"sign-in of {username} failed"
            assert response.headers["Location"] == "/", f"sign-in of {username} incomplete"
            signed_in_cookies[username] = client.get_cookie("bauakte_session").value
        client.set_cookie("bauakte_session", signed_in_cookies[username])
        return client

    return make


@pytest.fixture
def own_session_as(app: Flask, archive: Archive):
    """own_session_as("clerk") -> a client with a session of its own, made without the forms.

    For tests that end their session (signing out): a staff user's one-time
    code is accepted once, so the shared session of ``client_as`` must live on.
    """

    def make(username: str | None) -> FlaskClient:
        client = app.test_client()
        if username is None:
            return client
        with archive.instance.db.transaction() as s:
            key = sessions.start(s, users.get_user(s, username), sessions.Lifetime())
        with client.session_transaction() as cookie:
            cookie["_user_id"] = key
            cookie["_fresh"] = True
        return client

    return make
