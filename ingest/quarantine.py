"""Quarantine: a copy of each rejected file, with the reason beside it.

The folder is named by the file's SHA-256 (so the same bad file is kept once,
however often it is offered) and the copy is called ``original`` plus a
harmless extension: the original name is data in ``reason.json``, never part
of a path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

from .model import SourceFile

SAFE_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}


def quarantine(
    source: SourceFile, reason: str, detail: str, sha256: str | None, folder: Path
) -> Path | None:
    """Copy ``source`` into quarantine; returns its folder, or None if it cannot be read."""
    target = folder / (sha256 or f"unhashed-{uuid.uuid4().hex}")
    target.mkdir(parents=True, exist_ok=True)
    suffix = source.location.suffix.lower()
    copy = target / ("original" + (suffix if suffix in SAFE_SUFFIXES else ".bin"))
    if not copy.exists():
        tmp = target / f".{uuid.uuid4().hex}.part"
        try:
            shutil.copyfile(source.location, tmp, follow_symlinks=False)
            os.replace(tmp, copy)
        except OSError:
            tmp.unlink(missing_ok=True)
            copy = None  # type: ignore[assignment]
    record = {
        "path": source.path,
        "original_name": source.name,
        "reason": reason,
        "detail": detail,
        "sha256": sha256,
        "copy": copy.name if copy else None,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    tmp = target / f".{uuid.uuid4().hex}.json"
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target / "reason.json")
    return target
