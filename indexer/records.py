"""What the indexer indexes, and where it gets it from.

The indexer takes plain records, never ORM objects.  ``docstore`` serves its
index outbox through :class:`RecordSource` without importing this package:
its records are plain mappings with the keys of :class:`PageRecord`, and its
changes and batches have the attributes of :class:`Change` and :class:`Batch`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Protocol


@dataclass(frozen=True)
class PageRecord:
    """One page of one document, with the fields of its document and building file."""

    page_id: int
    document_id: int
    page_number: int
    text: str
    text_source: str
    original_name: str
    kind: str
    title: str | None = None
    date: dt.date | None = None
    valid_until: dt.date | None = None
    building_file_id: int | None = None
    aktenzeichen: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    municipality: str | None = None
    district: str | None = None
    gemarkung: Sequence[str] = ()
    flur: Sequence[str] = ()
    flurstueck: Sequence[str] = ()
    audience: str = ""
    """'' for everyone; a redacted page is indexed twice, whole for 'staff' and redacted for
    'public' (everyone else)."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PageRecord:
        """Strict: a key the record does not know is a producer's mistake (a renamed
        column would otherwise vanish from search without a word)."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown page record fields: {', '.join(sorted(unknown))}")
        return cls(**data)


class Change(Protocol):
    """A document to (re)index with all its pages, or to remove (``pages`` is None)."""

    document_id: int
    pages: Sequence[Mapping[str, Any]] | None


class Batch(Protocol):
    token: Any
    """Opaque to the indexer; handed back to acknowledge the batch."""
    changes: Sequence[Change]


class RecordSource(Protocol):
    def claim(self, limit: int) -> Batch | None:
        """The next batch of changes, or None when there is nothing to do."""

    def acknowledge(self, batch: Batch) -> None:
        """The batch is in the index; the source may forget it."""

    def all_documents(self) -> Iterable[Change]:
        """Every document as a change, for a rebuild."""

    def watermark(self) -> Any:
        """A mark of everything queued so far (taken before a rebuild reads the documents)."""

    def acknowledge_through(self, mark: Any) -> None:
        """Everything queued up to ``mark`` is in the index."""
