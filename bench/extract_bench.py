"""What a stamped extract costs per page, beside plain pypdfium2 rendering of the same pages.

    python bench/extract_bench.py [--letters 20] [--plans 2] [--dpi 150] [--runs 3]

Makes a text PDF of A4 letters and a scanned-plan PDF (A1 pages holding a
200 dpi drawing, as a scanning service delivers them), puts both into a
throwaway filesystem store as originals, and times ``ingest.extract_pdf.write``
making the stamped extract (render, stamp, JPEG, PDF) and the unstamped
staff copy.  The reference, measured in the same run, opens the same
originals with pypdfium2 and renders the same pages at the same scale; the
figure is the ratio.  Peak memory is the process's maximum resident size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium
from fpdf import FPDF
from PIL import Image, ImageDraw

from docstore.services.extract_jobs import Job, JobPage, Stamp
from ingest.extract_pdf import Quality, _scale, write
from storage import FilesystemStore, original_key

A4 = (595.28, 841.89)
A1 = (2383.94, 1683.78)


def letters_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Seite {n}\n" + "Die Baugenehmigung wird erteilt. " * 60)
    return bytes(pdf.output())


def plan_pdf(pages: int) -> bytes:
    """A1 pages, each one 200 dpi JPEG of lines and lettering, like a scanned drawing."""
    width, height = round(A1[0] / 72 * 200), round(A1[1] / 72 * 200)
    pdf = FPDF(unit="pt")
    for n in range(pages):
        image = Image.new("L", (width, height), 245)
        draw = ImageDraw.Draw(image)
        for i in range(0, width, 37):
            draw.line((i, 0, width - i, height), fill=40, width=2)
        for i in range(0, height, 120):
            draw.text((200, i), f"Grundriss EG Blatt {n + 1} Achse {i}", fill=0)
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        pdf.add_page(format=A1)
        pdf.image(buffer, x=0, y=0, w=A1[0], h=A1[1])
    return bytes(pdf.output())


def store_original(store: FilesystemStore, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    store.put_stream(original_key(sha), io.BytesIO(data))
    return sha


def reference(store: FilesystemStore, pages: list[JobPage], quality: Quality) -> float:
    """Plain pypdfium2: open each original, render each page at the extract's scale."""
    start = time.perf_counter()
    for sha in dict.fromkeys(p.sha256 for p in pages):
        path = store.root / original_key(sha)
        doc = pdfium.PdfDocument(str(path))
        for page in (p for p in pages if p.sha256 == sha):
            source = doc[page.number - 1]
            width, height = source.get_size()
            source.render(scale=_scale(width, height, quality)).to_pil()
            source.close()
        doc.close()
    return time.perf_counter() - start


def timed_write(store: FilesystemStore, job: Job, quality: Quality, out: Path) -> float:
    start = time.perf_counter()
    write(store, job, out, quality)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=20)
    parser.add_argument("--plans", type=int, default=2)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    quality = Quality(dpi=args.dpi)
    with tempfile.TemporaryDirectory(prefix="bauakte-extract-bench-") as tmp:
        store = FilesystemStore(Path(tmp) / "objects")
        store.ensure_ready()
        letters = store_original(store, letters_pdf(args.letters))
        plans = store_original(store, plan_pdf(args.plans))
        pages = [JobPage(letters, "application/pdf", n, *A4) for n in range(1, args.letters + 1)]
        pages += [JobPage(plans, "application/pdf", n, *A1) for n in range(1, args.plans + 1)]
        stamp = Stamp("63-BA-1994-0063", "Erika Mustermann", dt.date(2026, 12, 4), "E-2026-00001")
        out = Path(tmp) / "extract.pdf"
        for label, subset in (("A4 letters", pages[: args.letters]),
                              ("A1 plans", pages[args.letters:])):  # fmt: skip
            if not subset:
                continue
            plain = statistics.median(reference(store, subset, quality) for _ in range(args.runs))
            stamped = statistics.median(
                timed_write(store, Job(1, stamp, tuple(subset)), quality, out)
                for _ in range(args.runs)
            )
            size = out.stat().st_size
            copy = statistics.median(
                timed_write(store, Job(1, None, tuple(subset)), quality, out)
                for _ in range(args.runs)
            )
            n = len(subset)
            print(f"{label}: {n} pages at {args.dpi} dpi")
            print(f"  pypdfium2 render (reference) {plain / n * 1000:8.1f} ms/page")
            per_page = f"{size / n / 1000:.0f} kB/page"
            print(f"  stamped extract              {stamped / n * 1000:8.1f} ms/page"
                  f"  = {stamped / plain:5.2f} x reference, {per_page}")  # fmt: skip
            print(f"  unstamped staff copy         {copy / n * 1000:8.1f} ms/page"
                  f"  = {copy / plain:5.2f} x reference")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
