"""Browser uploads: written to the spool folder in the request, ingested by a worker outside it.

The request only writes the files (into ``<token>.part/``, renamed to
``<token>/`` when complete) and records the batch; the spool worker
(``bauakte spool``, started by ``bauakte serve``) runs the same pipeline as
the hot folder and records each file's outcome as it goes.  A restart loses
nothing: a batch left "running" is taken up again, and files already
ingested come back as duplicates of their document instead of twice.  Files
that failed through no fault of theirs (a server down, a broken tool) stay in
the spool and their batch is tried again later (``uploads.RETRY_DELAYS``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import secrets
import shutil
import threading
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import SQLAlchemyError

from docstore.errors import ServiceUnavailable, UsageError
from docstore.instance import Instance
from docstore.models import User
from docstore.services import mail, registration, throttle, uploads
from docstore.services.actors import CONSOLE, Actor

from . import extracts, held
from .metadata import MANIFEST_NAMES, load_manifest
from .model import FileReport, Outcome
from .runner import IngestReport, run

log = logging.getLogger(__name__)
FILES = "files"
KEPT = "kept"
"""Where the files of an upload that kept failing wait for the operator."""
ORPHAN_SETTLE_SECONDS = 600
MAX_NAME = 200
"""Bytes of UTF-8 in a spooled file name (most file systems allow 255)."""


def safe_name(name: str) -> str:
    """A plain file name from whatever the browser sent (never a path, never hidden)."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".")
    if not name:
        name = "upload"
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return _cut(stem, MAX_NAME - len(ext.encode()) - 1) + "." + ext
    return _cut(name, MAX_NAME)


