"""The hot folder: the office scanner writes files in; each is ingested once it is complete.

A file is taken only when it is complete: its size and modification time
have not changed for ``settle`` seconds, and its name is not a temporary one
(scanners write ``.part``/``.tmp`` files or hidden names and rename them when
done), and it is no operating-system litter (``Thumbs.db``).  After its batch,
each handled file moves into ``done/`` or ``rejected/`` inside the hot folder
(with a ``.reason.txt`` beside a rejected one); a file that failed (a server
down, a fault of Bauakte's own) stays and is retried.  A
restart picks up where the last run stopped; a file that was ingested but not
yet moved is recognised as a duplicate and moved then, so nothing is
registered twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docstore.instance import Instance

from .discover import os_litter
from .metadata import MANIFEST_NAMES
from .model import Outcome
from .runner import IngestReport, run

log = logging.getLogger(__name__)

DONE, REJECTED, QUEUED = "done", "rejected", "queued"
TEMPORARY_SUFFIXES = (".part", ".tmp", ".temp", ".crdownload", ".partial", "~")


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


def _candidates(folder: Path) -> list[Path]:
    found = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        name = entry.name
        if not entry.is_file(follow_symlinks=False) or name in MANIFEST_NAMES:
            continue
        if name.startswith(".") or name.lower().endswith(TEMPORARY_SUFFIXES) or os_litter(name):
            continue
        found.append(Path(entry.path))
    return found


def ready_files(folder: Path, seen: dict[Path, _Seen], settle: float, now: float) -> list[Path]:
    """Files whose size and mtime have been stable for ``settle`` seconds."""
    ready = []
    current = set()
    for path in _candidates(folder):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        current.add(path)
        before = seen.get(path)
        if before is None or (before.size, before.mtime_ns) != (st.st_size, st.st_mtime_ns):
            seen[path] = _Seen(st.st_size, st.st_mtime_ns, now)
        elif now - before.since >= settle and st.st_size > 0:
            ready.append(path)
    for gone in set(seen) - current:
        del seen[gone]
    return ready


def _move(path: Path, target_dir: Path) -> Path:
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    n = 2
    while target.exists():
        target = target_dir / f"{path.stem} ({n}){path.suffix}"
        n += 1
    os.replace(path, target)
    return target


def settle_batch(folder: Path, report: IngestReport) -> None:
    """Move every handled file out of the way; leave failed ones for the next round."""
    for f in report.files:
        path = Path(f.path)
        if f.outcome is Outcome.FAILED or not path.exists():
            continue
        if f.outcome is Outcome.REJECTED:
            moved = _move(path, folder / REJECTED)
            moved.with_name(moved.name + ".reason.txt").write_text(f"{f.reason}\n", "utf-8")
        else:
            _move(path, folder / DONE)


def watch(
    folder: str | os.PathLike[str],
    instance: Instance,
    *,
    poll: float = 2.0,
    settle: float = 3.0,
    stop: threading.Event | None = None,
    on_batch: Callable[[IngestReport], None] | None = None,
    workers: int | None = None,
    on_queued: Callable[[int, list[Path]], None] | None = None,
) -> None:
    """Watch ``folder`` until ``stop`` is set (or forever).  With a job queue the files
    become an upload's jobs (``on_queued``) instead of being ingested here."""
    hot = Path(folder).absolute()
    if not hot.is_dir():
        raise FileNotFoundError(f"hot folder {hot} does not exist")
    stop = stop or threading.Event()
    seen: dict[Path, _Seen] = {}
    retry_after: dict[Path, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        batch = [p for p in ready_files(hot, seen, settle, now) if retry_after.get(p, 0) <= now]
        if batch and instance.config.job_queue:
            _queue_batch(instance, hot, batch, seen, retry_after, on_queued)
        elif batch:
            report = run(batch, instance, workers=workers, source_label="hot folder")
            settle_batch(hot, report)
            for f in report.files:
                if f.outcome is Outcome.FAILED:  # back off before trying again
                    retry_after[Path(f.path)] = time.monotonic() + 30
                else:
                    seen.pop(Path(f.path), None)
            if on_batch is not None:
                on_batch(report)
        stop.wait(poll)


def _queue_batch(instance: Instance, hot: Path, batch: list[Path], seen: dict[Path, _Seen],
                 retry_after: dict[Path, float],
                 on_queued: Callable[[int, list[Path]], None] | None) -> None:  # fmt: skip
    """Queue the files as an upload by the console (with the folder's manifest), then move
    them into ``queued/``: staged in the object store, they are the workers' now.  A crash
    between the two queues them again next time; the workers find them duplicates."""
    from docstore.services.actors import CONSOLE

    from .spool import queue_files

    manifest = next((hot / n for n in sorted(MANIFEST_NAMES) if (hot / n).is_file()), None)
    staged = [*batch, *([manifest] if manifest else [])]
    try:
        batch_id = queue_files(instance, CONSOLE, staged, manifest.name if manifest else None)
    except Exception:  # the database or the object store away: try again later
        log.exception("hot folder: %d files not queued; tried again in 30 s", len(batch))
        for path in batch:
            retry_after[path] = time.monotonic() + 30
        return
    for path in batch:
        _move(path, hot / QUEUED)
        seen.pop(path, None)
    if on_queued is not None:
        on_queued(batch_id, batch)
