"""PostgreSQL restarted while queue workers ingest: the tries that meet the outage fail
with their reason and are tried again, the workers go on by themselves, and every file
ends ingested exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from docstore.models import Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from tests.conftest import server_settings
from tests.ingest import samples
from tests.ingest.conftest import make_instance
from tests.servers import PostgresServer

from . import test_job_queue as queued

pytestmark = [pytest.mark.postgres, pytest.mark.minio, pytest.mark.slow]


@pytest.fixture
def restartable() -> Iterator[PostgresServer]:
    """A PostgreSQL of its own (the session's one serves the other tests)."""
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_workers_go_on_after_a_database_restart(request, restartable, tmp_path) -> None:
    settings = {**server_settings(request), "job_queue": "postgres", "job_attempts": "6",
                "ingest_workers": "1", "home": str(tmp_path / "instance"),
                "database_url": restartable.url(restartable.create_database())}  # fmt: skip
    inst = make_instance(Path(settings["home"]), **{k: v for k, v in settings.items()
                                                     if k != "home"})  # fmt: skip
    (tmp_path / "workers").mkdir()
    workers = queued.Workers(settings, tmp_path / "workers")
    try:
        with inst.db.transaction() as s:
            clerk = users.create_user(s, "clerk", "a-long-password-1", Role.CLERK, actor=CONSOLE)
        paths = [samples.text_pdf(tmp_path / f"63-BA-2021-000{n}_statik_2021-02-01_T.pdf",
                                  pages=3, marker=f"Statik {n}") for n in range(6)]  # fmt: skip
        batch_id = queued.upload(inst, clerk, paths)
        workers.start("w1")
        workers.start("w2")
        _wait_for_a_running_job(inst, workers)
        restartable.pause()  # cut off as a restart does, while a file is in hand
        time.sleep(3.0)
        restartable.resume()
        restarted = [0]

        def restart_the_dead() -> None:  # what systemd does (Restart=always)
            for name, proc in list(workers.procs.items()):
                if proc.poll() is not None:
                    workers.procs.pop(name)
                    restarted[0] += 1
                    workers.start(f"again-{restarted[0]}")

        outcomes = queued.wait_done(inst, batch_id, 300, restart_the_dead, workers.log)
        assert set(outcomes.values()) == {"accepted"}, outcomes
        assert queued.documents(inst) == sorted(p.name for p in paths)  # each exactly once
        queued.no_orphans(inst)
        assert queued.staged(inst) == []
    finally:
        workers.stop_all()
        inst.close()


def _wait_for_a_running_job(inst, workers: queued.Workers) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with inst.db.session() as s:
            if s.scalar(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")):
                return
        time.sleep(0.1)
    pytest.fail(f"no worker took a job:\n{workers.log()}")
