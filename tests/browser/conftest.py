"""A real server (``bauakte serve``: gunicorn plus the spool worker) and Debian's Chromium.

Playwright drives /usr/bin/chromium (no browser download).  Every page a
test visits goes through ``look``: axe-core checks it against WCAG 2.1 A/AA
and a screenshot is saved under ``test-artifacts/`` (or $BAUAKTE_ARTIFACTS).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import KEYCLOAK_REALM, as_environment
from tests.servers import KeycloakServer, SmtpServer
from tests.web.conftest import Archive, build_archive
from tests.xbezahldienste_provider import TestBezahldienst

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("BAUAKTE_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class Server:
    url: str
    archive: Archive
    paydienst: TestBezahldienst


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpServer, keycloak: KeycloakServer
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    archive = build_archive(root / "instance", root / "batch")
    archive.instance.db.dispose()
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    keycloak.add_saml_client(KEYCLOAK_REALM, f"{public}/saml/metadata", f"{public}/saml/acs")
    (root / "idp.xml").write_bytes(keycloak.metadata(KEYCLOAK_REALM))
    paydienst = TestBezahldienst(notify_url=f"{public}/payments/online/notify").start()
    env = {
        **os.environ,
        **as_environment(paydienst.settings()),  # the test Bezahldienst, on loopback
        "BAUAKTE_BANK_IBAN": "DE02120300000000202051",
        "BAUAKTE_HOME": str(root / "instance"),
        "BAUAKTE_SMTP_URL": smtp_server.url,  # the spool worker beside the server sends mail
        "BAUAKTE_PUBLIC_URL": public,
        "BAUAKTE_SAML_IDP_METADATA": str(root / "idp.xml"),  # the real Keycloak
        "BAUAKTE_MAIL_RATE_LIMIT": "10000 per minute",
        "BAUAKTE_SIGNIN_RATE_LIMIT": "10000 per minute",
        "BAUAKTE_INGEST_WORKERS": "1",
    }
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "viewer.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/login", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("bauakte serve did not come up:\n" + (root / "server.log").read_text())
        time.sleep(0.3)
    yield Server(url, archive, paydienst)
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
    paydienst.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    assert AXE.exists(), "axe-core is missing: npm ci --prefix tests/browser"
    expect.set_options(timeout=30_000)  # its own default (5 s) ignores the page's; a loaded CI
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    context = browser.new_context(
        base_url=server.url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []

    def heard(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} at {message.location.get('url')}")

    page.on("console", heard)
    page.on("pageerror", lambda e: errors.append(str(e)))
    expected: list[str] = []
    page.bauakte_errors = errors  # type: ignore[attr-defined]
    page.bauakte_expected = expected  # type: ignore[attr-defined]
    yield page
    context.close()
    unexpected = [e for e in errors if not any(part in e for part in expected)]
    assert unexpected == [], "the page logged errors (a broken script, its own CSP, a 5xx)"


def expect_console_error(page: Page, part: str) -> None:
    """A test that provokes an error response says so: its console line is then allowed."""
    page.bauakte_expected.append(part)  # type: ignore[attr-defined]


def look(page: Page, name: str) -> None:
    """axe-core on the current page (no serious or critical WCAG 2.1 AA finding), a screenshot."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.evaluate(AXE.read_text())  # through the debugger protocol: the page's CSP stays on
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    summary = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in bad
    ]
    assert bad == [], f"{name}: " + json.dumps(summary, indent=1)
