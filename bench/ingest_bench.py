"""Ingest throughput and memory, each beside a reference measured in the same run.

1. Text-layer PDFs: pages/s through the whole pipeline (all cores), beside
   pypdfium2 + Pillow alone doing the same work (open, extract text, render
   preview and thumbnail, encode JPEG) on all cores.  Ratio = overhead.
2. Scanned pages: pages/min through the pipeline (all cores), beside bare
   ``tesseract`` runs (OMP_THREAD_LIMIT=1, TSV output) on the same images,
   one page per core at a time.
3. A ~1 GB multi-page TIFF: peak RSS of the main process, of the worker, and
   of tesseract.

    python bench/ingest_bench.py [--pdfs 40] [--scans 12] [--tiff-mb 1024] [--skip-tiff]

Inputs are generated here; everything runs on the embedded default
(SQLite + files) in a temporary instance.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont

import ingest
from docstore.config import load_config
from docstore.instance import Instance
from ingest.demo.render import scanned_pages, typed_pdf
from ingest.fonts import FONT
from ingest.model import Outcome
from ingest.render import PREVIEW_BOX, THUMB_BOX, fit_scale, jpeg

CORES = os.cpu_count() or 1
TEXT = [
    "Die Baugenehmigung wird unter folgenden Nebenbestimmungen erteilt: Die Abstandsflächen "
    "sind einzuhalten, der Nachweis der Standsicherheit ist vor Baubeginn zu erbringen.",
] * 12


def instance(home: Path) -> Instance:
    inst = Instance(load_config({"home": home}, environ={}))
    inst.initialise()
    return inst


def make_pdfs(folder: Path, count: int, pages: int) -> list[Path]:
    import datetime as dt

    folder.mkdir(parents=True)
    paths = []
    for i in range(count):
        path = folder / f"akte-{i:03d}.pdf"
        typed_pdf(
            path, f"Baugenehmigung Nr. {i}", [*TEXT, f"Vorgang {i}"], dt.date(2020, 1, 1), pages
        )
        paths.append(path)
    return paths


def reference_pdf(path: Path) -> int:
    """What pypdfium2 and Pillow alone need for the same renditions."""
    doc = pdfium.PdfDocument(str(path))
    for i in range(len(doc)):
        page = doc[i]
        w, h = page.get_size()
        tp = page.get_textpage()
        tp.get_text_range()
        tp.close()
        jpeg(page.render(scale=fit_scale(w, h, PREVIEW_BOX)).to_pil())
        jpeg(page.render(scale=fit_scale(w, h, THUMB_BOX)).to_pil(), quality=75)
        page.close()
    n = len(doc)
    doc.close()
    return n


def make_scans(folder: Path, count: int) -> list[Path]:
    import datetime as dt
    import random

    folder.mkdir(parents=True)
    rng = random.Random(7)
    paths = []
    for i in range(count):
        [page] = scanned_pages(f"Bauschein Nr. {i}", TEXT[:6], dt.date(1965, 3, 1), rng)
        path = folder / f"scan-{i:03d}.png"
        page.save(path, dpi=(200, 200))
        paths.append(path)
    return paths


def reference_tesseract(path: Path) -> None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run(
        ["tesseract", str(path), "stdout", "-l", "deu+eng", "--psm", "3", "--dpi", "200", "tsv"],
        check=True,
        capture_output=True,
        env=env,
    )


def make_big_tiff(path: Path, megabytes: int) -> int:
    """Uncompressed RGB pages of 4000 x 6000 until the file reaches the size."""
    page_bytes = 4000 * 6000 * 3
    pages = max(1, megabytes * 1024 * 1024 // page_bytes)
    font = ImageFont.truetype(str(FONT), 120)

    def frames():
        for n in range(pages):
            img = Image.new("RGB", (4000, 6000), "white")
            ImageDraw.Draw(img).text(
                (300, 300), f"Bauzeichnung Blatt {n + 1}", fill="black", font=font
            )
            yield img

    it = frames()
    first = next(it)
    first.save(path, "TIFF", save_all=True, append_images=it, dpi=(300, 300))
    return pages


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(repeats: int, reference, pipeline) -> tuple[float, float, object]:
    """Alternate reference and pipeline runs; keep the fastest of each (least disturbed)."""
    refs, runs, report = [], [], None
    for _ in range(repeats):
        refs.append(timed(reference)[0])
        seconds, report = timed(pipeline)
        runs.append(seconds)
    return min(refs), min(runs), report


def tiff_memory(tiff: Path, home: Path) -> str:
    """Ingest in a separate ``bauakte ingest`` process, so its peak RSS is its own."""
    import json
    import shutil as sh

    instance(home).close()
    env = {**os.environ, "BAUAKTE_HOME": str(home)}
    cmd = [sh.which("bauakte") or "bauakte", "ingest", "--json", "--workers", "1", str(tiff)]
    start = time.perf_counter()
    out_path = home / "report.json"
    peak_kb = 0
    with out_path.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out)
        while proc.poll() is None:  # VmHWM: ru_maxrss would count this bench's own memory
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
            time.sleep(0.05)
    seconds = time.perf_counter() - start
    [f] = json.loads(out_path.read_text())["files"]
    return (
        f"{f['outcome']} in {seconds:.0f} s; peak RSS main process {peak_kb / 1024:.0f} MB, "
        f"worker {f['worker_peak_rss_mb']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Ingest benchmark")
    parser.add_argument("--pdfs", type=int, default=40)
    parser.add_argument("--pdf-pages", type=int, default=5)
    parser.add_argument("--scans", type=int, default=12)
    parser.add_argument("--tiff-mb", type=int, default=1024)
    parser.add_argument("--skip-tiff", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="best of N, alternating")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bauakte-ingest-bench-"))
    print(f"machine: {CORES} cores, {os.uname().machine}; work folder {work}")

    pdfs = make_pdfs(work / "pdfs", args.pdfs, args.pdf_pages)
    pages = args.pdfs * args.pdf_pages
    homes = iter(range(1000))
    with ProcessPoolExecutor(CORES) as pool:
        ref_s, run_s, report = best_of(
            args.repeats,
            lambda: list(pool.map(reference_pdf, pdfs)),
            lambda: ingest.run([work / "pdfs"], instance(work / f"i{next(homes)}")),
        )
    assert report.count(Outcome.ACCEPTED) == args.pdfs, report.summary()
    print(
        f"text PDFs ({pages} pages): pipeline {pages / run_s:.1f} pages/s, "
        f"pypdfium2+Pillow alone {pages / ref_s:.1f} pages/s, ratio {run_s / ref_s:.2f}x"
    )

    scans = make_scans(work / "scans", args.scans)
    with ProcessPoolExecutor(CORES) as pool:
        ref_s, run_s, report = best_of(
            args.repeats,
            lambda: list(pool.map(reference_tesseract, scans)),
            lambda: ingest.run([work / "scans"], instance(work / f"i{next(homes)}")),
        )
    assert report.summary()["ocr_pages"] == args.scans, report.summary()
    print(
        f"scanned pages ({args.scans}): pipeline {60 * args.scans / run_s:.1f} pages/min, "
        f"bare tesseract {60 * args.scans / ref_s:.1f} pages/min, ratio {run_s / ref_s:.2f}x"
    )

    if not args.skip_tiff:
        tiff = work / "big" / "plan-archiv.tif"
        tiff.parent.mkdir()
        n = make_big_tiff(tiff, args.tiff_mb)
        print(
            f"multi-page TIFF {tiff.stat().st_size / 2**20:.0f} MB, {n} pages of 4000x6000: "
            + tiff_memory(tiff, work / "tiff")
        )
    import shutil

    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
