"""The auditor's trail (filters, chain check) and the admin's user management."""

from __future__ import annotations

from sqlalchemy import select, update

from docstore.models import AuditEvent, User

from .conftest import GRANTED, PASSWORD, csrf_token, signin


def test_trail_filters_by_user_action_and_file(archive, client_as) -> None:
    auditor = client_as("auditor")
    client_as("citizen.active").get(f"/documents/{archive.documents[GRANTED][0]}")
    page = auditor.get("/audit?user=citizen.active&action=document.view").text
    rows = page.split("<tbody>")[1]
    assert "Dokument angesehen" in rows and "citizen.active" in rows
    assert "Anmeldung" not in rows
    by_file = auditor.get(f"/audit?aktenzeichen={GRANTED}").text
    assert "Zugang eingerichtet" in by_file.split("<tbody>")[1]
    nothing = auditor.get("/audit?aktenzeichen=63-NOPE").text
    assert "Keine Bauakte" in nothing and "0 Einträge" in nothing
    future = auditor.get("/audit?since=2999-01-01").text
    assert "0 Einträge" in future


def test_chain_check_reports_tampering(archive, client_as) -> None:
    auditor = client_as("auditor")
    token = csrf_token(auditor.get("/audit").text)
    assert "unversehrt" in auditor.post("/audit/verify", data={"csrf_token": token}).text
    with archive.instance.db.transaction() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq).limit(1)).one()
        original = event.details
        s.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(details='{"x":1}'))
    try:
        broken = auditor.post("/audit/verify", data={"csrf_token": token}).text
        assert "beschädigt" in broken and f"seq {event.seq}" in broken
    finally:
        with archive.instance.db.transaction() as s:
            s.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(details=original))


def test_admin_creates_changes_and_disables_accounts(archive, client_as, app) -> None:
    admin = client_as("admin")
    page = admin.get("/admin/users").text
    weak = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token(page),
            "username": "new.one",
            "password": "short",
            "role": "citizen",
        },
    )
    assert weak.status_code == 400
    made = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf_token(page),
            "username": "new.one",
            "password": PASSWORD,
            "role": "citizen",
        },
    )
    assert made.status_code == 302
    with archive.instance.db.session() as s:
        person = s.scalar(select(User).where(User.username == "new.one"))
    person_client = app.test_client()
    assert signin(person_client, "new.one").status_code == 302
    assert person_client.get("/").status_code == 200
    url = f"/admin/users/{person.id}"
    admin.post(url, data={"csrf_token": csrf_token(page), "change": "role:architect"})
    admin.post(url, data={"csrf_token": csrf_token(page), "change": "disable"})
    with archive.instance.db.session() as s:
        changed = s.get(User, person.id)
        assert (changed.role, changed.active) == ("architect", False)
    assert person_client.get("/").status_code == 302  # a disabled account's session ends
    assert signin(app.test_client(), "new.one").status_code == 401
    with archive.instance.db.session() as s:
        admin_id = s.scalar(select(User.id).where(User.username == "admin"))
    refused = admin.post(
        f"/admin/users/{admin_id}",
        follow_redirects=True,
        data={"csrf_token": csrf_token(page), "change": "disable"},
    )
    assert "Ihr eigenes Konto können Sie nicht sperren" in refused.text
