"""The runner: discover and check files here, process them in workers, register here.

Database writes stay in this process, one transaction per document; the CPU
stages run in worker processes (``ingest.pool``).  Every decision is recorded
in a :class:`FileReport`, in the order the files were given.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError, OperationalError

from docstore.errors import ServiceUnavailable, UsageError
from docstore.instance import Instance
from docstore.models import Document
from docstore.services import review
from docstore.services.actors import CONSOLE
from docstore.services.applications import notice_of
from docstore.services.documents import NewDocument, existing_document, register_document
from indexer.lexicon import WordListMissing
from indexer.lexicon import probe as wordlist_probe
from storage import original_key

from . import ocr
from .discover import discover, sha256_of
from .failpoints import pause_at
from .metadata import MANIFEST_NAMES, Manifest, ManifestProblem, load_manifest, metadata_from_name
from .model import (
    MIME_TYPES,
    DocumentMetadata,
    FileReport,
    Limits,
    MissingDependency,
    Outcome,
    PageProgress,
    Processed,
    Rejected,
    SourceFile,
    ToolFailure,
    WorkerTask,
    limits_of,
)
from .ocr_read import probe as opencv_probe
from .pool import WorkerLimits, WorkerResult, run_tasks
from .quarantine import quarantine
from .sniff import probe as sniff_probe
from .sniff import sniff

log = logging.getLogger(__name__)


class ProgressSink(Protocol):
    def start(self, total: int) -> None: ...

    def pages_done(self, path: str, done: int, total: int) -> None:
        """A worker finished page ``done`` of ``total`` (0 when it has counted them)."""

    def file_done(self, report: FileReport) -> None: ...


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    manifest_problems: list[ManifestProblem] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(f.outcome is outcome for f in self.files)

    def summary(self) -> dict[str, object]:
        rejected: dict[str, int] = {}
        for f in self.files:
            if f.outcome is Outcome.REJECTED and f.reason:
                key = f.reason.split(":", 1)[0]
                rejected[key] = rejected.get(key, 0) + 1
        return {
            "files": len(self.files),
            **{o.value: self.count(o) for o in Outcome},
            "pages": sum(f.pages for f in self.files if f.outcome is Outcome.ACCEPTED),
            "ocr_pages": sum(f.ocr_pages for f in self.files if f.outcome is Outcome.ACCEPTED),
            "rejected_by_reason": rejected,
            "manifest_problems": [str(p) for p in self.manifest_problems],
        }

    def as_json(self) -> dict[str, object]:
        return {"files": [f.as_json() for f in self.files], "summary": self.summary()}


@dataclass
class _Pending:
    source: SourceFile
    metadata: DocumentMetadata
    task: WorkerTask


class _Batch:
    """State of one run: reports by position, pending work, the first copy of each sha."""

    def __init__(self, instance: Instance, source_label: str, progress: ProgressSink | None):
        self.instance = instance
        self.source_label = source_label
        self.progress = progress
        self.sources: list[SourceFile] = []
        self.reports: list[FileReport | None] = []
        self.pending: dict[int, _Pending] = {}
        self.first_of: dict[str, int] = {}
        self.copies: list[tuple[int, int]] = []  # (index, index of first copy)

    def done(self, index: int, report: FileReport) -> None:
        self.reports[index] = report
        if self.progress is not None:
            self.progress.file_done(report)

    def pages_done(self, index: int, progress: PageProgress) -> None:
        if self.progress is not None:
            self.progress.pages_done(self.sources[index].path, progress.done, progress.total)

    def reject(self, index: int, source: SourceFile, exc: Rejected, sha: str | None) -> None:
        if sha is not None or source.location.exists():
            quarantine(source, exc.reason, exc.detail, sha, self.instance.config.quarantine_dir)
        self.done(index, FileReport(source.path, Outcome.REJECTED, str(exc), sha256=sha))


def run(
    paths: Sequence[str | os.PathLike[str]],
    instance: Instance,
    *,
    manifest: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    progress: ProgressSink | None = None,
    source_label: str = "batch",
) -> IngestReport:
    """Ingest files and folders; the Python API behind ``bauakte ingest`` and uploads."""
    config = instance.config
    try:
        sniff_probe()
        ocr.probe(config.ocr_languages)
        opencv_probe()
        if config.ocr_fraktur_languages:
            ocr.probe(config.ocr_fraktur_languages)
        wordlist_probe()
    except (MissingDependency, ToolFailure, WordListMissing) as exc:
        raise UsageError(str(exc)) from None
    instance.require_schema()

    found = discover([str(p) for p in paths])
    sources = found.files
    manifests = _Manifests(Path(manifest) if manifest else None)
    batch = _Batch(instance, source_label, progress)
    batch.sources = sources
    batch.reports = [None] * len(sources)
    report = IngestReport()
    if progress is not None:
        progress.start(len(sources))

    limits = limits_of(config)
    for index, source in enumerate(sources):
        _check(batch, index, source, manifests, limits)

    worker_limits = WorkerLimits(
        timeout=float(config.ingest_timeout),
        memory_bytes=config.ingest_memory_limit_mb << 20,
        page_seconds=float(config.ingest_page_seconds),
    )
    count = workers or config.ingest_workers or os.cpu_count() or 1
    run_tasks(
        ((i, p.task) for i, p in batch.pending.items()),
        count,
        worker_limits,
        lambda i, result: _finish(batch, i, result),
        batch.pages_done,
    )
    for index, first in batch.copies:
        _resolve_copy(batch, index, first)

    if any(r is not None and r.outcome is Outcome.ACCEPTED for r in batch.reports):
        _sync_index(instance)
    report.files = [r for r in batch.reports if r is not None]
    report.files += [FileReport(p, Outcome.REJECTED, reason) for p, reason in found.problems]
    report.files += [FileReport(p, Outcome.SKIPPED, reason) for p, reason in found.skipped]
    report.manifest_problems = manifests.problems(sources)
    return report


def _sync_index(instance: Instance) -> None:
    """Bring search up to date; if that fails the outbox keeps the work for the next sync."""
    from .index_sync import sync_index

    try:
        sync_index(instance)
    except Exception as exc:  # the documents are registered; indexing can catch up later
        log.warning("search index not updated (%s); run 'bauakte index sync'", exc)


class _Manifests:
    """The explicit manifest, else a manifest.csv / manifest.json in the file's folder."""

    def __init__(self, explicit: Path | None) -> None:
        self.explicit = load_manifest(explicit.absolute()) if explicit else None
        self.by_folder: dict[Path, Manifest | None] = {}

    def _beside(self, folder: Path) -> Manifest | None:
        if folder not in self.by_folder:
            found = next((folder / n for n in MANIFEST_NAMES if (folder / n).is_file()), None)
            if found is not None and self.explicit is not None and found == self.explicit.path:
                found = None  # already read as the explicit manifest
            self.by_folder[folder] = load_manifest(found) if found else None
        return self.by_folder[folder]

    def lookup(self, source: SourceFile) -> DocumentMetadata:
        for m in (self.explicit, self._beside(source.location.parent)):
            if m is None:
                continue
            if source.location in m.bad_rows:
                problem = m.bad_rows[source.location]
                raise Rejected("manifest", str(problem), problem)
            if source.location in m.rows:
                return m.rows[source.location]
        return metadata_from_name(source.name)

    def problems(self, sources: list[SourceFile]) -> list[ManifestProblem]:
        found = [p for m in (self.explicit, *self.by_folder.values()) if m for p in m.problems]
        if self.explicit is not None:  # rows that name no file of this batch
            given = {s.location for s in sources}
            found += [
                ManifestProblem(
                    self.explicit.path.name, row, name, f"{name} is not among the files"
                )
                for location, (row, name) in self.explicit.row_files.items()
                if location not in given
            ]
        return found


