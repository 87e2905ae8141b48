"""Citizens, clerks and admins in a real Chromium against a real server."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from docstore.services import users
from tests.ingest.samples import multipage_tiff, text_pdf
from tests.web.conftest import GRANTED, MARKER, OTHER, PASSWORD, totp_code

from .conftest import Server, expect_console_error, look


def sign_in(page: Page, username: str, secret: str | None = None, offset: int = 0) -> None:
    page.goto("/login")
    look(page, "login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    if secret is not None:
        expect(page).to_have_url(re.compile("/login/code$"))
        look(page, "login-code")
        page.get_by_label("Einmalcode oder Wiederherstellungscode").fill(totp_code(secret, offset))
        page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text(f"Angemeldet als {username}")).to_be_visible()


def test_citizen_inspects_a_granted_file(page: Page, server: Server) -> None:
    archive = server.archive
    sign_in(page, "citizen.active")
    look(page, "start-citizen")
    page.get_by_role("link", name=GRANTED).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(GRANTED)
    look(page, "building-file")
    page.get_by_role("link", name=re.compile("Wohnhaus")).first.click()
    expect(page.locator(".page-text")).to_contain_text("Seite 1")
    image = page.locator("figure.page img")
    expect(image).to_have_attribute("alt", re.compile("Seite 1 von 3"))
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    look(page, "document")
    page.keyboard.press("ArrowRight")  # keyboard paging
    expect(page.locator(".page-text")).to_contain_text("Seite 2")
    page.get_by_role("link", name=re.compile("Nächste Seite")).click()
    expect(page.locator(".page-text")).to_contain_text("Seite 3")
    expect(page.get_by_role("link", name="Original herunterladen")).to_have_count(0)  # view only
    page.get_by_label("Suchbegriff").fill(MARKER)
    page.get_by_role("button", name="Suchen").last.click()
    expect(page.get_by_text("Treffer auf 3 Seiten")).to_be_visible()
    expect(page.locator("ol.hits mark").first).to_have_text(MARKER)
    look(page, "document-search")
    page.get_by_role("link", name="Suche", exact=True).click()
    page.get_by_label("Suchbegriffe").fill(MARKER)
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_text("2 Dokumente gefunden")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(OTHER)
    look(page, "search")
    expect_console_error(page, f"/files/{archive.files[OTHER]}")  # the 404 it asks for
    response = page.goto(f"/files/{archive.files[OTHER]}")  # not granted: as if it did not exist
    assert response is not None and response.status == 404
    look(page, "not-found")
    image_url = f"/documents/{archive.documents[OTHER][0]}/pages/1/image.jpg?w=400"
    assert page.request.get(image_url).status == 404


def test_clerk_uploads_and_sorts_the_inbox(page: Page, server: Server, tmp_path) -> None:
    sign_in(page, "clerk", server.archive.secrets["clerk"], offset=0)
    look(page, "start-staff")
    good = text_pdf(
        tmp_path / f"{GRANTED}_schriftverkehr_2022-04-05_Anhoerung.pdf",
        pages=2,
        marker="Anhörung der Nachbarn",
    )
    unsorted = text_pdf(tmp_path / "scan-unsortiert.pdf", pages=1, marker="Lose Blatt Sammlung")
    bad = tmp_path / "plan.pdf"
    bad.write_bytes(b"PK\x03\x04 this is a zip archive, not a PDF")
    page.get_by_role("link", name="Hochladen", exact=True).click()
    look(page, "upload")
    page.get_by_label("Dateien (PDF, TIFF, JPEG, PNG)").set_input_files([good, unsorted, bad])
    page.get_by_role("button", name="Hochladen").click()
    expect(page).to_have_url(re.compile(r"/upload/\d+$"))
    look(page, "upload-status-waiting")
    rows = page.locator("#upload-files tbody tr")
    expect(rows).to_have_count(3)
    # the spool worker ingests outside the request; the page updates itself
    expect(page.locator("#upload-state")).to_have_text("abgeschlossen", timeout=90_000)
    expect(rows.filter(has_text=good.name).locator(".outcome")).to_have_text("übernommen")
    expect(rows.filter(has_text="plan.pdf").locator(".outcome")).to_have_text("abgewiesen")
    expect(rows.filter(has_text="plan.pdf").locator(".reason")).not_to_be_empty()
    look(page, "upload-status-done")
    page.get_by_role("link", name="Zum Eingang").click()
    item = page.locator("ul.inbox li").filter(has_text="scan-unsortiert.pdf")
    item.get_by_label("Bauakte: Aktenzeichen, Adresse oder Flurstück").fill(GRANTED)
    look(page, "inbox")
    item.get_by_role("button", name="Zuordnen").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"liegt jetzt in der Bauakte {GRANTED}"
    )
    expect(page.locator("ul.inbox li").filter(has_text="scan-unsortiert.pdf")).to_have_count(0)
    # a long scan: the status page shows how many of its pages are done while it runs
    scan = multipage_tiff(tmp_path / "bauzeichnungen.tif", pages=6)
    page.get_by_role("link", name="Hochladen", exact=True).click()
    page.get_by_label("Dateien (PDF, TIFF, JPEG, PNG)").set_input_files([scan])
    page.get_by_role("button", name="Hochladen").click()
    outcome = page.locator("#upload-files tbody tr .outcome")
    expect(outcome).to_contain_text(
        re.compile(r"in Arbeit\s*[0-5] von 6 Seiten fertig"), timeout=60_000
    )
    look(page, "upload-status-pages")
    expect(page.locator("#upload-state")).to_have_text("abgeschlossen", timeout=90_000)
    expect(outcome).to_have_text("übernommen")


def _user_id(archive, username: str) -> int:
    with archive.instance.db.session() as s:
        return users.get_user(s, username).id


def test_staff_pages_are_accessible(page: Page, server: Server) -> None:
    archive = server.archive
    sign_in(page, "admin", archive.secrets["admin"], offset=0)  # enrolment used -1
    for name, url in [
        ("grants", f"/files/{archive.files[GRANTED]}/grants"),
        ("edit-document", f"/documents/{archive.documents[GRANTED][0]}/edit"),
        ("edit-building-file", f"/files/{archive.files[GRANTED]}/edit"),
        ("audit-trail", "/audit"),
        ("users", "/admin/users"),
        ("second-factor", "/account/second-factor"),
        ("api-tokens", "/account/tokens"),
        ("change-password", "/account/password"),
        (
            "credentials",
            f"/admin/users/{_user_id(archive, 'clerk')}/credentials?change=reset-password",
        ),
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        look(page, name)
    page.goto("/audit")
    page.get_by_role("button", name="Unveränderlichkeit der Protokollkette prüfen").click()
    expect(page.get_by_text("Die Kette ist unversehrt")).to_be_visible()
    look(page, "audit-verify")
    page.goto("/audit?action=sign-in")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page).to_have_url(re.compile(r"/audit\?action=sign-in$"))
    look(page, "audit-trail-en")


def test_new_staff_account_enrols_a_second_factor(page: Page, server: Server) -> None:
    sign_in(page, "admin", server.archive.secrets["admin"], offset=1)  # after 0 above
    page.goto("/admin/users")
    page.get_by_label("Benutzername").fill("clerk.fresh")
    page.get_by_label("Anfangspasswort").fill(PASSWORD)
    page.get_by_label("Rolle").select_option("clerk")
    page.get_by_role("button", name="Anlegen").click()
    expect(page.get_by_text("Konto clerk.fresh angelegt.")).to_be_visible()
    page.get_by_role("button", name="Abmelden", exact=True).click()
    page.get_by_label("Benutzername").fill("clerk.fresh")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page).to_have_url(re.compile("/login/enrol$"))
    look(page, "enrol")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Einmalcode oder Wiederherstellungscode").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Einrichten").click()
    expect(page.locator("ul.recovery-codes li")).to_have_count(10)
    look(page, "recovery-codes")
    page.get_by_role("link", name="Weiter", exact=True).click()
    expect(page.get_by_text("Angemeldet als clerk.fresh")).to_be_visible()


def test_the_legal_pages_are_one_step_from_the_sign_in_page(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("main")).to_contain_text("von zu Hause aus")  # what the service is
    for link, heading in (
        ("Impressum", "Impressum"),
        ("Datenschutz", "Datenschutzerklärung"),
        ("Barrierefreiheit", "Erklärung zur Barrierefreiheit"),
    ):
        page.goto("/login")
        page.get_by_role("contentinfo").get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        look(page, f"legal-{link.lower()}")