def _cut(text: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8: file systems limit a name's bytes (255), not characters."""
    cut = text.encode()[:max_bytes].decode(errors="ignore")
    return cut or "upload"


def spool_dir(instance: Instance) -> Path:
    path = Path(instance.config.spool_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def receive(
    instance: Instance,
    uploader: User,
    files: Iterable[tuple[str, BinaryIO]],
    manifest: tuple[str, BinaryIO] | None = None,
) -> int:
    """Spool the uploaded files and queue them; returns the batch id.

    A manifest that cannot be read refuses the whole upload with its reason,
    before anything is queued.
    """
    token = secrets.token_hex(16)
    root = spool_dir(instance)
    part = root / f"{token}.part"
    (part / FILES).mkdir(parents=True)
    try:
        written: list[tuple[str, int]] = []
        for original, stream in files:
            name = _unique(safe_name(original), {n for n, _ in written})
            if name.lower() in MANIFEST_NAMES:
                raise UsageError(
                    "a manifest goes into the manifest field, not among the files",
                    "upload.manifest_among_files",
                )
            with (part / FILES / name).open("wb") as out:
                size = _copy(stream, out)
            written.append((name, size))
        if not written:
            raise UsageError("no files were uploaded: choose at least one file", "upload.no_files")
        manifest_name = None
        if manifest is not None:
            manifest_name = safe_name(manifest[0])
            suffix = Path(manifest_name).suffix.lower()
            if suffix not in (".csv", ".json"):
                raise UsageError(
                    "the manifest must be a .csv or .json file", "upload.manifest_type"
                )
            target = part / FILES / f"manifest{suffix}"  # where the pipeline looks for it
            with target.open("wb") as out:
                _copy(manifest[1], out)
            unreadable = [p for p in load_manifest(target).problems if p.row is None]
            if unreadable:
                raise UsageError(
                    f"the manifest {manifest_name} {unreadable[0].reason}",
                    "upload.manifest_unreadable",
                    name=manifest_name,
                )
        if instance.config.job_queue:
            return _queue(instance, uploader, token, part / FILES, written, manifest_name)
        part.rename(root / token)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    with instance.db.transaction() as s:
        return uploads.create_batch(s, uploader, token, written, manifest_name).id


def _queue(
    instance: Instance,
    uploader: User,
    token: str,
    files: Path,
    written: list[tuple[str, int]],
    manifest_name: str | None,
) -> int:
    """Server deployments: the spooled files go to the queue; the spool folder goes."""
    batch_id = queue_files(instance, uploader, sorted(files.iterdir()), manifest_name, token,
                           written)  # fmt: skip
    shutil.rmtree(files.parent, ignore_errors=True)
    return batch_id


def queue_files(
    instance: Instance,
    uploader: Actor,
    paths: list[Path],
    manifest_name: str | None = None,
    token: str | None = None,
    written: list[tuple[str, int]] | None = None,
) -> int:
    """Stage files in the object store, where a worker on any host finds them, and make
    each a job in the transaction that records the upload (a browser upload, or files of
    the hot folder); returns the upload's id.  ``paths`` may include the manifest."""
    from . import queue, queued_ingest

    token = token or secrets.token_hex(16)
    if written is None:
        files = [p for p in paths if p.name not in MANIFEST_NAMES]  # as the hot folder does
        written = [(p.name, p.stat().st_size) for p in files]
    names = [p.name for p in paths]
    try:
        for path in paths:
            with path.open("rb") as stream:
                queued_ingest.stage(instance, token, [(path.name, stream)])
        queue.ensure_schema(instance)
        with instance.db.transaction() as s:
            return queued_ingest.record_staged(s, uploader, token, written, manifest_name).id
    except BaseException:
        with contextlib.suppress(Exception):  # the caller is told it failed: nothing stays
            queued_ingest.drop_staged(instance, token, names)
        raise


def process_pending(instance: Instance, workers: int | None = None, recover: bool = False) -> int:
    """Ingest every waiting batch; returns how many were handled.

    ``recover`` (at start-up only) also takes batches a crashed worker left
    running, and queues spool folders a crashed request never queued.
    """
    if recover:
        recover_crashed(instance)
    handled = 0
    while True:
        with instance.db.transaction() as s:
            batch = uploads.claim_next(s)
            if batch is None:
                return handled
            batch_id, token = batch.id, batch.token
        folder = spool_dir(instance) / token
        failed = _ingest_batch(instance, batch_id, folder, workers)
        with instance.db.transaction() as s:
            when = uploads.retry_later(s, batch_id) if failed else None
            if when is None:
                uploads.finish(s, batch_id)
        if when is not None:
            log.warning("upload %s: %d file(s) failed, tried again at %s",
                        batch_id, len(failed), when.isoformat(timespec="seconds"))  # fmt: skip
        elif failed:
            kept = spool_dir(instance) / KEPT / token
            kept.parent.mkdir(exist_ok=True)
            folder.rename(kept)
            log.error("upload %s: %d file(s) still failing after %d tries, kept in %s: "
                      "ingest them with 'bauakte ingest'", batch_id, len(failed),
                      uploads.MAX_ATTEMPTS, kept)  # fmt: skip
        else:
            shutil.rmtree(folder, ignore_errors=True)  # originals stored, rejects quarantined
        handled += 1


def _ingest_batch(
    instance: Instance, batch_id: int, folder: Path, workers: int | None
) -> list[Path]:
    """Run the pipeline on the batch's files; the ones to try again (all of them when the
    run itself failed: a missing tool, the database gone)."""
    if not (folder / FILES).is_dir():
        log.error("upload %s: spool folder %s is missing", batch_id, folder)
        return []
    try:
        report = run(
            [folder / FILES],
            instance,
            workers=workers,
            progress=UploadProgress(instance, batch_id),
            source_label=f"upload {batch_id}",
        )
    except Exception:
        log.exception("upload %s: the run failed; it is tried again", batch_id)
        return sorted((folder / FILES).iterdir())
    return _keep_only_failed(folder / FILES, report, held.held_root(spool_dir(instance)))


def _keep_only_failed(files: Path, report: IngestReport, held_root: Path) -> list[Path]:
    """Remove what the run settled (stored, duplicate, quarantined, skipped) and hold the
    files refused for their manifest row; return the files that failed through no fault
    of theirs, which stay for the next try."""
    failed = [Path(f.path) for f in report.files if f.outcome is Outcome.FAILED]
    kept = held.hold(files, report.files, held_root)
    for f in report.files:
        path = Path(f.path)
        if (
            f.outcome is not Outcome.FAILED
            and path not in kept
            and path.parent == files
            and path.is_file()
        ):
            path.unlink()
    return [p for p in failed if p.exists()]


def adopt_orphans(instance: Instance, settle: float = ORPHAN_SETTLE_SECONDS) -> int:
    """Queue complete spool folders that have no batch (the server died between the rename
    and the database row); remove half-written ``.part`` folders older than
    ``spool_abandoned_hours``.

    ``settle`` leaves a just-renamed folder to the request that is queueing it.
    """
    folders = sorted(spool_dir(instance).iterdir())
    with instance.db.session() as s:
        known = uploads.recorded_tokens(s, (f.name for f in folders))
    adopted = 0
    now = time.time()
    for folder in folders:
        age = now - folder.stat().st_mtime
        if folder.name.endswith(".part"):
            if age > instance.config.spool_abandoned_hours * 3600:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        if folder.name in known or age < settle or not (folder / FILES).is_dir():
            continue
        files = sorted((folder / FILES).iterdir())
        data = [(f.name, f.stat().st_size) for f in files if f.name.lower() not in MANIFEST_NAMES]
        manifest = next((f.name for f in files if f.name.lower() in MANIFEST_NAMES), None)
        with instance.db.transaction() as s:
            batch = uploads.create_batch(s, CONSOLE, folder.name, data, manifest)
        log.warning("spool folder %s had no batch; queued as upload %s", folder.name, batch.id)
        adopted += 1
    return adopted


def work(
    instance: Instance, stop: threading.Event, poll: float = 2.0, lanes: int | None = None
) -> None:
    """The spool worker: ingest waiting uploads in ``lanes`` batches side by side until ``stop``,
    send the mail outbox and make the extracts ordered.

    Each lane claims the next waiting batch for itself (the claim skips
    batches another lane holds), so a 2,000-page upload occupies one lane
    while the other clerks' uploads go through the rest.  What a crashed
    worker left behind is put back in the queue once, before any lane
    starts: a lane must never take over a batch another lane is running.
    """
    while not stop.is_set():
        try:
            recover_crashed(instance)
            break
        except Exception:  # a database or storage outage: log, wait, try again
            log.exception("spool worker: recovery will be retried")
            stop.wait(poll)
    # with a job queue, uploads are the queue workers' ('bauakte worker')
    count = 0 if instance.config.job_queue else max(1, lanes or instance.config.spool_workers)
    threads = [
        threading.Thread(target=_lane, args=(instance, stop, poll), name=f"spool-lane-{i}")
        for i in range(count)
    ]
    threads.append(threading.Thread(target=_mail, args=(instance, stop, poll), name="mail"))
    threads.append(threading.Thread(target=_extracts, args=(instance, stop, poll), name="extracts"))
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def recover_crashed(instance: Instance) -> None:
    """Queue what a crash left: batches still "running", spool folders never queued."""
    adopt_orphans(instance)
    if instance.config.job_queue:
        return  # a running upload is the queue's: its jobs are tried again there
    with instance.db.transaction() as s:
        requeued = uploads.requeue_running(s)
    if requeued:
        log.warning("spool worker: %d interrupted upload(s) queued again", requeued)


def _lane(instance: Instance, stop: threading.Event, poll: float) -> None:
    while not stop.is_set():
        try:
            process_pending(instance)
        except Exception:  # a database or storage outage: log, wait, try again
            log.exception("spool worker: will retry")
        stop.wait(poll)


SWEEP_SECONDS = 600.0


def _mail(instance: Instance, stop: threading.Event, poll: float) -> None:
    """The embedded default's mail sender; a server deployment may run it as a job instead.

    Every ``SWEEP_SECONDS`` it also erases registrations whose confirmation link ran out
    and the rate-limit counters whose window ended.
    """
    swept = -math.inf  # the first round sweeps
    while not stop.is_set():
        if time.monotonic() - swept >= SWEEP_SECONDS:
            try:  # apart from the mail: a bad smtp_url must not stop the sweeps
                _sweep_ended(instance)
                swept = time.monotonic()
            except Exception:  # a database outage: log, try again next round
                log.exception("sweep of ended registrations and rate limits: will retry")
        try:
            mail.deliver_due(instance.db, instance.mail_transport, instance.config.mail_from)
        except Exception:  # a database outage or a bad smtp_url: log, wait, try again
            log.exception("mail sender: will retry")
        stop.wait(poll)


def _sweep_ended(instance: Instance) -> None:
    """Each sweep in its own short transaction, so none holds up the others or a request."""
    with instance.db.transaction() as s:
        registration.sweep_unconfirmed(s, instance.config.confirm_link_hours)
    with instance.db.transaction() as s:
        throttle.purge_expired(s)


def _extracts(instance: Instance, stop: threading.Event, poll: float) -> None:
    """Make ordered extracts one at a time (a lane of its own: a 300-page plan extract never
    holds up an upload); every ``SWEEP_SECONDS`` delete the ones whose link ran out."""
    swept = -math.inf  # the first round sweeps
    while not stop.is_set():
        try:
            extracts.make_pending(instance, limit=1)
            if time.monotonic() - swept >= SWEEP_SECONDS:
                extracts.sweep(instance)
                swept = time.monotonic()
        except Exception:  # a database or storage outage: log, wait, try again
            log.exception("extract worker: will retry")
        stop.wait(poll)


class UploadProgress:
    """Writes each file's outcome as soon as it is known, and its pages as the worker goes:
    the status page is live.  Page counts are written at most every ``PAGE_WRITE_SECONDS``
    per file, so a 2,000-page scan costs a few hundred small updates, not 2,000."""

    PAGE_WRITE_SECONDS = 2.0

    def __init__(self, instance: Instance, batch_id: int) -> None:
        self.instance = instance
        self.batch_id = batch_id
        self.written: dict[str, float] = {}

    def start(self, total: int) -> None:
        pass

    def pages_done(self, path: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done not in (0, total) and now - self.written.get(path, 0.0) < self.PAGE_WRITE_SECONDS:
            return
        self.written[path] = now
        try:
            with self.instance.db.transaction() as s:
                uploads.record_pages(s, self.batch_id, Path(path).name, done, total)
        except (ServiceUnavailable, SQLAlchemyError):  # a courtesy: an outage must not stop it
            log.warning("upload %s: progress of %s not recorded", self.batch_id, path)

    def file_done(self, report: FileReport) -> None:
        document = report.document_id or report.duplicate_of
        with self.instance.db.transaction() as s:
            uploads.record_outcome(
                s,
                self.batch_id,
                Path(report.path).name,
                report.outcome.value,
                report.reason,
                document,
                code=report.reason_code,
                params=report.reason_params,
            )


def _unique(name: str, taken: set[str]) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while name in taken:
        name = f"{stem} ({n}){suffix}"
        n += 1
    return name


def _copy(stream: BinaryIO, out: BinaryIO) -> int:
    shutil.copyfileobj(stream, out, 1 << 20)
    return out.tell()
