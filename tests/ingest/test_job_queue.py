"""Uploads as jobs on the database's queue (Procrastinate), ingested by `bauakte worker`
processes that share only PostgreSQL and MinIO (each has its own scratch folder).

Real servers and real worker processes: two workers split an upload; a worker killed in
the middle of a document loses and doubles nothing; a file that kills its worker every
time ends in quarantine; a file failing through no fault of its own is tried again and
then quarantined with the reason."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from docstore.instance import Instance
from docstore.models import Blob, Document, Role, UploadBatch, UploadFile
from docstore.services import users
from docstore.services.actors import CONSOLE
from ingest import queue, queued_ingest, spool
from ingest.model import FileReport, Outcome
from ingest.runner import IngestReport
from tests.conftest import BAUAKTE, as_environment, server_settings
from tests.ingest import samples
from tests.ingest.conftest import make_instance

pytestmark = [pytest.mark.postgres, pytest.mark.minio]


@pytest.fixture
def settings(request, tmp_path) -> dict[str, str]:
    return {**server_settings(request), "job_queue": "postgres", "job_attempts": "3",
            "ingest_workers": "1", "home": str(tmp_path / "instance")}  # fmt: skip


@pytest.fixture
def inst(settings) -> Iterator[Instance]:
    instance = make_instance(Path(settings["home"]), **{k: v for k, v in settings.items()
                                                         if k != "home"})  # fmt: skip
    yield instance
    instance.close()


@pytest.fixture
def clerk(inst):
    with inst.db.transaction() as s:
        return users.create_user(s, "clerk", "a-long-password-1", Role.CLERK, actor=CONSOLE)


class Workers:
    """`bauakte worker` processes, each in its own session (killed as a group)."""

    def __init__(self, settings: dict[str, str], root: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("BAUAKTE_")}
        self.env |= as_environment(settings)
        self.root = root
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, **extra: str) -> subprocess.Popen:
        scratch = self.root / name
        with (self.root / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                [BAUAKTE, "worker", "--name", name],
                env={**self.env, "BAUAKTE_SCRATCH_DIR": str(scratch), **extra},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.procs):
            with contextlib.suppress(ProcessLookupError):  # already gone
                self.kill(name)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.root.glob("*.log"))


@pytest.fixture
def workers(settings, tmp_path) -> Iterator[Workers]:
    root = tmp_path / "workers"
    root.mkdir()
    found = Workers(settings, root)
    yield found
    found.stop_all()


def upload(inst: Instance, clerk, paths: list[Path]) -> int:
    handles = [(p.name, p.open("rb")) for p in paths]
    try:
        return spool.receive(inst, clerk, handles)
    finally:
        for _name, f in handles:
            f.close()


def wait_done(inst: Instance, batch_id: int, seconds: float, while_waiting: Callable = lambda: None,
              log: Callable[[], str] = str) -> dict[str, str | None]:  # fmt: skip
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with inst.db.session() as s:
            batch = s.get(UploadBatch, batch_id)
            if batch.status == "done":
                return {f.name: f.outcome for f in batch.files}
        while_waiting()
        time.sleep(0.5)
    with inst.db.session() as s:
        jobs = s.execute(text("SELECT id, status::text, attempts, args FROM procrastinate_jobs"))
        files = [(f.name, f.outcome, f.reason) for f in s.get(UploadBatch, batch_id).files]
        state = f"jobs {jobs.all()}, files {files}"
    pytest.fail(f"upload {batch_id} not done after {seconds} s ({state}); log:\n{log()}")


def staged(inst: Instance) -> list[str]:
    return [o.key for o in inst.store.list("incoming/")]


def documents(inst: Instance) -> list[str]:
    with inst.db.session() as s:
        return sorted(s.scalars(select(Document.original_name)))


def no_orphans(inst: Instance) -> None:
    with inst.db.session() as s:
        keys = set(s.scalars(select(Blob.storage_key)))
    assert {o.key for o in inst.store.list("blobs/")} == keys


def test_an_upload_and_its_jobs_are_one_transaction(inst, clerk, tmp_path, monkeypatch) -> None:
    paths = [samples.text_pdf(tmp_path / "a.pdf")]

    real_defer = queue.defer_files

    def database_gone_after_the_jobs(*args, **kwargs):
        real_defer(*args, **kwargs)  # the jobs written, then the transaction fails
        raise RuntimeError("connection lost")

    monkeypatch.setattr(queue, "defer_files", database_gone_after_the_jobs)
    with pytest.raises(RuntimeError):
        upload(inst, clerk, paths)
    with inst.db.session() as s:
        assert s.scalar(select(func.count()).select_from(UploadBatch)) == 0
        assert s.scalar(text("SELECT count(*) FROM procrastinate_jobs")) == 0
    assert staged(inst) == []
    monkeypatch.undo()
    batch_id = upload(inst, clerk, paths)
    with inst.db.session() as s:
        jobs = s.execute(text("SELECT task_name, args FROM procrastinate_jobs")).all()
        file_id = s.scalar(select(UploadFile.id).where(UploadFile.batch_id == batch_id))
    assert [(name, args) for name, args in jobs] == [
        (queue.INGEST_FILE, {"batch_id": batch_id, "file_id": file_id})
    ]
    assert len(staged(inst)) == 1  # the bytes wait in the object store, not on this host


@pytest.mark.slow
def test_two_workers_ingest_an_upload_each_file_once(inst, clerk, workers, tmp_path) -> None:
    paths = [samples.text_pdf(tmp_path / f"63-BA-2021-000{n}_statik_2021-02-01_T.pdf",
                              marker=f"Statik {n}") for n in range(6)]  # fmt: skip
    paths.append(samples.broken_pdf(tmp_path / "kaputt.pdf"))
    batch_id = upload(inst, clerk, paths)
    workers.start("w1")
    workers.start("w2")
    outcomes = wait_done(inst, batch_id, 240, log=workers.log)
    assert outcomes.pop("kaputt.pdf") == "rejected"
    assert set(outcomes.values()) == {"accepted"}, outcomes
    assert documents(inst) == sorted(p.name for p in paths[:6])
    assert staged(inst) == []  # nothing left in the object store's incoming area
    no_orphans(inst)
    assert len(list(inst.config.quarantine_dir.glob("*/reason.json"))) == 1  # kaputt.pdf


@pytest.mark.slow
def test_a_worker_killed_mid_document_loses_and_doubles_nothing(
    inst, clerk, workers, tmp_path
) -> None:
    paths = [samples.text_pdf(tmp_path / f"brief-{n}.pdf", marker=f"Brief {n}") for n in range(3)]
    batch_id = upload(inst, clerk, paths)
    first = workers.start("doomed", BAUAKTE_PAUSE_AT="worker.stored")
    deadline = time.monotonic() + 120
    while not _has_stopped_process(first.pid):  # the original stored, the result not reported
        assert first.poll() is None and time.monotonic() < deadline, workers.log()
        time.sleep(0.1)
    workers.kill("doomed")
    workers.start("rescuer")
    outcomes = wait_done(inst, batch_id, 180, log=workers.log)
    assert set(outcomes.values()) <= {"accepted", "duplicate"}, outcomes
    assert documents(inst) == sorted(p.name for p in paths)  # each exactly once
    no_orphans(inst)
    assert staged(inst) == []


@pytest.mark.slow
def test_a_file_that_kills_its_worker_ends_in_quarantine(inst, clerk, workers, tmp_path) -> None:
    poison = samples.text_pdf(tmp_path / "gift.pdf", marker="Gift")
    good = samples.text_pdf(tmp_path / "gut.pdf", marker="Gut")
    batch_id = upload(inst, clerk, [poison, good])
    crash = {"BAUAKTE_CRASH_ON": "gift.pdf", "BAUAKTE_QUARANTINE_DIR": str(tmp_path / "q")}
    workers.start("w0", **crash)
    started = [0]

    def restart_the_dead() -> None:  # what systemd does for a worker that died
        for name, proc in list(workers.procs.items()):
            if proc.poll() is not None:
                workers.procs.pop(name)
                started[0] += 1
                workers.start(f"w{started[0]}", **crash)

    outcomes = wait_done(inst, batch_id, 240, restart_the_dead, workers.log)
    assert outcomes == {"gift.pdf": "failed", "gut.pdf": "accepted"}
    assert started[0] >= 2  # the poison file killed a worker on each try but the last
    with inst.db.session() as s:
        reason = s.scalar(select(UploadFile.reason).where(UploadFile.name == "gift.pdf"))
    assert reason.startswith(queued_ingest.WORKER_CRASH)
    assert len(list((tmp_path / "q").glob("*/reason.json"))) == 1
    assert documents(inst) == ["gut.pdf"]
    assert staged(inst) == []


def test_a_failing_file_is_tried_again_then_quarantined(inst, clerk, tmp_path,
                                                        monkeypatch) -> None:  # fmt: skip
    path = samples.text_pdf(tmp_path / "brief.pdf")
    batch_id = upload(inst, clerk, [path])
    with inst.db.session() as s:
        file_id = s.scalar(select(UploadFile.id).where(UploadFile.batch_id == batch_id))

    def storage_down(paths, instance, **kwargs):
        files = sorted(Path(paths[0]).iterdir())
        return IngestReport([FileReport(str(p), Outcome.FAILED, "storage unavailable: minio")
                             for p in files])  # fmt: skip

    monkeypatch.setattr(queued_ingest, "run", storage_down)
    with pytest.raises(queued_ingest.TryAgain):
        queued_ingest.ingest_file(inst, batch_id, file_id, attempts=0)
    with inst.db.session() as s:
        row = s.get(UploadFile, file_id)
        assert (row.outcome, row.reason) == (None, "storage unavailable: minio")
        assert s.get(UploadBatch, batch_id).status == "running"
    assert len(staged(inst)) == 1  # kept for the next try
    queued_ingest.ingest_file(inst, batch_id, file_id, attempts=2)  # the last of 3
    with inst.db.session() as s:
        row = s.get(UploadFile, file_id)
        assert row.outcome == "failed"
        assert row.reason == f"{queued_ingest.STILL_FAILING}: storage unavailable: minio"
        assert s.get(UploadBatch, batch_id).status == "done"
    assert len(list(inst.config.quarantine_dir.glob("*/reason.json"))) == 1
    assert staged(inst) == []
    queued_ingest.ingest_file(inst, batch_id, file_id, attempts=3)  # delivered again: nothing


def _has_stopped_process(sid: int) -> bool:
    from tests.ingest.test_kill import _session_processes

    return any(state == "T" for _, state in _session_processes(sid))


def test_doctor_names_the_queue_and_its_workers(inst, settings, workers) -> None:
    queue.ensure_schema(inst)
    env = workers.env
    run = subprocess.run([BAUAKTE, "doctor"], env=env, capture_output=True, text=True)
    line = next(x for x in run.stdout.splitlines() if "job queue" in x)
    assert line.startswith("FAIL") and "start 'bauakte worker'" in line, run.stdout
    workers.start("w1")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = subprocess.run([BAUAKTE, "doctor"], env=env, capture_output=True, text=True)
        line = next(x for x in run.stdout.splitlines() if "job queue" in x)
        if line.startswith("ok"):
            break
        time.sleep(1)
    assert "1 workers, 0 waiting" in line, line


def test_the_queue_needs_postgresql(tmp_path) -> None:
    from docstore.config import load_config
    from docstore.errors import ConfigError

    with pytest.raises(ConfigError, match="needs a PostgreSQL database_url"):
        load_config({"home": tmp_path, "job_queue": "postgres"}, environ={})
    with pytest.raises(ConfigError, match="leave it empty or set 'postgres'"):
        load_config({"home": tmp_path, "job_queue": "redis"}, environ={})


@pytest.mark.slow
def test_hot_folder_files_become_jobs(inst, workers, tmp_path) -> None:
    import threading

    from ingest.watch import QUEUED, watch

    hot = tmp_path / "hot"
    hot.mkdir()
    queued: list[tuple[int, list[Path]]] = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(hot, inst), kwargs={
        "poll": 0.1, "settle": 0.3, "stop": stop,
        "on_queued": lambda b, files: queued.append((b, files))})  # fmt: skip
    watcher.start()
    try:
        for n in range(2):
            samples.text_pdf(hot / f"63-BA-2022-000{n}_statik_2022-01-01_Scan.pdf", marker=str(n))
        wait_queued(queued, 2)
        files = [p for _, batch in queued for p in batch]
        assert sorted(p.name for p in (hot / QUEUED).iterdir()) == sorted(p.name for p in files)
        workers.start("w1")
        for batch_id, _ in queued:
            assert set(wait_done(inst, batch_id, 180, log=workers.log).values()) == {"accepted"}
        again = hot / QUEUED / files[0].name
        again.rename(hot / files[0].name)  # the scanner's operator drops it in once more
        wait_queued(queued, 3)
        assert wait_done(inst, queued[-1][0], 180, log=workers.log) == {files[0].name: "duplicate"}
    finally:
        stop.set()
        watcher.join(30)
    assert len(documents(inst)) == 2
    assert staged(inst) == []


def wait_queued(queued: list[tuple[int, list[Path]]], files: int) -> None:
    deadline = time.monotonic() + 30
    while sum(len(b) for _, b in queued) < files:
        assert time.monotonic() < deadline, queued
        time.sleep(0.1)


def test_a_try_cut_short_by_an_outage_is_not_taken_for_a_crash(inst, clerk, tmp_path,
                                                                 monkeypatch) -> None:  # fmt: skip
    from storage import StorageUnavailable

    path = samples.text_pdf(tmp_path / "brief.pdf")
    batch_id = upload(inst, clerk, [path])
    with inst.db.session() as s:
        file_id = s.scalar(select(UploadFile.id).where(UploadFile.batch_id == batch_id))

    def store_away(*args, **kwargs):
        raise StorageUnavailable("127.0.0.1:9000", "minio down")

    monkeypatch.setattr(queued_ingest, "_fetch", store_away)
    with pytest.raises(queued_ingest.TryAgain):
        queued_ingest.ingest_file(inst, batch_id, file_id, attempts=0)
    with inst.db.session() as s:  # its reason is kept: the next try knows it was no crash
        assert "is unavailable: minio down" in s.get(UploadFile, file_id).reason
    queued_ingest.ingest_file(inst, batch_id, file_id, attempts=2)  # the last try: no raise
    with inst.db.session() as s:
        row = s.get(UploadFile, file_id)
        assert row.outcome == "failed" and row.reason.startswith(queued_ingest.STILL_FAILING)
        assert "kept staged" in row.reason
        assert s.get(UploadBatch, batch_id).status == "done"
    assert len(staged(inst)) == 1  # nothing lost: the bytes wait for the operator
    monkeypatch.undo()
    queued_ingest.ingest_file(inst, batch_id, file_id, attempts=3)  # delivered again: nothing
    assert documents(inst) == []
