"""The audit trail as a CSV file an auditor opens in a spreadsheet or hands on.

Semicolons and a byte-order mark, as German spreadsheet programs expect; times in the
authority's zone; every cell that a spreadsheet would take for a formula is quoted with a
leading apostrophe (OWASP "CSV injection"): a document title or a search typed by anyone
must not run in the auditor's spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from flask import Response
from flask_babel import gettext as _

from docstore.models import User
from docstore.services import audit_trail

from .audit_labels import action_label, details_of
from .context import instance

CHUNK = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(session, reader: User, wanted: audit_trail.TrailFilter) -> list[list[str]]:
    events = audit_trail.export(session, reader, wanted)
    zone = instance().config.tz
    table = [[_("Nr."), _("Zeit"), _("Person"), _("Aktion"), _("Aktionscode"), _("Aktenzeichen"),
              _("Objekt"), _("Einzelheiten")]]  # fmt: skip
    for start in range(0, len(events), CHUNK):
        chunk = events[start : start + CHUNK]
        subjects = audit_trail.subjects(session, reader, chunk)
        for e in chunk:
            subject = subjects.get(e.id)
            when = e.occurred_at.replace(tzinfo=e.occurred_at.tzinfo or dt.UTC).astimezone(zone)
            table.append([
                str(e.seq), when.strftime("%Y-%m-%d %H:%M:%S"), e.actor_name or "",
                action_label(e.action), e.action,
                (subject.aktenzeichen or "") if subject else "",
                _object(e, subject),
                "; ".join(f"{k}: {v}" if k else v for k, v in details_of(e.details)),
            ])  # fmt: skip
    return table


def _object(event, subject: audit_trail.Subject | None) -> str:
    if subject is not None and subject.kind == "document":
        return f"{subject.title} ({_('Dokument')} {subject.id})"
    if event.target_type:
        return f"{event.target_type} {event.target_id}"
    return ""


def safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def response(table: list[list[str]]) -> Response:
    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        yield "\ufeff"
        for row in table:
            writer.writerow([safe(c) for c in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    today = dt.datetime.now(instance().config.tz).strftime("%Y-%m-%d")
    return Response(
        lines(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="protokoll-{today}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
