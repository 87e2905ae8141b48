"""The worker beside the web server sends the mail outbox, on both stacks, through real SMTP,
and keeps house (ended rate-limit windows go)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from docstore.config import load_config
from docstore.instance import Instance
from docstore.models import RateCounter, Role
from docstore.services import mail, throttle, users
from docstore.services.actors import CONSOLE
from ingest.spool import work
from tests.conftest import server_settings
from tests.servers import SmtpServer


@pytest.mark.parametrize("stack", ["embedded", "servers"])
def test_the_spool_worker_sends_queued_mail(
    stack: str, request: pytest.FixtureRequest, tmp_path: Path, mailbox: SmtpServer
) -> None:
    settings: dict[str, object] = {"home": tmp_path / "instance", "smtp_url": mailbox.url}
    if stack == "servers":
        settings.update(server_settings(request))
    inst = Instance(load_config(settings, environ={}))
    inst.initialise()
    with inst.db.transaction() as s:
        throttle.hit(s, "ended", -1)  # a window that has ended
        throttle.hit(s, "live", 3600)
    stop = threading.Event()
    worker = threading.Thread(target=work, args=(inst, stop, 0.2, 1))
    worker.start()
    try:
        with inst.db.transaction() as s:
            user = users.create_user(s, "anna.k", "a-long-enough-secret", Role.CITIZEN,
                                     actor=CONSOLE, email="anna@example.de")  # fmt: skip
            mail.queue(s, user, "reset", mail.context_of(inst.config), link="https://x/r",
                       minutes=60)  # fmt: skip
        received = mailbox.wait_for("anna@example.de")
        assert "https://x/r" in received.get_content()
        assert _counters_after_housekeeping(inst) == {"live"}  # the ended window went
        stop.set()
        worker.join(timeout=30)
        assert not worker.is_alive()
        assert mail.state(inst.db).waiting == 0
    finally:
        stop.set()
        worker.join(timeout=30)
        inst.close()


def _counters_after_housekeeping(inst: Instance, wait: float = 30.0) -> set[str]:
    """The rate-limit keys left once the worker's first sweep has run (polled: the sweep
    runs in the mail thread, beside the test)."""
    deadline = time.monotonic() + wait
    while True:
        with inst.db.session() as s:
            keys = set(s.scalars(select(RateCounter.key)))
        if "ended" not in keys or time.monotonic() > deadline:
            return keys
        time.sleep(0.1)
