"""A long file: its time limit grows with its pages, and its progress is reported per page."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress

import ingest
from ingest.cli import _RichProgress
from ingest.model import FileReport, Outcome
from tests.conftest import BAUAKTE
from tests.ingest import samples
from tests.ingest.conftest import make_instance


class Pages:
    """A progress sink that keeps what it hears, in order."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, object]] = []

    def start(self, total: int) -> None:
        self.heard.append(("start", total))

    def pages_done(self, path: str, done: int, total: int) -> None:
        self.heard.append((Path(path).name, (done, total)))

    def file_done(self, report: FileReport) -> None:
        self.heard.append((Path(report.path).name, report.outcome.value))


def test_each_page_is_reported_before_the_file_is_done(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    samples.multipage_tiff(folder / "scan.tif", pages=3)
    inst = make_instance(tmp_path / "i")
    sink = Pages()
    [report] = ingest.run([folder], inst, progress=sink).files
    assert report.outcome is Outcome.ACCEPTED
    assert sink.heard == [
        ("start", 1),
        ("scan.tif", (0, 3)),
        ("scan.tif", (1, 3)),
        ("scan.tif", (2, 3)),
        ("scan.tif", (3, 3)),
        ("scan.tif", "accepted"),
    ]
    inst.close()


def test_a_file_past_the_page_limit_is_rejected_before_it_renders(tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    samples.text_pdf(folder / "long.pdf", pages=3)
    samples.multipage_tiff(folder / "long.tif", pages=3)
    inst = make_instance(tmp_path / "i", ingest_max_pages=2)
    reports = ingest.run([folder], inst).files
    assert {r.reason for r in reports} == {"resource limit: 3 pages, above the limit of 2"}
    inst.close()


def _slow_tesseract(folder: Path, seconds: float) -> str:
    """A tesseract that takes ``seconds`` longer per call: every OCR'd page is that slow."""
    folder.mkdir()
    real = shutil.which("tesseract")
    assert real, "tesseract is needed (Debian's tesseract-ocr)"
    script = folder / "tesseract"
    script.write_text(  # only OCR calls are slow: the probe's --version and --list-langs not
        f'#!/bin/sh\ncase "$1" in -*) ;; *) sleep {seconds} ;; esac\nexec {real} "$@"\n'
    )
    script.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


def _ingest(tmp_path: Path, name: str, path: str, **settings: object) -> dict:
    env = {
        **os.environ,
        "PATH": path,
        "BAUAKTE_HOME": str(tmp_path / name),
        **{f"BAUAKTE_{k.upper()}": str(v) for k, v in settings.items()},
    }
    subprocess.run([BAUAKTE, "init"], env=env, check=True, capture_output=True)
    run = subprocess.run(
        [BAUAKTE, "ingest", "--json", str(tmp_path / "in")],
        env=env,
        capture_output=True,
        text=True,
    )
    [report] = json.loads(run.stdout)["files"]
    return report


@pytest.mark.slow
def test_the_time_limit_grows_with_the_pages(tmp_path) -> None:
    """Three pages of 2 s each: too long for 3 s flat, in time with 20 s more per page.
    3 s before the page count is known: opening a file on a loaded machine takes time."""
    (tmp_path / "in").mkdir()
    samples.multipage_tiff(tmp_path / "in" / "scan.tif", pages=3)
    path = _slow_tesseract(tmp_path / "bin", 2.0)
    flat = _ingest(tmp_path, "flat", path, ingest_timeout=3, ingest_page_seconds=0)
    assert flat["outcome"] == "rejected"
    assert flat["reason"] == "resource limit: took longer than 3 s"
    scaled = _ingest(tmp_path, "scaled", path, ingest_timeout=3, ingest_page_seconds=20)
    assert scaled["outcome"] == "accepted" and scaled["pages"] == 3
    tight = _ingest(tmp_path, "tight", path, ingest_timeout=3, ingest_page_seconds=1)
    assert tight["reason"] == "resource limit: took longer than 6 s for 3 pages"


def test_the_terminal_counts_pages_of_files_still_in_a_worker() -> None:
    with Progress(console=Console(file=io.StringIO())) as bar:
        sink = _RichProgress(bar)
        sink.start(2)
        sink.pages_done("/in/a.tif", 40, 100)
        sink.pages_done("/in/b.pdf", 2, 3)
        assert bar.tasks[0].fields["pages"] == 42
        sink.file_done(FileReport("/in/b.pdf", Outcome.ACCEPTED, pages=3))
        sink.pages_done("/in/a.tif", 41, 100)
        assert bar.tasks[0].fields["pages"] == 44
        assert bar.tasks[0].completed == 1
