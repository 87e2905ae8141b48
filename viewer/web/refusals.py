"""Refused attempts on documents go into the audit trail, after the refused work rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from docstore.errors import NotFound, PermissionDenied
from docstore.models import Document, User
from docstore.services import archive

from .context import instance


@contextmanager
def refusals_recorded(user: User, document_id: int, what: str) -> Iterator[None]:
    """Wrap a document's view or download: a refusal (not found for this person, or not
    allowed) is recorded in a transaction of its own, then raised on unchanged."""
    try:
        yield
    except (NotFound, PermissionDenied) as exc:
        with instance().db.session() as s:  # no write lock for ids that name nothing
            exists = s.get(Document, document_id) is not None
        if exists:
            with instance().db.transaction() as s:
                archive.record_refusal(s, user, document_id, what, exc.code)
        raise
