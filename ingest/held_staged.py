"""Files refused for their manifest row, held in the object store (queue deployments).

With a job queue the spool folder is not shared between hosts: an uploaded file waits
staged in the object store (``incoming/<token>/…``) for a worker on any host. A file
refused for its row stays staged there, beside its upload's manifest, until the clerk
corrects the row or discards the file (see :mod:`ingest.held` for the spool's copy of
the same steps).

A correction stages the file again as an upload of its own (its own manifest: the
corrected row; the bytes copied inside the store, never through the web worker that
holds the row's lock) and records that upload, its job and the old line's "corrected" in one
transaction; the old staged bytes go after the commit. A crash before the commit
leaves the new staged copy unrecorded, which the hourly sweep removes; the old one is
still held, so the clerk can try again. A commit that went through but whose answer
was lost counts as done.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import secrets
from pathlib import Path
from typing import Any

from docstore.instance import Instance
from docstore.models import User
from docstore.services import uploads
from storage import StorageError, incoming_key

from . import queued_ingest
from .held import ROW_COLUMNS, corrected_row, not_held, one_row_manifest
from .metadata import rows_of

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
"""The name of a correction's own manifest (one row: the corrected one)."""


def is_held(instance: Instance, token: str, name: str) -> bool:
    """Whether the refused file's bytes are still staged (asked when the form opens)."""
    return instance.store.exists(incoming_key(token, name))


def row_of(instance: Instance, token: str, manifest_name: str | None, name: str) -> dict[str, str]:
    """The manifest row the file was refused for, as it was written (text per column)."""
    if manifest_name is None:
        return {}
    suffix = Path(manifest_name).suffix.lower()
    try:
        data = instance.store.read_bytes(incoming_key(token, f"manifest{suffix}"))
        rows = rows_of(data, suffix)
    except (OSError, ValueError, csv.Error):  # lost or unreadable: the form starts empty
        return {}
    for _number, row in rows:
        if str(row.get("file") or "").strip() == name:
            return {c: str(row.get(c) or "").strip() for c in ROW_COLUMNS}
    return {}


def resubmit(
    instance: Instance, clerk: User, batch_id: int, file_id: int, values: dict[str, Any]
) -> int:
    """Ingest the held file again with the corrected row; returns the new upload's id."""
    from . import queue

    queue.ensure_schema(instance)
    new_token = secrets.token_hex(16)
    staged: list[str] = []
    committing = False
    try:
        with instance.db.transaction() as s:
            upload_file = uploads.correctable(s, clerk, batch_id, file_id, lock=True)
            name, token = upload_file.name, upload_file.batch.token
            manifest = one_row_manifest(name, corrected_row(values)).encode()
            staged.append(name)
            try:  # in the store itself: the bytes do not pass through the web worker
                size = instance.store.copy(incoming_key(token, name), incoming_key(new_token, name))
            except FileNotFoundError:
                raise not_held(name) from None
            staged.append(MANIFEST)
            queued_ingest.stage(instance, new_token, [(MANIFEST, io.BytesIO(manifest))])
            new = queued_ingest.record_staged(s, clerk, new_token, [(name, size)], MANIFEST)
            uploads.mark_corrected(s, clerk, upload_file, new.id)
            new_id = new.id
            committing = True
    except BaseException as exc:
        if not committing:  # refused or failed before the commit: nothing new stays
            with contextlib.suppress(Exception):
                queued_ingest.drop_staged(instance, new_token, staged)
            raise
        landed = _landed(instance, new_token) if isinstance(exc, Exception) else None
        if landed is None:  # not seen (yet): the sweep drops the copy if it never lands
            raise
        new_id = landed  # the commit went through; only its answer was lost
    _forget(instance, batch_id, token, name)
    return new_id


def _landed(instance: Instance, token: str) -> int | None:
    """The upload a correction recorded although its commit reported a failure; None when
    it is not there or the database cannot say."""
    try:
        with instance.db.session() as s:
            return uploads.upload_of_token(s, token)
    except Exception:
        return None


def discard(instance: Instance, clerk: User, batch_id: int, file_id: int) -> None:
    """The clerk does not want the file: forget the staged copy (recorded in the trail)."""
    with instance.db.transaction() as s:
        upload_file = uploads.correctable(s, clerk, batch_id, file_id, lock=True)
        name, token = upload_file.name, upload_file.batch.token
        _held_or_refuse(instance, token, name)
        uploads.mark_discarded(s, clerk, upload_file)
    _forget(instance, batch_id, token, name)


def _forget(instance: Instance, batch_id: int, token: str, name: str) -> None:
    """After the commit: the held bytes, and the upload's manifest once nothing needs it.
    The clerk's correction is done whatever happens here: with the store away (or a
    crash) the bytes stay under the recorded upload, logged; nothing is lost."""
    try:
        queued_ingest.drop_staged(instance, token, [name])
        queued_ingest.drop_manifest(instance, batch_id)
    except StorageError as exc:
        log.warning("upload %s: %s left staged after its correction: %s", batch_id, name, exc)


def _held_or_refuse(instance: Instance, token: str, name: str) -> None:
    if not is_held(instance, token, name):
        raise not_held(name)