def _check(
    batch: _Batch, index: int, source: SourceFile, manifests: _Manifests, limits: Limits
) -> None:
    """The cheap stages in this process: metadata, sniff, hash, dedupe."""
    try:
        metadata = manifests.lookup(source)
    except Rejected as exc:  # the manifest is wrong, not the file: nothing to quarantine
        report = FileReport(source.path, Outcome.REJECTED, exc.detail)
        if isinstance(exc.problem, ManifestProblem) and exc.problem.code:
            report.reason_code = exc.problem.code
            report.reason_params = {**exc.problem.params, "manifest": exc.problem.manifest,
                                    "row": exc.problem.row}  # fmt: skip
        batch.done(index, report)
        return
    try:
        sha, size = sha256_of(source.location)
    except OSError as exc:
        batch.done(index, FileReport(source.path, Outcome.REJECTED, f"unreadable: {exc.strerror}"))
        return
    try:
        kind = sniff(source.location)
    except Rejected as exc:
        batch.reject(index, source, exc, sha)
        return
    if sha in batch.first_of:
        batch.copies.append((index, batch.first_of[sha]))
        return
    batch.first_of[sha] = index
    try:
        with batch.instance.db.session() as session:
            duplicate = existing_document(session, sha)
    except (ServiceUnavailable, OperationalError) as exc:
        batch.done(index, FileReport(source.path, Outcome.FAILED, f"database: {exc}", sha256=sha))
        return
    if duplicate is not None:
        batch.done(
            index,
            FileReport(source.path, Outcome.DUPLICATE, duplicate_of=duplicate, sha256=sha),
        )
        return
    task = WorkerTask(source, kind, sha, size, batch.instance.config.storage_url, limits)
    batch.pending[index] = _Pending(source, metadata, task)


