"""A clerk's start page shows the work waiting; an auditor's shows none of it."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from docstore.models import (
    OPEN_STATUSES,
    AccessRequest,
    Document,
    Grant,
    UploadStatus,
    utcnow,
)
from docstore.services import uploads
from docstore.services.actors import CONSOLE


def _section(html: str) -> str:
    return html.split('id="work-heading"')[1].split("Zuletzt geänderte Bauakten")[0]


def test_the_clerk_sees_applications_inbox_failed_uploads_and_ending_grants(
    archive, client_as
) -> None:
    with archive.instance.db.transaction() as s:
        s.get(Document, archive.inbox_document).building_file_id = None  # back in the inbox
        batch = uploads.create_batch(s, CONSOLE, "f" * 32, [("kaputt.pdf", 10)], None)
        uploads.record_outcome(s, batch.id, "kaputt.pdf", "rejected", "encrypted", None)
        batch.status = UploadStatus.DONE.value  # finished: no spool worker looks for its folder
        batch_id = batch.id
        open_count = s.scalar(select(func.count(AccessRequest.id)).where(
            AccessRequest.status.in_([x.value for x in OPEN_STATUSES])))  # fmt: skip
        inbox = s.scalar(select(func.count(Document.id)).where(Document.building_file_id.is_(None)))
        soon = s.scalars(select(Grant).where(
            Grant.revoked_at.is_(None), Grant.valid_until > utcnow(),
            Grant.valid_until <= utcnow() + dt.timedelta(days=7))).all()  # fmt: skip
        ending = {g.user.username for g in soon}
    assert open_count >= 1 and inbox >= 1 and ending  # the fixture holds work of each kind
    work = _section(client_as("clerk").get("/").text)
    assert "Anträge" in work and "eingegangen" in work
    shown = sum(int(n) for n in re.findall(r"<strong>(\d+)</strong>", work))
    assert shown == open_count
    assert f"{inbox} Dokument" in work and 'href="/inbox"' in work
    assert "kaputt.pdf" in work and f'href="/upload/{batch_id}"' in work
    assert "verschlüsselt" in work.lower() or "passwort" in work.lower()
    for name in ending:
        assert name in work


def test_an_auditor_start_page_holds_no_clerk_work(archive, client_as) -> None:
    page = client_as("auditor").get("/").text
    assert 'id="work-heading"' not in page and "kaputt.pdf" not in page
    assert "Zuletzt geänderte Bauakten" in page
