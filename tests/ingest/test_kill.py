"""SIGKILL a real ``bauakte ingest`` at named points; the rerun must complete the batch.

The process freezes itself at a failpoint (``ingest/failpoints.py``), the test
kills its whole process group, checks that nothing is half-registered, reruns,
and checks: every good file exactly once, no orphaned originals, nothing
missing, every rejected file in quarantine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import ingest
from docstore.models import Blob, Document, Page
from ingest.failpoints import POINTS
from ingest.model import Outcome
from tests.conftest import BAUAKTE
from tests.ingest import samples
from tests.ingest.conftest import copy_of

GOOD = ["a-text.pdf", "b-scan.png", "c-text.pdf", "d-plan.tif"]
BAD = ["e-locked.pdf", "f-bomb.png"]


@pytest.fixture(scope="module")
def kill_batch(tmp_path_factory, hostile_batch) -> Path:
    d = tmp_path_factory.mktemp("killbatch")
    samples.text_pdf(d / "a-text.pdf", pages=3, marker="A")
    samples.save_image(d / "b-scan.png", samples.scan_image("Statik Nachweis"), "PNG")
    samples.text_pdf(d / "c-text.pdf", pages=2, marker="C")
    samples.multipage_tiff(d / "d-plan.tif", pages=2)
    (d / "e-locked.pdf").write_bytes((hostile_batch / "locked.pdf").read_bytes())
    (d / "f-bomb.png").write_bytes((hostile_batch / "bomb.png").read_bytes())
    return d


def _session_processes(sid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == sid:  # field 6 of /proc/PID/stat: the session id
            found.append((int(entry.name), fields[0]))
    return found


def _run_until_paused(env: dict[str, str], folder: Path, point: str) -> None:
    proc = subprocess.Popen(
        [BAUAKTE, "ingest", "--json", "--workers", "1", str(folder)],
        env={**env, "BAUAKTE_PAUSE_AT": point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if any(state == "T" for _, state in _session_processes(proc.pid)):
                break
            assert proc.poll() is None, f"ingest ended (code {proc.returncode}) before {point}"
            time.sleep(0.05)
        else:
            pytest.fail(f"ingest never reached {point}")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for pid, _ in _session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)


def _nothing_half_there(instance) -> set[str]:
    """Every document whole (pages, blob, stored original); returns the stored originals."""
    stored = {o.key for o in instance.store.list("blobs/")}
    with instance.db.session() as s:
        for doc in s.scalars(select(Document)):
            pages = s.scalar(
                select(func.count()).select_from(Page).where(Page.document_id == doc.id)
            )
            assert pages == doc.page_count > 0
            blob = s.get(Blob, doc.blob_sha256)
            assert blob is not None and blob.storage_key in stored
    return stored


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_kill_and_rerun(instance, kill_batch, tmp_path, point) -> None:
    folder = copy_of(kill_batch, tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAUAKTE_")}
    env |= {
        "BAUAKTE_HOME": str(instance.config.home),
        "BAUAKTE_DATABASE_URL": instance.config.database_url,
        "BAUAKTE_STORAGE_URL": instance.config.storage_url,
    }
    _run_until_paused(env, folder, point)
    _nothing_half_there(instance)

    report = ingest.run([folder], instance, workers=1)
    outcomes = {Path(f.path).name: f.outcome for f in report.files}
    assert all(outcomes[n] in (Outcome.ACCEPTED, Outcome.DUPLICATE) for n in GOOD), outcomes
    assert all(outcomes[n] is Outcome.REJECTED for n in BAD), outcomes

    stored = _nothing_half_there(instance)
    with instance.db.session() as s:
        names = s.scalars(select(Document.original_name)).all()
        keys = set(s.scalars(select(Blob.storage_key)).all())
    assert sorted(names) == GOOD  # every good file exactly once
    assert stored == keys  # no orphaned originals, none missing
    for f in report.files:
        if f.outcome is Outcome.REJECTED:
            assert (instance.config.quarantine_dir / f.sha256 / "reason.json").exists()