def _finish(batch: _Batch, index: int, result: WorkerResult) -> None:
    pending = batch.pending[index]
    source, sha = pending.source, pending.task.sha256
    if result.rejected is not None:
        batch.reject(index, source, result.rejected, sha)
    elif result.failed is not None:
        if result.traceback:
            log.error(
                "%s: %s (it stays for the next run)\n%s",
                source.path,
                result.failed,
                result.traceback,
            )
        batch.done(index, FileReport(source.path, Outcome.FAILED, result.failed, sha256=sha))
    elif result.processed is not None:
        try:
            registered = _register(batch, pending, result.processed)
        except Exception as exc:  # our fault, for this file only: the batch goes on
            log.exception("%s: not registered (it stays for the next run)", source.path)
            reason = f"internal error: {type(exc).__name__}: {str(exc)[:200]}"
            registered = FileReport(source.path, Outcome.FAILED, reason, sha256=sha)
        batch.done(index, registered)
    report = batch.reports[index]
    if report is not None:
        report.worker_peak_rss_mb = result.peak_rss_mb


def _tell_waiting_applications(session, instance: Instance, registered) -> None:
    """A scan of a paper-only file moves the applications waiting for it on."""
    if registered.duplicate_of is not None or registered.building_file is None:
        return
    building_file_id = session.get(Document, registered.document_id).building_file_id
    if building_file_id is not None:
        review.documents_arrived(session, building_file_id, notice_of(instance.config))


def _register(batch: _Batch, pending: _Pending, processed: Processed) -> FileReport:
    task, meta = pending.task, pending.metadata
    new = NewDocument(
        sha256=task.sha256,
        size=task.size,
        mime_type=MIME_TYPES[task.kind],
        storage_key=original_key(task.sha256),
        original_name=pending.source.name,
        pages=processed.pages,
        assignment=meta.assignment,
        description=meta.description,
        active_content=processed.active_content,
        source=f"{batch.source_label}; metadata from {meta.source}",
    )
    flags = ["active-content"] if processed.active_content else []
    if new.assignment is None:
        flags.append("inbox")
    for attempt in range(2):
        try:
            with batch.instance.db.transaction() as session:
                # the pipeline acts as the server's operator; an upload's
                # uploader is on record with the upload batch
                registered = register_document(session, new, actor=CONSOLE)
                _tell_waiting_applications(session, batch.instance, registered)
                session.flush()
                pause_at("register.flushed")
            pause_at("register.committed")
            break
        except IntegrityError:
            if attempt:  # a concurrent ingest registered the same bytes or file: look again
                raise
        except (ServiceUnavailable, OperationalError) as exc:
            return FileReport(
                pending.source.path, Outcome.FAILED, f"database: {exc}", sha256=task.sha256
            )
    if registered.duplicate_of is not None:
        return FileReport(
            pending.source.path,
            Outcome.DUPLICATE,
            duplicate_of=registered.duplicate_of,
            sha256=task.sha256,
        )
    return FileReport(
        pending.source.path,
        Outcome.ACCEPTED,
        document_id=registered.document_id,
        pages=len(processed.pages),
        flags=flags,
        sha256=task.sha256,
        ocr_pages=processed.ocr_pages,
        building_file=registered.building_file,
    )


def _resolve_copy(batch: _Batch, index: int, first: int) -> None:
    """A second copy of the same bytes in one batch shares the first copy's fate."""
    original = batch.reports[first]
    source_path = batch.sources[index].path
    assert original is not None
    if original.outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE):
        target = original.document_id or original.duplicate_of
        report = FileReport(
            source_path, Outcome.DUPLICATE, duplicate_of=target, sha256=original.sha256
        )
    else:
        report = FileReport(source_path, original.outcome, original.reason, sha256=original.sha256)
    batch.done(index, report)
