"""Every page on a phone (WCAG 1.4.10 Reflow): each role's pages at 320 CSS pixels scroll
only up and down; a data table may scroll inside its own region, the page itself never
sideways.  axe finds nothing serious there either; screenshots of every page at 320 px in
the test artefacts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from docstore.models import Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from tests.web.conftest import GRANTED, PASSWORD, enrol

from .conftest import ARTIFACTS, Server, look
from .test_browser import sign_in

PUBLIC = ["/login", "/register", "/password/forgotten", "/register/again", "/impressum",
          "/datenschutz", "/barrierefreiheit"]  # fmt: skip
EXTERNAL = ["/", "/search?q=Dachgaube", "/files/{file}", "/documents/{doc}",
            "/documents/{doc}?q=Dachgaube", "/account", "/account/tokens",
            "/account/password", "/account/delete", "/applications/new", "/extracts/",
            "/files/{file}/extract"]  # fmt: skip
CLERK = ["/", "/search?q=Dachgaube", "/files/{file}", "/documents/{doc}", "/upload", "/inbox",
         "/review", "/payments", "/files/{file}/grants", "/files/{file}/edit",
         "/documents/{doc}/edit", "/account", "/account/second-factor"]  # fmt: skip
AUDITOR = ["/", "/audit", "/search?q=Dachgaube"]
ADMIN = ["/admin/users", "/audit"]
OVERFLOW = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 321 && !e.closest('.table-scroll'))
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
  .slice(0, 6)"""


@pytest.fixture(scope="module")
def staff(server: Server) -> dict[str, str]:
    """Staff of this module's own (a one-time code is accepted once per user)."""
    inst = server.archive.instance
    secrets = {}
    with inst.db.transaction() as s:
        for name, role in (("reflow.clerk", Role.CLERK), ("reflow.auditor", Role.AUDITOR),
                           ("reflow.admin", Role.ADMIN)):  # fmt: skip
            users.create_user(s, name, PASSWORD, role, actor=CONSOLE)
            secrets[name] = enrol(s, name, inst.config.secret_key)
    inst.db.dispose()
    return secrets


def _overflowing(page: Page, server: Server, who: str, paths: list[str]) -> list[str]:
    archive = server.archive
    found = []
    page.set_viewport_size({"width": 320, "height": 640})
    for path in paths:
        url = path.format(file=archive.files[GRANTED], doc=archive.documents[GRANTED][0])
        page.goto(url)
        name = f"reflow-{who}-{url.strip('/').replace('/', '-').replace('?', '-') or 'start'}"
        look(page, name)  # axe at 320 px too, and the screenshot
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            found.append(f"{url} ({who}): {width} px; {page.evaluate(OVERFLOW)}")
    return found


@pytest.mark.parametrize("who", ["anonymous", "citizen.download", "reflow.clerk",
                                 "reflow.auditor", "reflow.admin"])  # fmt: skip
def test_every_page_reflows_at_320_pixels(page: Page, server: Server, staff, who: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if who != "anonymous":
        sign_in(page, who, staff.get(who))
    paths = {"anonymous": PUBLIC, "citizen.download": EXTERNAL, "reflow.clerk": CLERK,
             "reflow.auditor": AUDITOR, "reflow.admin": ADMIN}[who]  # fmt: skip
    found = _overflowing(page, server, who, paths)
    assert found == [], "\n".join(found)
