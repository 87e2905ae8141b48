"""The typed values that flow between the ingest stages.

All are plain, picklable dataclasses: a worker process receives a
:class:`WorkerTask` and sends back a :class:`Processed` (or a failure), so the
CPU stages can run in other processes while database writes stay in one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from docstore.services.documents import Description, FileAssignment, NewPage


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    FAILED = "failed"
    """Not the file's fault (storage or database down, an internal error): rerun the batch."""
    SKIPPED = "skipped"
    """Operating-system litter in a folder (.DS_Store, Thumbs.db): not a document."""


class FileKind(StrEnum):
    PDF = "pdf"
    TIFF = "tiff"
    JPEG = "jpeg"
    PNG = "png"


MIME_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.TIFF: "image/tiff",
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
}


class Rejected(Exception):
    """The file itself is unacceptable; ``reason`` is a short, stable code."""

    def __init__(self, reason: str, detail: str = "", problem: object = None) -> None:
        self.reason = reason
        self.detail = detail
        self.problem = problem
        """A manifest row's :class:`~ingest.metadata.ManifestProblem`, with its code."""
        super().__init__(f"{reason}: {detail}" if detail else reason)


class TransientFailure(Exception):
    """Not the file's fault (storage down, database busy): rerun later."""


class ToolFailure(Exception):
    """A program Bauakte runs (tesseract) failed on input Bauakte made: our fault, retried."""


class MissingDependency(RuntimeError):
    """A program, library or language pack is not installed; the message says which package."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    """The path as given on the command line or found on disk (for reports)."""
    location: Path
    """Absolute path used to read the file."""

    @property
    def name(self) -> str:
        return self.location.name


@dataclass(frozen=True)
class DocumentMetadata:
    """What a manifest row or the file-name convention says about a file."""

    assignment: FileAssignment | None = None
    """None: no Aktenzeichen, the document goes to the inbox."""
    description: Description = field(default_factory=Description)
    source: str = "none"
    """Where it came from: 'manifest row N', 'file name' or 'none'."""


@dataclass(frozen=True)
class Limits:
    image_max_pixels: int = 300_000_000
    ocr_languages: str = "deu+eng"
    ocr_fraktur_languages: str = "deu+frk"
    ocr_page_seconds: float = 300
    max_pages: int = 10_000
    inflation_max_ratio: int = 100
    inflation_min_bytes: int = 100 << 20


def limits_of(config) -> Limits:
    """The instance's limits (settings ``image_max_pixels``, ``ocr_*``, ``pdf_inflation_*``)."""
    return Limits(
        image_max_pixels=config.image_max_pixels,
        ocr_languages=config.ocr_languages,
        ocr_fraktur_languages=config.ocr_fraktur_languages,
        ocr_page_seconds=float(config.ocr_page_seconds),
        max_pages=config.ingest_max_pages,
        inflation_max_ratio=config.pdf_inflation_max_ratio,
        inflation_min_bytes=config.pdf_inflation_min_mb << 20,
    )


@dataclass(frozen=True)
class WorkerTask:
    source: SourceFile
    kind: FileKind
    sha256: str
    size: int
    storage_url: str
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class PageProgress:
    """Sent by a worker before the first page (``done`` 0) and after each page it finishes."""

    done: int
    total: int


@dataclass
class Processed:
    """A file that passed every check, with its original and renditions stored."""

    sha256: str
    kind: FileKind
    pages: list[NewPage]
    active_content: bool = False
    ocr_pages: int = 0


@dataclass
class FileReport:
    path: str
    outcome: Outcome
    reason: str | None = None
    document_id: int | None = None
    duplicate_of: int | None = None
    pages: int = 0
    flags: list[str] = field(default_factory=list)
    sha256: str | None = None
    ocr_pages: int = 0
    building_file: str | None = None
    worker_peak_rss_mb: float | None = None
    reason_code: str | None = None
    """A stable code of the reason where one is known (a manifest row's problem)."""
    reason_params: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "document_id": self.document_id,
            "duplicate_of": self.duplicate_of,
            "pages": self.pages,
            "flags": self.flags,
            "sha256": self.sha256,
            "ocr_pages": self.ocr_pages,
            "building_file": self.building_file,
            "worker_peak_rss_mb": self.worker_peak_rss_mb,
        }
