"""The index outbox, served as the indexer's record source (without importing the indexer).

Records are plain dicts with the keys of ``indexer.records.PageRecord``;
changes and batches are plain objects with the attributes the indexer reads
(``document_id``/``pages``, ``token``/``changes``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from ..db import Database
from ..models import Document, IndexOutbox, OutboxOp


@dataclass(frozen=True)
class OutboxChange:
    document_id: int
    pages: list[dict[str, Any]] | None


@dataclass(frozen=True)
class OutboxBatch:
    token: list[int]
    changes: list[OutboxChange]


def enqueue(session: Session, document_id: int, op: OutboxOp = OutboxOp.UPSERT) -> None:
    session.add(IndexOutbox(document_id=document_id, op=op.value))


def page_records(doc: Document) -> list[dict[str, Any]]:
    """One record per page; a page with redactions gives two: its whole text for staff and
    its redacted text for everyone else (the search filters by ``audience``)."""
    records = []
    for page, fields in zip(doc.pages, _page_fields(doc), strict=True):
        if page.redacted_text is None:
            records.append(fields)
        else:
            records.append({**fields, "audience": "staff"})
            records.append({**fields, "audience": "public", "text": page.redacted_text})
    return records


def _page_fields(doc: Document) -> list[dict[str, Any]]:
    bf = doc.building_file
    return [
        {
            "page_id": page.id,
            "document_id": doc.id,
            "page_number": page.number,
            "text": page.text,
            "text_source": page.text_source,
            "original_name": doc.original_name,
            "kind": doc.kind,
            "title": doc.title,
            "date": doc.date,
            "valid_until": doc.valid_until,
            "building_file_id": bf.id if bf else None,
            "aktenzeichen": bf.aktenzeichen if bf else None,
            "street": bf.street if bf else None,
            "house_number": bf.house_number if bf else None,
            "postcode": bf.postcode if bf else None,
            "municipality": bf.municipality if bf else None,
            "district": bf.district if bf else None,
            "gemarkung": [p.gemarkung for p in bf.parcels] if bf else [],
            "flur": [p.flur for p in bf.parcels if p.flur] if bf else [],
            "flurstueck": [p.flurstueck for p in bf.parcels] if bf else [],
        }
        for page in doc.pages
    ]


def _load(session: Session, ids: list[int]) -> dict[int, Document]:
    docs = session.scalars(
        select(Document)
        .where(Document.id.in_(ids))
        .options(selectinload(Document.pages), selectinload(Document.building_file))
    ).all()
    return {d.id: d for d in docs}


class OutboxSource:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, limit: int) -> OutboxBatch | None:
        with self.db.session() as session:
            rows = session.execute(
                select(IndexOutbox.id, IndexOutbox.document_id)
                .order_by(IndexOutbox.id)
                .limit(limit)
            ).all()
            if not rows:
                return None
            ids = list(dict.fromkeys(doc_id for _, doc_id in rows))
            docs = _load(session, ids)
            changes = [OutboxChange(i, page_records(docs[i]) if i in docs else None) for i in ids]
        return OutboxBatch([row_id for row_id, _ in rows], changes)

    def acknowledge(self, batch: OutboxBatch) -> None:
        with self.db.transaction() as session:
            session.execute(delete(IndexOutbox).where(IndexOutbox.id.in_(batch.token)))

    def watermark(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.max(IndexOutbox.id))) or 0

    def acknowledge_through(self, mark: int) -> None:
        with self.db.transaction() as session:
            session.execute(delete(IndexOutbox).where(IndexOutbox.id <= mark))

    def all_documents(self) -> Iterator[OutboxChange]:
        with self.db.session() as session:
            ids = session.scalars(select(Document.id).order_by(Document.id)).all()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                docs = _load(session, chunk)
                for i in chunk:
                    yield OutboxChange(i, page_records(docs[i]))
                session.expunge_all()


def pending(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(IndexOutbox)) or 0
