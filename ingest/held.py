"""Uploaded files refused for their manifest row, held for the clerk to correct.

A wrong row (a date written 31.1.2020, an unknown kind) says nothing against
the file, so the spool worker keeps it under ``held/<token>/`` beside a copy
of its manifest instead of deleting it.  The upload's status page offers the
row as a form; the corrected row goes through the pipeline as a new upload of
that one file (its own manifest, the same checks), and the old line points to
it.  Discarding removes the file.  A crash between moving the file and the
database commit leaves a complete spool folder, which the worker adopts as an
upload of its own: the file is never lost.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from docstore.errors import UsageError
from docstore.instance import Instance
from docstore.models import User
from docstore.services import uploads

from .metadata import MANIFEST_COLUMNS, MANIFEST_NAMES, RowError, metadata_from_row, read_rows
from .model import FileReport, Outcome

HELD = "held"
ROW_COLUMNS = MANIFEST_COLUMNS[1:]
"""The columns a correction may set (``file`` is the held file itself)."""


def held_root(spool: Path) -> Path:
    return spool / HELD


def hold(files: Path, reports: list[FileReport], root: Path) -> set[Path]:
    """Move the files refused for their row (and the manifest, once) to ``root/<token>``;
    returns the paths moved, which the caller must not delete."""
    refused = [
        Path(r.path)
        for r in reports
        if r.outcome is Outcome.REJECTED and uploads.correctable_code(r.reason_code)
    ]
    moved = {p for p in refused if p.parent == files and p.is_file()}
    if not moved:
        return set()
    target = root / files.parent.name
    target.mkdir(parents=True, exist_ok=True)
    for name in MANIFEST_NAMES:
        if (files / name).is_file() and not (target / name).exists():
            shutil.copyfile(files / name, target / name)
    for path in moved:
        os.replace(path, target / path.name)
    return moved


def held_file(spool: Path, token: str, name: str) -> Path | None:
    """The held copy of an upload's file, if it is still waiting for a correction."""
    path = held_root(spool) / token / name
    return path if name.lower() not in MANIFEST_NAMES and path.is_file() else None


def row_of(spool: Path, token: str, name: str) -> dict[str, str]:
    """The manifest row the file was refused for, as it was written (text per column)."""
    folder = held_root(spool) / token
    for manifest in MANIFEST_NAMES:
        if not (folder / manifest).is_file():
            continue
        try:
            rows = read_rows(folder / manifest)
        except (OSError, ValueError, csv.Error):
            return {}
        for _number, row in rows:
            if str(row.get("file") or "").strip() == name:
                return {c: str(row.get(c) or "").strip() for c in ROW_COLUMNS}
    return {}


def corrected_row(values: dict[str, Any]) -> dict[str, str]:
    """The corrected row as text per column, checked as the pipeline would check it before
    anything moves: a correction that is still wrong is refused with the same coded
    reason."""
    row = {c: str(values.get(c) or "").strip() for c in ROW_COLUMNS}
    try:
        metadata_from_row(row, "correction")
    except RowError as exc:
        raise UsageError(str(exc), exc.code, **exc.params) from None
    return row


def resubmit(
    instance: Instance, clerk: User, spool: Path, batch_id: int, file_id: int,
    values: dict[str, Any],
) -> int:  # fmt: skip
    """Ingest the held file again with the corrected row; returns the new upload's id."""
    with instance.db.transaction() as s:
        upload_file = uploads.correctable(s, clerk, batch_id, file_id, lock=True)
        name, token = upload_file.name, upload_file.batch.token
        row = corrected_row(values)
        source = _held_or_refuse(spool, token, name)
        new_token = secrets.token_hex(16)
        part = spool / f"{new_token}.part"
        (part / "files").mkdir(parents=True)
        (part / "files" / "manifest.json").write_text(one_row_manifest(name, row), "utf-8")
        size = source.stat().st_size
        os.replace(source, part / "files" / name)
        part.rename(spool / new_token)
        new = uploads.create_batch(s, clerk, new_token, [(name, size)], "manifest.json")
        uploads.mark_corrected(s, clerk, upload_file, new.id)
        new_id = new.id
    _tidy(spool, token)
    return new_id


def discard(instance: Instance, clerk: User, spool: Path, batch_id: int, file_id: int) -> None:
    """The clerk does not want the file: forget the held copy (recorded in the trail)."""
    with instance.db.transaction() as s:
        upload_file = uploads.correctable(s, clerk, batch_id, file_id, lock=True)
        token = upload_file.batch.token
        source = _held_or_refuse(spool, token, upload_file.name)
        uploads.mark_discarded(s, clerk, upload_file)
    source.unlink(missing_ok=True)
    _tidy(spool, token)


def _held_or_refuse(spool: Path, token: str, name: str) -> Path:
    source = held_file(spool, token, name)
    if source is None:
        raise not_held(name)
    return source


def not_held(name: str) -> UsageError:
    """The clerk's answer when another clerk (or a second tab) already dealt with the file."""
    return UsageError(f"{name} is no longer held for a correction", "upload.not_held", name=name)


def one_row_manifest(name: str, row: dict[str, str]) -> str:
    """The manifest a corrected file is queued again with: its one corrected line."""
    return json.dumps([{"file": name, **{c: v for c, v in row.items() if v}}], ensure_ascii=False)


def _tidy(spool: Path, token: str) -> None:
    """Remove the token's folder once only its manifest is left."""
    folder = held_root(spool) / token
    if folder.is_dir() and all(p.name in MANIFEST_NAMES for p in folder.iterdir()):
        shutil.rmtree(folder, ignore_errors=True)
