"""Fixity: re-hash every stored original and compare it with the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import ObjectStore
from storage.base import hash_stream

from ..models import Blob


@dataclass
class FixityReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def count_originals(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Blob)) or 0


def verify_originals(
    session: Session, store: ObjectStore, on_progress: Callable[[Blob], None] | None = None
) -> FixityReport:
    report = FixityReport()
    for blob in session.scalars(select(Blob).order_by(Blob.sha256)):
        report.checked += 1
        try:
            with store.open(blob.storage_key) as stream:
                digest, size = hash_stream(stream)
        except FileNotFoundError:
            report.missing.append(blob.sha256)
        else:
            if digest != blob.sha256 or size != blob.size:
                report.corrupt.append(blob.sha256)
        if on_progress is not None:
            on_progress(blob)
    return report
