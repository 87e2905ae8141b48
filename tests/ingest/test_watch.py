"""The hot folder: only complete files, each once, across restarts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

import ingest
from docstore.models import Document
from ingest.watch import watch


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


class Watcher:
    def __init__(self, folder: Path, instance) -> None:
        self.stop = threading.Event()
        self.batches: list = []
        self.thread = threading.Thread(
            target=watch,
            args=(folder, instance),
            kwargs=dict(poll=0.2, settle=5.0, stop=self.stop, on_batch=self.batches.append),
        )
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)


def documents(instance) -> int:
    with instance.db.session() as s:
        return s.scalar(select(func.count()).select_from(Document))


def test_hot_folder(instance, hostile_batch, tmp_path) -> None:
    hot = tmp_path / "hot"
    hot.mkdir()
    scan = (hostile_batch / "scan.png").read_bytes()
    pdf = (hostile_batch / "owner-only.pdf").read_bytes()

    watcher = Watcher(hot, instance)
    try:
        with (hot / "scan.png").open("wb") as f:  # the scanner is still writing
            f.write(scan[: len(scan) // 2])
            f.flush()
            time.sleep(1.0)  # shorter than the settle time: a pause while scanning
            assert watcher.batches == [] and documents(instance) == 0
            f.write(scan[len(scan) // 2 :])
        (hot / "upload.pdf.part").write_bytes(pdf)
        (hot / "broken.pdf").write_bytes(b"%PDF-1.4 broken beyond repair")
        wait_for(lambda: (hot / "done" / "scan.png").exists())
        wait_for(lambda: (hot / "rejected" / "broken.pdf").exists())
        assert "broken" in (hot / "rejected" / "broken.pdf.reason.txt").read_text()
        time.sleep(6.0)  # past the settle time: a .part name is never taken
        assert (hot / "upload.pdf.part").exists() and documents(instance) == 1
        (hot / "upload.pdf.part").rename(hot / "upload.pdf")
        wait_for(lambda: (hot / "done" / "upload.pdf").exists())
        assert (hot / "done" / "scan.png").read_bytes() == scan
    finally:
        watcher.close()
    assert documents(instance) == 2

    # Ingested but not moved (a crash right after the commit), then a restart.
    (hot / "again.pdf").write_bytes(pdf + b"%again")
    ingest.run([hot / "again.pdf"], instance)
    (hot / "scan.png").write_bytes(scan)  # the same scan delivered a second time
    watcher = Watcher(hot, instance)
    try:
        wait_for(lambda: (hot / "done" / "again.pdf").exists())
        wait_for(lambda: (hot / "done" / "scan (2).png").exists())
    finally:
        watcher.close()
    assert documents(instance) == 3
    assert sorted(p.name for p in hot.iterdir()) == ["done", "rejected"]
