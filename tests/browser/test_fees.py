"""Paying and copying in Chromium against the real server: an approved application paid online
through the test Bezahldienst opens the file, one paid by a CAMT.053 statement the clerk
uploads opens it too (the desk is in test_way_in), and an extract is ordered, made by the
server's own worker, paid online and downloaded with its stamp."""

from __future__ import annotations

import re
import time
import uuid

import pypdfium2
from playwright.sync_api import Browser, Page, expect

from docstore.fee_models import FeeNotice
from docstore.models import BuildingFile, Role
from docstore.services import grants, users
from docstore.services.actors import CONSOLE
from tests.camt_samples import Booking, statement
from tests.web.conftest import GRANTED, PASSWORD, _unpaid_fee

from .conftest import Server, expect_console_error, look
from .test_way_in import _clerk_page


def _citizen(server: Server, *, fee: bool = True, download: bool = False) -> tuple[str, int]:
    """A citizen of this test's own; with an approved application whose fee is open."""
    name = f"zahler.{uuid.uuid4().hex[:6]}"
    inst = server.archive.instance
    with inst.db.transaction() as s:
        user = users.create_user(s, name, PASSWORD, Role.CITIZEN, actor=CONSOLE)
        user.display_name = "Erika Zahler"
        if download:
            bf = s.get(BuildingFile, server.archive.files[GRANTED])
            grants.grant_access(s, user, bf, actor=CONSOLE, may_download=True)
    notice = _unpaid_fee(inst, server.archive.files[GRANTED], name, plans=False) if fee else 0
    return name, notice


def _sign_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", name="Meine Bauakten")).to_be_visible()


def _application_of(server: Server, notice_id: int) -> int:
    with server.archive.instance.db.session() as s:
        return s.get(FeeNotice, notice_id).request_id


def _pay_at_the_test_provider(page: Page, amount: str) -> None:
    expect_console_error(page, "/favicon.ico")  # the test provider's page has none
    page.get_by_role("button", name=re.compile(rf"{amount}\W+€ online bezahlen")).click()
    expect(page.get_by_role("heading", name="Test-Bezahldienst")).to_be_visible()
    page.get_by_role("button", name="Bezahlen").click()


def test_paid_online_and_the_file_opens(page: Page, server: Server) -> None:
    name, notice = _citizen(server)
    _sign_in(page, name)
    page.goto(f"/applications/{_application_of(server, notice)}")
    expect(page.locator("main")).to_contain_text("sobald die Gebühr bezahlt ist")
    look(page, "fees-application-unpaid")
    _pay_at_the_test_provider(page, "16,50")
    expect(page.get_by_text("Vielen Dank, die Zahlung ist eingegangen")).to_be_visible()
    look(page, "fees-application-paid-online")
    page.get_by_role("link", name="Freigegebene Unterlagen ansehen").click()
    expect(page.get_by_role("heading", name=f"Bauakte {GRANTED}")).to_be_visible()
    assert server.paydienst.notifications[-1] == 204  # the provider's own word arrived too


def test_paid_by_a_bank_statement_the_clerk_uploads(
    page: Page, browser: Browser, server: Server, tmp_path
) -> None:
    name, notice_id = _citizen(server)
    with server.archive.instance.db.session() as s:
        notice = s.get(FeeNotice, notice_id)
        euros, cents = divmod(notice.total_cents, 100)
        reference, amount = notice.reference, f"{euros}.{cents:02d}"
    camt = tmp_path / "kontoauszug.xml"
    camt.write_bytes(statement([Booking(amount, f"Bauakte {reference}", payer="Erika Zahler")],
                               statement_id=f"ST-{uuid.uuid4().hex[:8]}"))  # fmt: skip
    clerk = _clerk_page(browser, server)
    clerk.goto("/payments")
    clerk.get_by_label("Kontoauszug (CAMT.053, XML)").set_input_files(str(camt))
    clerk.get_by_role("button", name="Einlesen").click()
    expect(clerk.get_by_text("1 zugeordnet")).to_be_visible()
    look(clerk, "fees-statement-imported")
    clerk.context.close()
    _sign_in(page, name)
    page.goto(f"/applications/{_application_of(server, notice_id)}")
    expect(page.get_by_text("Vielen Dank, die Gebühr ist bezahlt.")).to_be_visible()
    page.get_by_role("link", name="Freigegebene Unterlagen ansehen").click()
    expect(page.get_by_role("heading", name=f"Bauakte {GRANTED}")).to_be_visible()


def test_an_extract_ordered_made_paid_and_downloaded(page: Page, server: Server) -> None:
    name, _ = _citizen(server, fee=False, download=True)
    _sign_in(page, name)
    page.goto(f"/files/{server.archive.files[GRANTED]}")
    page.get_by_role("link", name="Auszug bestellen").click()
    look(page, "extract-order-form")
    _fits_320(page)
    page.locator("input[name=documents]").first.check()
    page.get_by_role("button", name="Auszug bestellen").click()
    expect(page.get_by_text("Ihr Auszug ist bestellt")).to_be_visible()
    look(page, "extract-queued")
    deadline = time.monotonic() + 60  # the server's spool worker makes it
    while "wird erstellt" in page.locator("main dl").first.inner_text():
        assert time.monotonic() < deadline, "the extract was not made within a minute"
        time.sleep(1)
        page.reload()
    expect(page.get_by_text("sobald die Gebühr bezahlt ist")).to_be_visible()
    _pay_at_the_test_provider(page, "0,90")  # three A4 pages at 0,30 €
    link = page.get_by_role("link", name="Auszug herunterladen")
    expect(link).to_be_visible()
    look(page, "extract-ready")
    _fits_320(page)
    with page.expect_download() as info:
        link.click()
    pdf = pypdfium2.PdfDocument(info.value.path())
    assert len(pdf) == 3
    for p in pdf:
        text = p.get_textpage().get_text_range()
        assert "Nur zur Einsichtnahme" in text and GRANTED in text and "Erika Zahler" in text


def _fits_320(page: Page) -> None:
    """WCAG 1.4.10: the page reflows at 320 CSS pixels without scrolling sideways."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    finally:
        page.set_viewport_size(size)
