"""One uploaded file ingested by a queue worker on any host.

The bytes wait in the object store (``incoming/<token>/…``, see
:func:`stage`); the worker copies the file (and the upload's manifest) into a
folder of its own scratch space, runs the same pipeline as every other entry
point, and records the outcome on the upload's row.  Everything it does is
safe to repeat: a job delivered twice, or tried again after its worker was
killed, finds the file settled or ingests it again as a duplicate of its
document, never twice.

A file that fails through no fault of its own (a server down) is tried again
later by the queue; after the last try it goes to quarantine with the reason.
A file whose tries never end (the worker dies on it each time) is quarantined
unprocessed on its last try.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from docstore.instance import Instance
from docstore.models import UploadBatch, UploadStatus
from docstore.services import uploads
from docstore.services.actors import Actor
from storage import ObjectInfo, incoming_key
from storage.keys import INCOMING_PREFIX

from . import failpoints
from .discover import sha256_of
from .model import FileReport, Outcome, SourceFile
from .quarantine import quarantine
from .runner import run
from .spool import FILES, UploadProgress

log = logging.getLogger(__name__)

ORPHAN_SETTLE_SECONDS = 3600.0
"""How old the newest staged file of an unrecorded upload must be before it goes."""
STILL_FAILING = "still failing"
WORKER_CRASH = "worker crash"


class TryAgain(Exception):
    """The file failed through no fault of its own: the queue tries it again later."""


def stage(instance: Instance, token: str, files: Iterable[tuple[str, BinaryIO]]) -> list[int]:
    """Write uploaded files to the object store for any worker; returns their sizes."""
    return [instance.store.put_stream(incoming_key(token, name), s).size for name, s in files]


def drop_staged(instance: Instance, token: str, names: Iterable[str]) -> None:
    for name in names:  # deleting what is not there is no error, on every store
        instance.store.delete(incoming_key(token, name))


def record_staged(
    session: Session,
    uploader: Actor,
    token: str,
    written: list[tuple[str, int]],
    manifest_name: str | None,
) -> UploadBatch:
    """The upload of files staged under ``token``, and a job per file, in the caller's
    transaction: a job exists exactly when its upload does (``queue.ensure_schema``
    first)."""
    from . import queue

    batch = uploads.create_batch(session, uploader, token, written, manifest_name)
    queue.defer_files(session, batch.id, [f.id for f in batch.files])
    return batch


def sweep_orphans(instance: Instance, settle: float = ORPHAN_SETTLE_SECONDS) -> int:
    """Remove staged files whose upload was never recorded (a web process killed between
    staging and recording its upload); returns how many went.

    An upload is judged by its newest staged file, once that is ``settle`` seconds old:
    an upload being staged right now is younger. A recorded upload's files are never
    touched here: its jobs and corrections own them."""
    by_token: dict[str, list[ObjectInfo]] = {}
    for info in instance.store.list(INCOMING_PREFIX):
        token = info.key[len(INCOMING_PREFIX) :].split("/", 1)[0]
        by_token.setdefault(token, []).append(info)
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settle)
    settled = {t for t, infos in by_token.items() if max(i.modified for i in infos) < cutoff}
    if not settled:
        return 0
    with instance.db.session() as s:
        recorded = uploads.recorded_tokens(s, settled)
    removed = 0
    for token in sorted(settled - recorded):
        for info in by_token[token]:
            instance.store.delete(info.key)
            removed += 1
        log.warning("staged upload %s was never recorded: its %d files removed", token,
                    len(by_token[token]))  # fmt: skip
    return removed


def ingest_file(instance: Instance, batch_id: int, file_id: int, attempts: int) -> None:
    """The job: ingest one file of an upload (``attempts`` tries were made before).

    Every try that fails leaves its reason on the file's row; a try that leaves none
    was cut off with its worker.  The last try never raises: the file ends settled,
    quarantined, or (its bytes unreadable) failed with the bytes kept staged."""
    with instance.db.transaction() as s:
        crashed_before = attempts > 0 and uploads.last_try_reason(s, file_id) is None
        found = uploads.start_file(s, batch_id, file_id)
        if found is None:
            return  # the upload was deleted, or the file settled by an earlier delivery
        token, name, manifest = found.batch.token, found.name, found.batch.manifest_name
    last_try = attempts >= instance.config.job_attempts - 1
    folder = Path(instance.config.scratch_dir) / f"job-{file_id}-{uuid.uuid4().hex[:8]}"
    try:
        _try(instance, batch_id, file_id, (token, name, manifest), folder,
             last_try=last_try, crashed_before=crashed_before, attempts=attempts)  # fmt: skip
    except TryAgain:
        raise
    except Exception as exc:  # a server away, a fault of ours: its reason, then as TryAgain
        reason = f"internal error: {type(exc).__name__}: {exc}"[:500]
        if last_try:
            log.exception("upload %s: %s failed on its last try", batch_id, name)
            with instance.db.transaction() as s:
                uploads.give_up(s, batch_id, file_id, f"{STILL_FAILING}: {reason}; the file "
                                "is kept staged for 'bauakte ingest'")  # fmt: skip
                uploads.finish_if_complete(s, batch_id)
            return
        with instance.db.transaction() as s:
            uploads.note_try(s, file_id, reason)
        raise TryAgain(f"upload {batch_id}, {name}: {reason}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _try(instance: Instance, batch_id: int, file_id: int, upload: tuple[str, str, str | None],
         folder: Path, *, last_try: bool, crashed_before: bool, attempts: int) -> None:  # fmt: skip
    token, name, manifest = upload
    source = _fetch(instance, token, name, manifest, folder)
    if last_try and crashed_before:
        _give_up(instance, batch_id, file_id, source, WORKER_CRASH,
                 f"the ingest worker stopped on this file {attempts} times")  # fmt: skip
        return
    failpoints.crash_on(name)
    report = _run(instance, batch_id, source)
    if report.outcome is not Outcome.FAILED:
        _settled(instance, batch_id, token, name, report)
        return
    if last_try:
        _give_up(instance, batch_id, file_id, source, STILL_FAILING, report.reason or "")
        return
    with instance.db.transaction() as s:
        uploads.note_try(s, file_id, report.reason or "failed")
    raise TryAgain(f"upload {batch_id}, {name}: {report.reason}")


def _fetch(instance: Instance, token: str, name: str, manifest: str | None, folder: Path
           ) -> SourceFile:  # fmt: skip
    files = folder / FILES
    files.mkdir(parents=True)
    target = files / name
    with instance.store.open(incoming_key(token, name)) as src, target.open("wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    if manifest is not None:
        stored = f"manifest{Path(manifest).suffix.lower()}"
        with instance.store.open(incoming_key(token, stored)) as src:
            (files / stored).write_bytes(src.read())
    return SourceFile(name, target)


def _run(instance: Instance, batch_id: int, source: SourceFile) -> FileReport:
    """The pipeline on the one file (in this process: the job is the unit of parallelism)."""
    progress = _JobProgress(instance, batch_id)
    report = run([source.location.parent], instance, workers=1, progress=progress,
                 source_label=f"upload {batch_id}")  # fmt: skip
    mine = [f for f in report.files if Path(f.path).name == source.name]
    if not mine:
        return FileReport(path=str(source.location), outcome=Outcome.SKIPPED,
                          reason="not a document (operating-system litter)")  # fmt: skip
    return mine[0]


def _settled(instance: Instance, batch_id: int, token: str, name: str, report: FileReport
             ) -> None:  # fmt: skip
    """Record the outcome (if the pipeline's progress did not) and drop the staged bytes,
    except for a file refused for its manifest row, which waits for a corrected row."""
    with instance.db.transaction() as s:
        uploads.record_outcome(s, batch_id, name, report.outcome.value, report.reason,
                               report.document_id or report.duplicate_of,
                               code=report.reason_code, params=report.reason_params)  # fmt: skip
        complete = uploads.finish_if_complete(s, batch_id)
    if not uploads.correctable_code(report.reason_code):
        drop_staged(instance, token, [name])
    if complete:
        drop_manifest(instance, batch_id)


def _give_up(instance: Instance, batch_id: int, file_id: int, source: SourceFile, reason: str,
             detail: str) -> None:  # fmt: skip
    """Quarantine the file with why, and close its line on the upload's status page."""
    sha256, _size = sha256_of(source.location)
    quarantine(source, reason, detail, sha256, instance.config.quarantine_dir)
    log.error("upload %s: %s quarantined (%s: %s)", batch_id, source.name, reason, detail)
    with instance.db.transaction() as s:
        token = uploads.give_up(s, batch_id, file_id, f"{reason}: {detail}")
        complete = uploads.finish_if_complete(s, batch_id)
    drop_staged(instance, token, [source.name])
    if complete:
        drop_manifest(instance, batch_id)


def drop_manifest(instance: Instance, batch_id: int) -> None:
    """A finished upload's manifest goes too, unless a file waits for a corrected row.
    While any file of the upload still waits for its job, the manifest stays: that job
    reads it."""
    with instance.db.session() as s:
        batch = s.get(UploadBatch, batch_id)
        if batch is None or batch.manifest_name is None:
            return
        if batch.status != UploadStatus.DONE.value:
            return
        if any(uploads.is_correctable(f) for f in batch.files):
            return
        token, stored = batch.token, f"manifest{Path(batch.manifest_name).suffix.lower()}"
    drop_staged(instance, token, [stored])


class _JobProgress(UploadProgress):
    """Pages as the worker goes; the outcome is the job's to record (a failure is only
    final after the last try)."""

    def file_done(self, report: FileReport) -> None:
        pass
