"""The citizen's whole way in, in Chromium against the real server and a real SMTP server:
register, confirm, sign in, apply with a Vollmacht, answer a Rückfrage, be approved, get the
fee notice, pay at the desk, see only the kinds granted, and lose the file when the grant
ends."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update

from docstore.models import Grant, Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from tests.conftest import KEYCLOAK_PASSWORD, KEYCLOAK_USER
from tests.ingest.samples import text_pdf
from tests.servers import SmtpServer, mail_links
from tests.web.conftest import GRANTED, PASSWORD, enrol, totp_code

from .conftest import Server, look

CITIZEN_PASSWORD = "Wintergarten-Anbau-1978"


def _clerk(server: Server) -> tuple[str, str]:
    """A clerk of this test's own: a one-time code is accepted once, the shared clerk's is used."""
    name = f"clerk.{uuid.uuid4().hex[:6]}"
    inst = server.archive.instance
    with inst.db.transaction() as s:
        users.create_user(s, name, PASSWORD, Role.CLERK, actor=CONSOLE)
        secret = enrol(s, name, inst.config.secret_key)
    return name, secret


def _clerk_page(browser: Browser, server: Server) -> Page:
    name, secret = _clerk(server)
    context = browser.new_context(base_url=server.url, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto("/login")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_label("Einmalcode oder Wiederherstellungscode").fill(totp_code(secret))
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text(f"Angemeldet als {name}")).to_be_visible()
    return page


def _link(mailbox: SmtpServer, address: str, part: str, nth: int) -> str:
    message = mailbox.wait_for(address, nth, timeout=30)
    return next(link for link in mail_links(message) if part in link)


def test_register_apply_answer_approved_and_expired(
    page: Page, browser: Browser, server: Server, smtp_server: SmtpServer, tmp_path
) -> None:
    address = f"erika.{uuid.uuid4().hex[:6]}@example.de"
    page.goto("/")
    look(page, "signed-out-start")
    page.get_by_role("link", name="Konto anlegen").click()
    look(page, "register")
    page.get_by_label("Vor- und Nachname").fill("Erika Mustermann")
    page.get_by_label("E-Mail-Adresse").fill(address)
    page.get_by_label("Passwort", exact=True).fill(CITIZEN_PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", name="Bitte prüfen Sie Ihr Postfach")).to_be_visible()
    look(page, "register-mail-sent")

    page.goto(_link(smtp_server, address, "/register/confirm/", 1))
    expect(page.get_by_role("heading", name="E-Mail-Adresse bestätigen")).to_be_visible()
    look(page, "register-confirm")
    page.get_by_label("Passwort").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Adresse bestätigen").click()
    expect(page.get_by_text("Angemeldet als Erika Mustermann")).to_be_visible()
    page.get_by_role("button", name="Abmelden", exact=True).click()
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(address)
    page.get_by_label("Passwort").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_text("Angemeldet als Erika Mustermann")).to_be_visible()

    page.get_by_role("link", name="Akteneinsicht beantragen").click()
    look(page, "application-form")
    page.get_by_label("Aktenzeichen, falls bekannt").fill(GRANTED)
    page.get_by_label("Ich bin vom Eigentümer bevollmächtigt").check()
    page.get_by_label("Wofür brauchen Sie die Unterlagen?").fill("Kauf des Hauses")
    vollmacht = text_pdf(tmp_path / "vollmacht.pdf", pages=1, marker="Vollmacht")
    page.get_by_label("Nachweise (PDF oder Bild)").set_input_files(str(vollmacht))
    page.get_by_role("button", name="Antrag stellen").click()
    expect(page.locator(".status-line")).to_contain_text("eingegangen")
    look(page, "application-submitted")
    application_url = page.url

    clerk = _clerk_page(browser, server)
    clerk.get_by_role("link", name="Anträge", exact=True).click()
    look(clerk, "review-queue")
    number = re.search(r"/applications/(\d+)$", application_url).group(1)
    clerk.goto(f"/review/{number}")
    look(clerk, "review-application")
    clerk.get_by_label("Rückfrage an die antragstellende Person").fill(
        "Bitte Seite 2 der Vollmacht."
    )
    clerk.get_by_role("button", name="Rückfrage senden").click()
    expect(clerk.get_by_text("Die Rückfrage ist verschickt.")).to_be_visible()

    assert "Rückfrage" in smtp_server.wait_for(address, 3, timeout=30)["Subject"]
    page.goto(application_url)
    expect(page.get_by_text("Bitte Seite 2 der Vollmacht.")).to_be_visible()
    look(page, "application-query")
    page.get_by_label("Ihre Antwort").fill("Seite 2 anbei.")
    page.get_by_label("Weitere Nachweise (PDF oder Bild)").set_input_files(str(vollmacht))
    page.get_by_role("button", name="Antwort senden").click()
    expect(page.locator(".status-line")).to_contain_text("in Prüfung")

    clerk.goto(f"/review/{number}")
    clerk.get_by_label("nur Dokumente dieser Arten").check()
    clerk.get_by_label("Dokumentarten").select_option(["statik"])
    clerk.get_by_label("Einsicht für Tage").fill("1")
    look(clerk, "review-approve-with-fee")
    clerk.get_by_role("button", name="Genehmigen und freigeben").click()
    expect(clerk.get_by_text("Der Gebührenbescheid ist verschickt")).to_be_visible()

    page.goto(application_url)  # approved, but the file waits for the fee
    expect(page.locator("main")).to_contain_text("sobald die Gebühr bezahlt ist")
    expect(page.get_by_role("link", name="Freigegebene Unterlagen ansehen")).to_have_count(0)
    look(page, "application-fee-notice")
    with page.expect_download() as notice:
        page.get_by_role("link", name=re.compile(r"Bescheid vom .* \(PDF\)")).click()
    assert notice.value.suggested_filename.startswith("Gebuehrenbescheid-RF")

    clerk.goto(f"/review/{number}")  # the applicant pays at the desk
    clerk.get_by_label("Betrag (Euro)").fill("16,50")
    clerk.get_by_label("Quittungsnummer").fill("K-2026-0815")
    clerk.get_by_role("button", name="Zahlung buchen").click()
    expect(clerk.get_by_text("Die Zahlung ist gebucht.")).to_be_visible()
    clerk.context.close()

    page.goto("/")
    look(page, "start-approved")
    page.get_by_role("link", name=GRANTED).click()
    expect(page.locator("main")).to_contain_text("Tragwerk")
    expect(page.locator("main")).not_to_contain_text("Wohnhaus")  # the permit: not granted

    with server.archive.instance.db.transaction() as s:  # the day passes: the grant ends
        s.execute(update(Grant).where(Grant.access_request_id == int(number)).values(
            valid_from=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
            valid_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))  # fmt: skip
    page.goto("/")
    expect(page.get_by_role("link", name=GRANTED)).to_have_count(0)


def test_bundid_sign_in_apply_and_be_approved(page: Page, browser: Browser, server: Server) -> None:
    """The same way once through the real identity provider: Keycloak's own sign-in page, a
    new account, an application, the clerk sees the identity's level and approves."""
    page.goto("/login")
    look(page, "login-with-bundid")
    page.get_by_role("button", name="Mit BundID anmelden").click()
    page.locator("#username").fill(KEYCLOAK_USER)  # Keycloak's page, not ours
    page.locator("#password").fill(KEYCLOAK_PASSWORD)
    page.locator("#password").press("Enter")
    expect(page.get_by_role("link", name="Mein Konto")).to_be_visible()
    page.goto("/account")
    expect(page.locator("main")).to_contain_text("über BundID angemeldet")
    look(page, "account-with-bundid")

    page.goto("/applications/new")
    page.get_by_label("Aktenzeichen, falls bekannt").fill(GRANTED)
    page.get_by_label("Ich bin Nachbarin oder Nachbar").check()
    page.get_by_label("Wofür brauchen Sie die Unterlagen?").fill("Anbau an der Grenze")
    page.get_by_role("button", name="Antrag stellen").click()
    expect(page.locator(".status-line")).to_contain_text("eingegangen")
    number = re.search(r"/applications/(\d+)$", page.url).group(1)

    clerk = _clerk_page(browser, server)
    clerk.goto(f"/review/{number}")
    expect(clerk.locator("main")).to_contain_text("über BundID angemeldet, Vertrauensniveau")
    clerk.get_by_label("nur Dokumente dieser Arten").check()
    clerk.get_by_label("Dokumentarten").select_option(["statik"])
    clerk.get_by_label("Gebühr abweichend festsetzen (Euro)").fill("0")
    clerk.get_by_label("Begründung der abweichenden Gebühr").fill("Amtshilfe, gebührenfrei")
    clerk.get_by_role("button", name="Genehmigen und freigeben").click()
    expect(clerk.get_by_text("Genehmigt: Die Freigabe gilt ab heute.")).to_be_visible()
    clerk.context.close()

    page.goto("/")
    page.get_by_role("link", name=GRANTED).click()
    expect(page.locator("main")).to_contain_text("Tragwerk")
