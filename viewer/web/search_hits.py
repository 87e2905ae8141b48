"""The one way from a search inside a document to its hit boxes, for the viewer's hits.json
and for IIIF Content Search: the search scoped and recorded as every search, then the
boxes of the matched words on the pages it found."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy.orm import Session

from docstore.models import Document, User
from docstore.redaction_text import Box, hidden
from docstore.services import redactions
from viewer.page_words import HitBox, hit_boxes, page_words
from viewer.search_service import match_document

from .context import instance, state
from .iiif import local_files

MAX_QUERY = 500


def query_arg() -> str:
    return request.args.get("q", "").strip()[:MAX_QUERY]


def hits_by_page(
    user: User, doc: DocumentFacts, query: str, only: int | None = None
) -> dict[int, list[HitBox]]:
    """Page number -> boxes of the matched words (only page ``only``, if given), for a
    document the user may see.  Raises ``SearchRefused`` past the search's bounds."""
    if not query:
        return {}
    pages, wanted = match_document(
        instance(),
        user,
        doc.id,
        query,
        pages=doc.pages,
        backend=state().index,
        gate=state().search_gate,
    )
    numbers = sorted(p.number for p in pages if only is None or p.number == only)
    return {n: hit_boxes(_visible_words(doc, n), wanted) for n in numbers}


def _visible_words(doc: DocumentFacts, number: int) -> list[list]:
    """The page's words but those under a region redacted for this user: a redacted name
    is neither drawn nor placed, also where the same word stands unredacted."""
    words = page_words(instance().store, local_files, doc.sha256, doc.mime_type, number)
    regions = doc.regions.get(number, ())
    return [w for w in words if not hidden(w, regions)] if regions else words


@dataclass(frozen=True)
class DocumentFacts:
    """What the search and the word boxes need of a document, read inside its session."""

    id: int
    pages: int
    sha256: str
    mime_type: str
    regions: dict[int, tuple[Box, ...]]
    """Page number -> regions redacted for the user who searches."""

    @classmethod
    def of(cls, session: Session, doc: Document, user: User) -> DocumentFacts:
        regions = redactions.regions_by_page(session, doc.id, actor=user)
        return cls(doc.id, doc.page_count, doc.blob_sha256, doc.blob.mime_type, regions)
