"""``bauakte ingest``: a progress bar and a summary on a terminal, or a JSON report."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from docstore.cli import pass_instance
from docstore.errors import UsageError
from docstore.instance import Instance

from .extracts_cli import extracts_group
from .model import FileReport, Outcome
from .pyramid_catchup import pyramids_cmd
from .runner import IngestReport, run
from .watch import watch


class _RichProgress:
    """Files done of all, and pages done including those of the files still in a worker."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = None
        self.pages = 0
        self.running: dict[str, int] = {}

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("ingest", total=total, pages=0, rate="")

    def pages_done(self, path: str, done: int, total: int) -> None:
        self.running[path] = done
        self._show()

    def file_done(self, report: FileReport) -> None:
        self.running.pop(report.path, None)
        self.pages += report.pages
        self._show(advance=1)

    def _show(self, advance: int = 0) -> None:
        pages = self.pages + sum(self.running.values())
        elapsed = self.progress.tasks[0].elapsed or 0.0
        rate = f"{pages / elapsed:.1f} pages/s" if elapsed > 0 and pages else ""
        self.progress.update(self.task, advance=advance, pages=pages, rate=rate)


def _summary_table(report: IngestReport) -> Table:
    s = report.summary()
    table = Table(title="Ingest summary", show_header=False)
    for outcome in Outcome:
        table.add_row(outcome.value, str(s[outcome.value]))
    for reason, n in sorted(s["rejected_by_reason"].items()):  # type: ignore[union-attr]
        table.add_row(f"  rejected: {reason}", str(n))
    table.add_row("pages", str(s["pages"]))
    table.add_row("pages OCR'd", str(s["ocr_pages"]))
    return table


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@click.option("--manifest", type=click.Path(dir_okay=False), help="CSV or JSON manifest.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option("--watch", "hot", is_flag=True, help="Treat PATH as a hot folder and keep watching.")
@pass_instance
def ingest_cmd(
    inst: Instance,
    paths: tuple[str, ...],
    manifest: str | None,
    as_json: bool,
    workers: int | None,
    hot: bool,
):
    """Ingest files and folders of scanned building files.

    Exit status: 0 when every file was accepted, a duplicate or skipped (system
    files such as Thumbs.db), 1 when any was rejected (see the report and the
    quarantine folder) or failed (Bauakte's fault, see the log: rerun).
    With --watch, runs until interrupted (Ctrl-C or SIGTERM).
    """
    if hot:
        _watch(paths, inst, workers, as_json)
        return
    err = Console(stderr=True)
    if as_json or not err.is_terminal:
        report = run(paths, inst, manifest=manifest, workers=workers)
    else:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files · {task.fields[pages]} pages"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err) as bar:
            report = run(
                paths, inst, manifest=manifest, workers=workers, progress=_RichProgress(bar)
            )
    if as_json:
        json.dump(report.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        out = Console()
        for f in report.files:
            if f.outcome in (Outcome.REJECTED, Outcome.FAILED, Outcome.SKIPPED):
                out.print(
                    f"{f.outcome.value}: {f.path!r}: {f.reason}", markup=False, highlight=False
                )
        for problem in report.manifest_problems:
            out.print(f"manifest: {problem}", markup=False, highlight=False)
        out.print(_summary_table(report))
    if report.count(Outcome.REJECTED) or report.count(Outcome.FAILED):
        sys.exit(1)


def _watch(paths: tuple[str, ...], inst: Instance, workers: int | None, as_json: bool) -> None:
    if len(paths) != 1 or not Path(paths[0]).is_dir():
        raise UsageError("--watch takes exactly one existing folder: bauakte ingest --watch FOLDER")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    out = Console()

    def report(batch: IngestReport) -> None:
        if as_json:
            sys.stdout.write(json.dumps(batch.as_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        for f in batch.files:
            detail = f.reason or (f"document {f.document_id or f.duplicate_of}")
            out.print(f"{f.outcome.value}: {Path(f.path).name!r}: {detail}", markup=False)

    def queued(batch_id: int, files: list[Path]) -> None:
        if as_json:
            line = {"queued": [str(p) for p in files], "upload": batch_id}
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        out.print(f"queued: {len(files)} files as upload {batch_id} (for 'bauakte worker')")

    click.echo(f"watching {Path(paths[0]).absolute()} (Ctrl-C to stop)", err=True)
    watch(paths[0], inst, stop=stop, on_batch=report, workers=workers, on_queued=queued)


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(min=1), default=1, show_default=True,
              help="Files ingested side by side by this process.")  # fmt: skip
@click.option("--name", help="Shown in the queue's list of workers (default: generated).")
@click.option("--retry-failed", is_flag=True,
              help="Queue the jobs that failed for good again, then exit.")  # fmt: skip
@pass_instance
def worker_cmd(inst: Instance, concurrency: int, name: str | None, retry_failed: bool) -> None:
    """Ingest queued uploads (job_queue 'postgres'); run one or more on any host."""
    if not inst.config.job_queue:
        raise UsageError("no job queue is configured: set BAUAKTE_JOB_QUEUE=postgres "
                         "(uploads are otherwise ingested by 'bauakte spool')")  # fmt: skip
    from . import queue

    inst.require_schema()
    queue.ensure_schema(inst)
    if retry_failed:
        click.echo(f"{queue.retry_failed(inst)} failed jobs queued again")
        return
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # fmt: skip
    queue.run_worker(inst, concurrency, name)


COMMANDS = [ingest_cmd, extracts_group, pyramids_cmd, worker_cmd]
