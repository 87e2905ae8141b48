"""How extracts read in the interface: their status and their size."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

EXTRACT_STATUS = {
    "queued": _l("wird erstellt"),
    "ready": _l("fertig"),
    "failed": _l("fehlgeschlagen"),
    "expired": _l("abgelaufen"),
}


def extract_status(code: str) -> str:
    return str(EXTRACT_STATUS.get(code, code))


def megabytes(size: int | None) -> str:
    """``1,2 MB`` in German, ``1.2 MB`` in English; at least 0,1 MB."""
    return f"{format_decimal(max((size or 0) / 1_000_000, 0.1), format='#,##0.0')} MB"


def register(app: Flask) -> None:
    for f in (extract_status, megabytes):
        app.add_template_filter(f)
