"""The grant desk: finding the person, an explicit end, days as entered, a confirmed revocation."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from docstore.models import BuildingFile, Grant, MailMessage, Role, User, utcnow
from docstore.services import grants, users
from docstore.services.actors import CONSOLE

from .conftest import GRANTED, PASSWORD, csrf_token, signin


def _person(archive, name: str, email: str | None = None, display: str | None = None) -> None:
    with archive.instance.db.transaction() as s:
        if s.scalar(select(User.id).where(User.username == name)) is None:
            users.create_user(s, name, PASSWORD, Role.CITIZEN, actor=CONSOLE, email=email,
                              display_name=display)  # fmt: skip


def _grants_of(archive, name: str) -> list[Grant]:
    with archive.instance.db.session() as s:
        user = users.get_user(s, name)
        return list(s.scalars(select(Grant).where(Grant.user_id == user.id).order_by(Grant.id)))


def test_granting_and_revoking_access_from_the_file_page(archive, client_as, app) -> None:
    _person(archive, "citizen.new")
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    first_doc = archive.documents[GRANTED][0]
    created = clerk.post(url, data={
        "csrf_token": csrf_token(page), "username": "citizen.new", "valid_from": "",
        "duration": "until", "valid_until": "2099-12-31", "may_download": "y",
        "documents": [str(first_doc)],
    })  # fmt: skip
    assert created.status_code == 302
    listing = clerk.get(url).text
    assert "citizen.new" in listing and "1 Dokument" in listing and "aktiv" in listing
    citizen = app.test_client()
    signin(citizen, "citizen.new")
    assert citizen.get(f"/documents/{first_doc}").status_code == 200
    assert citizen.get(f"/documents/{archive.documents[GRANTED][1]}").status_code == 404
    assert citizen.get(f"/documents/{first_doc}/download").status_code == 200
    refused = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "clerk",
                                    "duration": "open"})  # fmt: skip
    assert refused.status_code == 400 and "gehört zu den Mitarbeitenden" in refused.text
    elsewhere = next(d for f, docs in archive.documents.items() if f != GRANTED for d in docs)
    foreign = clerk.post(url, data={  # a document of another file: refused, never dropped
        "csrf_token": csrf_token(page), "username": "citizen.new", "duration": "open",
        "documents": [str(first_doc), str(elsewhere), "x"],
    })  # fmt: skip
    assert foreign.status_code == 400 and "gehören nicht zur Bauakte" in foreign.text
    assert f'value="{elsewhere}"' not in foreign.text  # the page lists only this file's documents
    revoked = clerk.post(
        f"{url}/revoke", data={"csrf_token": csrf_token(page), "username": "citizen.new"}
    )
    assert revoked.status_code == 302
    assert citizen.get(f"/documents/{first_doc}").status_code == 404
    assert "widerrufen" in clerk.get(url).text


def test_an_empty_end_date_is_an_error_not_an_unlimited_grant(archive, client_as) -> None:
    _person(archive, "citizen.ends")
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    today = dt.datetime.now(archive.instance.config.tz).date()  # the authority's day
    default_end = today + dt.timedelta(days=archive.instance.config.grant_days - 1)
    assert f'value="{default_end.isoformat()}"' in page  # the configured default, visible
    empty = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "citizen.ends",
                                  "duration": "until", "valid_until": ""})  # fmt: skip
    assert empty.status_code == 400 and "letzten Tag" in empty.text
    assert "citizen.ends" in empty.text  # what the clerk typed stays in the form
    unchosen = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "citizen.ends"})
    assert unchosen.status_code == 400
    assert _grants_of(archive, "citizen.ends") == []
    unlimited = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "citizen.ends",
                                      "duration": "open", "valid_until": "2030-01-31"})  # fmt: skip
    assert unlimited.status_code == 302
    [grant] = _grants_of(archive, "citizen.ends")
    assert grant.valid_until is None  # "unbefristet" chosen: the typed day is not used


def test_the_last_day_is_shown_as_entered_to_clerk_and_citizen(archive, client_as, app) -> None:
    _person(archive, "citizen.days")
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    clerk.post(url, data={"csrf_token": csrf_token(page), "username": "citizen.days",
                          "valid_from": "2026-01-05", "duration": "until",
                          "valid_until": "2099-01-31"})  # fmt: skip
    listing = clerk.get(url).text
    assert "05.01.2026 – 31.01.2099" in listing and "01.02.2099" not in listing
    citizen = app.test_client()
    signin(citizen, "citizen.days")
    start = citizen.get("/").text
    assert "31.01.2099" in start and "01.02.2099" not in start


def test_the_person_is_found_by_name_or_address_and_staff_are_not_offered(
    archive, client_as
) -> None:
    _person(archive, "m.keller", email="Marta.Keller@example.org", display="Marta Keller")
    clerk = client_as("clerk")
    by_name = clerk.get("/grants/people?q=marta kel").get_json()
    assert [p["value"] for p in by_name] == ["m.keller"]
    assert (
        "Marta Keller" in by_name[0]["label"] and "marta.keller@example.org" in by_name[0]["label"]
    )
    assert [p["value"] for p in clerk.get("/grants/people?q=KELLER@EXAMPLE").get_json()] == [
        "m.keller"
    ]
    assert clerk.get("/grants/people?q=%25").get_json() == []  # a wildcard is a character
    assert clerk.get("/grants/people?q=m").get_json() == []  # too short to suggest
    staff = clerk.get("/grants/people?q=clerk").get_json()
    assert "clerk" not in [p["value"] for p in staff]
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    by_email = clerk.post(url, data={"csrf_token": csrf_token(page),
                                     "username": "MARTA.KELLER@example.org",
                                     "duration": "open"})  # fmt: skip
    assert by_email.status_code == 302 and len(_grants_of(archive, "m.keller")) == 1
    unknown = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "erika.musterman",
                                    "duration": "open"})  # fmt: skip
    assert unknown.status_code == 400
    assert "Einen Benutzer „erika.musterman“ gibt es nicht" in unknown.text
    assert "bauakte user add" not in unknown.text


def test_suggestions_are_only_for_those_who_grant(archive, client_as) -> None:
    _person(archive, "m.keller2", email="keller2@example.org", display="Marta Keller")
    for who in ("citizen.active", "architect", "auditor"):
        response = client_as(who).get("/grants/people?q=keller")
        assert response.status_code == 403 and "keller2@" not in response.text.lower()
        assert "marta" not in response.text.lower()
    assert client_as(None).get("/grants/people?q=keller").status_code == 302


def test_documents_are_listed_with_kind_date_and_pages_and_kinds_can_be_granted(
    archive, client_as, app
) -> None:
    _person(archive, "citizen.kinds")
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    assert re.search(r"\d+ Seiten?</span>", page)
    assert 'name="kinds" type="checkbox" value="baugenehmigung"' in page
    granted = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "citizen.kinds",
                                    "duration": "open", "kinds": ["baugenehmigung"]})  # fmt: skip
    assert granted.status_code == 302
    [grant] = _grants_of(archive, "citizen.kinds")
    with archive.instance.db.session() as s:
        assert [k.kind for k in s.get(Grant, grant.id).kinds] == ["baugenehmigung"]


def test_revoking_asks_first_and_tells_the_person_by_mail(archive, client_as, app) -> None:
    _person(archive, "citizen.told", email="told@example.org", display="Tilda Told")
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    clerk.post(url, data={"csrf_token": csrf_token(page), "username": "citizen.told",
                          "duration": "open"})  # fmt: skip
    listing = clerk.get(url).text
    link = f"{url}/revoke?username=citizen.told"
    assert link in listing.replace("&amp;", "&")
    ask = clerk.get(link)
    assert ask.status_code == 200 and "Widerruf bestätigen" in ask.text
    assert "told@example.org" in ask.text
    assert _grants_of(archive, "citizen.told")[0].revoked_at is None  # asking revokes nothing
    done = clerk.post(f"{url}/revoke", data={
        "csrf_token": csrf_token(ask.text), "username": "citizen.told",
        "reason": "Vollmacht zurückgezogen",
    })  # fmt: skip
    assert done.status_code == 302
    assert "per E-Mail benachrichtigt" in clerk.get(url).text
    assert _grants_of(archive, "citizen.told")[0].revoked_at is not None
    with archive.instance.db.session() as s:
        [sent] = s.scalars(select(MailMessage).where(MailMessage.recipient == "told@example.org"))
    assert GRANTED in sent.subject and "Vollmacht zurückgezogen" in sent.body
    again = clerk.get(link)
    assert "keinen laufenden Zugang" in again.text and "Widerruf bestätigen" not in again.text


def test_an_unpaid_grant_past_its_end_can_still_be_revoked(archive, client_as) -> None:
    """A payment would open it from that day on: it is not "abgelaufen" while it waits."""
    _person(archive, "citizen.unpaid", display="Ulla Unpaid")
    with archive.instance.db.transaction() as s:
        user = s.scalar(select(User).where(User.username == "citizen.unpaid"))
        bf = s.get(BuildingFile, archive.files[GRANTED])
        grant = grants.grant_access(s, user, bf, actor=CONSOLE,
                                    valid_from=utcnow() - dt.timedelta(days=30),
                                    valid_until=utcnow() - dt.timedelta(days=1))  # fmt: skip
        grant.awaiting_payment = True
    page = client_as("clerk").get(f"/files/{archive.files[GRANTED]}/grants").text
    row = page.split("Ulla Unpaid")[1].split("</tr>")[0]
    assert "wartet auf Zahlung" in row and "Widerrufen" in row


def test_a_name_two_accounts_answer_to_is_refused_not_guessed(archive, client_as) -> None:
    _person(archive, "twin@example.org")
    _person(archive, "twin.other", email="Twin@Example.org")
    clerk = client_as("clerk")
    url = f"/files/{archive.files[GRANTED]}/grants"
    page = clerk.get(url).text
    typed = {"csrf_token": csrf_token(page), "username": "TWIN@example.org", "duration": "open"}
    refused = clerk.post(url, data=typed)
    assert refused.status_code == 400 and "passt zu mehreren Konten" in refused.text
    assert _grants_of(archive, "twin@example.org") == _grants_of(archive, "twin.other") == []
    exact = clerk.post(url, data={"csrf_token": csrf_token(page), "username": "twin.other",
                                  "duration": "open"})  # fmt: skip
    assert exact.status_code == 302
