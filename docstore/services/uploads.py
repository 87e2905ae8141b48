"""Browser uploads as the database sees them: a batch, its files, and each file's outcome.

The bytes wait in the spool folder (see :mod:`ingest.spool`); these rows
say what was uploaded, by whom, and what became of each file, so the status
page survives a server restart and any worker process can show it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict
from ..models import UploadBatch, UploadFile, UploadStatus, User, utcnow
from . import audit, roles
from .actors import Actor, user_id_of
from .archive import Hidden
from .roles import Capability


def create_batch(
    session: Session,
    uploader: Actor,
    token: str,
    files: list[tuple[str, int]],
    manifest_name: str | None,
) -> UploadBatch:
    roles.require(uploader, Capability.INGEST)
    batch = UploadBatch(
        token=token,
        uploader_id=user_id_of(uploader),
        manifest_name=manifest_name,
        files=[UploadFile(name=name, size=size) for name, size in files],
    )
    session.add(batch)
    session.flush()
    audit.record(
        session,
        "upload",
        actor=uploader,
        target_type="upload",
        target_id=batch.id,
        details={"files": [n for n, _ in files], "manifest": manifest_name},
    )
    return batch


def claim_next(session: Session) -> UploadBatch | None:
    """The oldest waiting batch, marked running; one another worker holds is skipped."""
    now = utcnow()
    batch = session.scalar(
        select(UploadBatch)
        .where(
            UploadBatch.status == UploadStatus.QUEUED.value,
            or_(UploadBatch.retry_at.is_(None), UploadBatch.retry_at <= now),
        )
        .order_by(UploadBatch.id)
        .options(selectinload(UploadBatch.files))
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if batch is not None:
        batch.status = UploadStatus.RUNNING.value
    return batch


def requeue_running(session: Session) -> int:
    """Batches a crashed worker left "running" wait again (at the spool worker's start only)."""
    result = session.execute(
        update(UploadBatch)
        .where(UploadBatch.status == UploadStatus.RUNNING.value)
        .values(status=UploadStatus.QUEUED.value)
    )
    return result.rowcount or 0


def record_outcome(
    session: Session,
    batch_id: int,
    name: str,
    outcome: str,
    reason: str | None,
    document_id: int | None,
    *,
    code: str | None = None,
    params: dict[str, object] | None = None,
) -> None:
    """What became of a file; a ``code`` with ``params`` lets the web word the reason."""
    coded = json.dumps(params or {}, default=str) if code else None
    _update_file(session, batch_id, name, outcome=outcome, reason=reason, document_id=document_id,
                 reason_code=code, reason_params=coded)  # fmt: skip


def record_pages(session: Session, batch_id: int, name: str, done: int, total: int) -> None:
    """How far the worker has got with a file (shown on the status page while it runs)."""
    _update_file(session, batch_id, name, pages_done=done, pages_total=total)


def _update_file(session: Session, batch_id: int, name: str, **values: object) -> None:
    session.execute(
        update(UploadFile)
        .where(UploadFile.batch_id == batch_id, UploadFile.name == name)
        .values(**values)
    )


RETRY_DELAYS = (60, 300, 900, 3600)
"""Seconds before the next try of a batch's failed files: soon, then hourly."""
MAX_ATTEMPTS = 12
"""About nine hours of tries: a night's outage; then the files wait for the operator."""


def retry_later(session: Session, batch_id: int) -> dt.datetime | None:
    """Queue the batch again for its failed files (a server was down, a tool broken):
    they are tried again, later each time; None once ``MAX_ATTEMPTS`` are used up."""
    batch = session.get(UploadBatch, batch_id)
    assert batch is not None
    if batch.attempts + 1 >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[min(batch.attempts, len(RETRY_DELAYS) - 1)]
    batch.attempts += 1
    batch.retry_at = utcnow() + dt.timedelta(seconds=delay)
    batch.status = UploadStatus.QUEUED.value
    return batch.retry_at


def finish(session: Session, batch_id: int) -> None:
    """Close the batch; a file the pipeline never reported on is marked failed, not left open."""
    session.execute(
        update(UploadFile)
        .where(UploadFile.batch_id == batch_id, UploadFile.outcome.is_(None))
        .values(outcome="failed", reason="not processed: upload it again")
    )
    session.execute(
        update(UploadBatch)
        .where(UploadBatch.id == batch_id)
        .values(status=UploadStatus.DONE.value, finished_at=utcnow())
    )


def start_file(session: Session, batch_id: int, file_id: int) -> UploadFile | None:
    """A queue worker takes a file: the upload shows as running.  None when there is
    nothing to do (the upload is gone, or an earlier delivery of the job settled it)."""
    found = session.get(UploadFile, file_id, with_for_update=True)
    if found is None or found.batch_id != batch_id or found.outcome is not None:
        return None
    found.reason = None  # set again if this try fails: a try that leaves none crashed
    batch = found.batch
    if batch.status == UploadStatus.QUEUED.value:
        batch.status = UploadStatus.RUNNING.value
    return found


def last_try_reason(session: Session, file_id: int) -> str | None:
    """Why the file's previous try failed; None when it left no reason (its worker died)."""
    return session.scalar(select(UploadFile.reason).where(UploadFile.id == file_id))


def note_try(session: Session, file_id: int, reason: str) -> None:
    """A try failed through no fault of the file's; the status page says why while it waits."""
    session.execute(update(UploadFile).where(UploadFile.id == file_id).values(reason=reason))


def give_up(session: Session, batch_id: int, file_id: int, reason: str) -> str:
    """The file went to quarantine after its last try; returns the upload's token."""
    session.execute(
        update(UploadFile)
        .where(UploadFile.id == file_id, UploadFile.batch_id == batch_id)
        .values(outcome="failed", reason=reason)
    )
    batch = session.get(UploadBatch, batch_id)
    assert batch is not None
    return batch.token


def finish_if_complete(session: Session, batch_id: int) -> bool:
    """Close the upload once every file has its outcome (queue workers finish in any
    order); True when this call closed it."""
    batch = session.get(UploadBatch, batch_id, with_for_update=True)
    if batch is None or batch.status == UploadStatus.DONE.value:
        return False
    session.refresh(batch, ["files"])
    if any(f.outcome is None for f in batch.files):
        return False
    batch.status, batch.finished_at = UploadStatus.DONE.value, utcnow()
    return True


CORRECTABLE = "row."
"""Codes of a manifest row's problems: the file is fine and held for a corrected row."""


def correctable_code(code: str | None) -> bool:
    return bool(code) and code.startswith(CORRECTABLE)  # type: ignore[union-attr]


def is_correctable(upload_file: UploadFile) -> bool:
    """Refused for its manifest row, and not yet corrected or discarded."""
    return upload_file.outcome == "rejected" and correctable_code(upload_file.reason_code)


def correctable(
    session: Session, user: User, batch_id: int, file_id: int, *, lock: bool = False
) -> UploadFile:
    """A file refused for its manifest row; ``lock`` holds it for the correction (one clerk
    at a time)."""
    roles.require(user, Capability.INGEST)
    found = session.get(UploadFile, file_id, with_for_update=lock)
    if found is None or found.batch_id != batch_id:
        raise Hidden(f"file {file_id} of upload {batch_id} not found")
    if not is_correctable(found):
        raise Conflict(f"{found.name} is not waiting for a corrected manifest row",
                       "upload.not_correctable", name=found.name)  # fmt: skip
    return found


def mark_corrected(session: Session, user: User, upload_file: UploadFile, new_batch: int) -> None:
    """The file went again as upload ``new_batch``; the old line keeps its reason and points
    there."""
    params = reason_params(upload_file)
    upload_file.outcome = "corrected"
    upload_file.reason_params = json.dumps({**params, "corrected_in": new_batch}, default=str)
    audit.record(session, "upload.correct", actor=user, target_type="upload",
                 target_id=upload_file.batch_id,
                 details={"file": upload_file.name, "upload": new_batch})  # fmt: skip


def mark_discarded(session: Session, user: User, upload_file: UploadFile) -> None:
    upload_file.outcome = "discarded"
    audit.record(session, "upload.discard", actor=user, target_type="upload",
                 target_id=upload_file.batch_id, details={"file": upload_file.name})  # fmt: skip


def reason_params(upload_file: UploadFile) -> dict[str, object]:
    """The parameters of the file's coded reason ({} when there are none or they are bad)."""
    try:
        params = json.loads(upload_file.reason_params or "{}")
    except ValueError:
        return {}
    return params if isinstance(params, dict) else {}


def corrected_in(upload_file: UploadFile) -> int | None:
    """The upload a corrected file went again with."""
    value = reason_params(upload_file).get("corrected_in")
    return value if isinstance(value, int) else None


def batch_for(session: Session, user: User, batch_id: int) -> UploadBatch:
    """A batch for its status page: staff who may ingest see every batch."""
    roles.require(user, Capability.INGEST)
    batch = session.get(UploadBatch, batch_id, options=[selectinload(UploadBatch.files)])
    if batch is None:
        raise Hidden(f"upload {batch_id} not found")
    return batch


def recent_batches(session: Session, user: User, limit: int = 10) -> list[UploadBatch]:
    roles.require(user, Capability.INGEST)
    stmt = select(UploadBatch).order_by(UploadBatch.id.desc()).limit(limit)
    return list(session.scalars(stmt.options(selectinload(UploadBatch.files))))


def recorded_tokens(session: Session, tokens: Iterable[str]) -> set[str]:
    """Which of ``tokens`` name a recorded upload."""
    wanted = list(tokens)
    found: set[str] = set()
    for start in range(0, len(wanted), 1000):  # bounded IN lists
        chunk = wanted[start : start + 1000]
        found.update(session.scalars(select(UploadBatch.token).where(UploadBatch.token.in_(chunk))))
    return found


def upload_of_token(session: Session, token: str) -> int | None:
    """The upload recorded under ``token``, if any."""
    return session.scalar(select(UploadBatch.id).where(UploadBatch.token == token))
