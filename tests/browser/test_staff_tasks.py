"""Staff's main tasks in a real browser, at desktop width and at 320 px: give and revoke
access with the person found as you type, sort an inbox document by its address, correct
a refused manifest row, read the trail.  Each step is screenshotted and checked with axe,
for sideways scrolling, and for English words in the German page's messages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from docstore.models import Document, Role
from docstore.services import building_files, users
from docstore.services.actors import CONSOLE
from tests.ingest.samples import text_pdf
from tests.web.conftest import GRANTED, PASSWORD, enrol

from .conftest import Server, expect_console_error, look
from .test_browser import sign_in

WIDTHS = [1280, 320]
ENGLISH = re.compile(r"\b(the|is|not|choose|give|use|your|this|already|must|cannot)\b")
TASK_FILE = "63-BA-1988-0042"


@pytest.fixture(scope="module")
def people(server: Server) -> dict[str, str]:
    inst = server.archive.instance
    secrets = {}
    with inst.db.transaction() as s:
        staff = (("tasks.clerk", Role.CLERK), ("tasks.sorter", Role.CLERK),
                 ("tasks.uploader", Role.CLERK), ("tasks.auditor", Role.AUDITOR))  # fmt: skip
        for name, role in staff:
            users.create_user(s, name, PASSWORD, role, actor=CONSOLE)
            secrets[name] = enrol(s, name, inst.config.secret_key)
        address = "marta.browser@example.org"
        users.create_user(s, "m.browser", PASSWORD, Role.CITIZEN, actor=CONSOLE, email=address,
                          display_name="Marta Browser")  # fmt: skip
        building_files.create_building_file(
            s, TASK_FILE, street="Browserweg", house_number="5 c", municipality="Köln",
            actor=CONSOLE,
        )  # fmt: skip
    inst.db.dispose()
    return secrets


def _check(page: Page, name: str, width: int) -> None:
    look(page, f"task-{name}-{width}")
    if width == 320:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, name
    for text in page.locator("[role=alert], .notice, .flash, .reason").all_inner_texts():
        assert not ENGLISH.search(text), f"{name}: English in a German message: {text}"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clerk_grants_and_revokes_with_the_person_found_as_typed(
    page: Page, server: Server, people, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "tasks.clerk", people["tasks.clerk"], offset=0 if width == 1280 else 1)
    expect(page.get_by_role("heading", name="Was zu tun ist")).to_be_visible()
    _check(page, "staff-home", width)
    page.goto(f"/files/{server.archive.files[GRANTED]}/grants")
    field = page.get_by_label("Person", exact=True)
    field.fill("marta brow")
    expect(page.locator("#people-status")).to_contain_text("Vorschläge: 1")
    assert page.locator("#people-suggestions option").first.get_attribute("value") == "m.browser"
    field.fill("m.browser")
    page.get_by_label("unbefristet").check()
    _check(page, "grant-form", width)
    page.get_by_role("button", name="Zugang einrichten").click()
    expect(page.get_by_text("Zugang für Marta Browser (m.browser) eingerichtet.")).to_be_visible()
    _check(page, "grant-done", width)
    page.get_by_role("link", name=re.compile(r"Widerrufen … \(Marta Browser")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("widerrufen?")
    page.get_by_label("Begründung für die Person (optional)").fill("Vollmacht zurückgezogen")
    _check(page, "revoke-confirm", width)
    page.get_by_role("button", name="Widerruf bestätigen").click()
    expect(page.get_by_text("die Person wird per E-Mail benachrichtigt")).to_be_visible()
    _check(page, "revoke-done", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clerk_sorts_an_inbox_document_by_its_address(
    page: Page, server: Server, people, width: int
) -> None:
    inst = server.archive.instance
    with inst.db.transaction() as s:
        s.get(Document, server.archive.inbox_document).building_file_id = None
    inst.db.dispose()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "tasks.sorter", people["tasks.sorter"], offset=0 if width == 1280 else 1)
    page.goto("/inbox")
    item = page.locator(f"#doc-{server.archive.inbox_document}")
    field = item.get_by_label("Bauakte: Aktenzeichen, Adresse oder Flurstück")
    field.fill("Browserweg 5c")
    expect(item.locator("[role=status]")).to_contain_text("Vorschläge: 1")
    _check(page, "inbox", width)
    expect_console_error(page, "/assign")  # the refused assignment answers 400, as it should
    item.get_by_role("button", name="Zuordnen").click()
    expect(page.get_by_text("Welche Bauakte ist gemeint?")).to_be_visible()
    expect(page.locator(f"#az-{server.archive.inbox_document}")).to_have_value("Browserweg 5c")
    _check(page, "inbox-choose", width)
    page.get_by_role("button", name=f"Der Bauakte {TASK_FILE} zuordnen").click()
    expect(page.get_by_text(f"liegt jetzt in der Bauakte {TASK_FILE}")).to_be_visible()
    _check(page, "inbox-done", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clerk_corrects_a_refused_manifest_row_in_place(
    page: Page, server: Server, people, width: int, tmp_path
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "tasks.uploader", people["tasks.uploader"], offset=0 if width == 1280 else 1)
    name = f"gutachten-{width}.pdf"
    scan = text_pdf(tmp_path / name, pages=1, marker=f"Bodengutachten Zeile {width}")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"file;aktenzeichen;kind;date\n{name};{TASK_FILE};statik;30.02.2020\n")
    page.goto("/upload")
    page.get_by_label("Dateien (PDF, TIFF, JPEG, PNG)").set_input_files([scan])
    page.get_by_label("Manifest (CSV oder JSON, optional)").set_input_files([manifest])
    page.get_by_role("button", name="Hochladen").click()
    expect(page.locator("#upload-state")).to_have_text("abgeschlossen", timeout=90_000)
    row = page.locator("#upload-files tbody tr").filter(has_text=name)
    expect(row.locator(".reason")).to_contain_text("ist kein Datum")
    _check(page, "row-refused", width)
    row.get_by_role("link", name=re.compile("Zeile korrigieren")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Manifestzeile korrigieren")
    expect(page.get_by_label("Aktenzeichen")).to_have_value(TASK_FILE)
    expect(page.get_by_label("Datum", exact=True)).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Datum", exact=True).fill("2020-02-28")
    _check(page, "row-correct", width)
    page.get_by_role("button", name="Erneut einlesen").click()
    expect(page.get_by_text("wird mit der korrigierten Zeile erneut eingelesen")).to_be_visible()
    expect(page.locator("#upload-state")).to_have_text("abgeschlossen", timeout=90_000)
    expect(page.locator("#upload-files tbody tr .outcome")).to_have_text("übernommen")
    _check(page, "row-corrected", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_auditor_reads_who_saw_a_document(
    page: Page, server: Server, people, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "tasks.auditor", people["tasks.auditor"], offset=0 if width == 1280 else 1)
    doc = server.archive.documents[GRANTED][0]
    page.goto(f"/documents/{doc}")
    expect(page.get_by_role("heading", name="Zugriffe")).to_be_visible()
    _check(page, "document-accesses", width)
    page.get_by_role("link", name=re.compile("im Protokoll ansehen")).click()
    expect(page.get_by_text("nur Zugriffe auf Dokument")).to_be_visible()
    expect(page.get_by_role("link", name="Als CSV-Datei herunterladen")).to_be_visible()
    _check(page, "trail-document", width)
    page.goto("/search?q=Dachgaube&art=statik")
    expect(page.get_by_role("link", name="Filter Dokumentart Statik entfernen")).to_be_visible()
    _check(page, "search-filtered", width)
    page.goto(f"/files/{server.archive.files[GRANTED]}?sort=date")
    expect(page.get_by_text("Alle Dokumente, älteste zuerst")).to_be_visible()
    _check(page, "file-by-date", width)
