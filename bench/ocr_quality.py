"""Word accuracy of OCR on aged pages with known text, before and after Bauakte's reading.

Pages: the upper half of A4 at 300 dpi in three faces (``ingest.demo.old_print``: a
modern serif letter, a typewritten Bauschein, a Fraktur Bauschein of the 1900s), each aged
harshly (stain, uneven paper, speckles, blur, skew of 1-3 degrees), and the demo's own
scanned pages (200 dpi, DejaVu Sans, ``ingest.demo.render``).  Three readings of each page:

- ``bare``: tesseract as Bauakte ran it before issue 16 (``deu+eng``, psm 3, no cleaning),
  the reference of the same run;
- ``cleaned``: the page through ``ingest.ocr_prepare`` first;
- ``bauakte``: cleaned, and a second reading with ``deu+frk`` where the first is poor
  (``ingest.ocr_read.read_page``: what ingest does now).

Word accuracy is 1 - word error rate over case-folded words, punctuation aside (what search
sees).  Times are wall-clock per page, one page at a time, ``OMP_THREAD_LIMIT=1``.

    python bench/ocr_quality.py [--pages 4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from ingest import ocr
from ingest.demo.old_print import aged_page, word_accuracy
from ingest.demo.render import AUTHORITY, scanned_pages
from ingest.ocr_prepare import prepare
from ingest.ocr_read import read_page

DEMO_LINES = [
    "Der Neubau eines Einfamilienhauses mit Garage wurde am 14.03.1962 abgenommen.",
    "Die Fensterbrüstung im Obergeschoss ist mit 0,63 m zu niedrig und nachzurüsten.",
    "Kein Mangel an der Grundstücksentwässerung; der Anschluss an den Kanal ist dicht.",
    "Die Standsicherheit der Kellerdecke wurde durch den Prüfingenieur bestätigt.",
]


def pages(count: int) -> Iterator[tuple[str, Image.Image, str, int]]:
    for face in ("antiqua", "typewriter", "fraktur"):
        for seed in range(count):
            page = aged_page(face, seed)
            yield face, page.image, page.truth, page.dpi
    for seed in range(count):
        rng = random.Random(seed)
        when = dt.date(1962, 3, 14 + seed)
        lines = rng.sample(DEMO_LINES, 3)
        [image] = scanned_pages("Abnahmeschein", lines, when, rng)
        truth = " ".join([AUTHORITY, f"Köln, {when:%d.%m.%Y}", "Abnahmeschein", *lines, "- 1 -"])
        yield "demo scan", image, truth, 200


def readers() -> dict[str, Callable[[Image.Image, int], ocr.OcrResult]]:
    return {
        "bare": lambda image, dpi: ocr.recognise(image, "deu+eng", dpi=dpi),
        "cleaned": lambda image, dpi: ocr.recognise(prepare(image, dpi).image, "deu+eng", dpi=dpi),
        "bauakte": lambda image, dpi: read_page(image, "deu+eng", fraktur="deu+frk", dpi=dpi),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=4, help="pages per face")
    args = parser.parse_args()
    ocr.probe("deu+eng")
    ocr.probe("deu+frk")
    rows: dict[tuple[str, str], list[tuple[float, float, float, str]]] = {}
    for face, image, truth, dpi in pages(args.pages):
        for name, read in readers().items():
            start = time.perf_counter()
            result = read(image, dpi)
            seconds = time.perf_counter() - start
            score = word_accuracy(truth, result.text)
            rows.setdefault((face, name), []).append(
                (score, result.confidence or 0.0, seconds, result.languages)
            )
    print(f"{'pages':12} {'reading':8} {'n':>3} {'word acc':>9} {'min':>6} {'conf':>6} "
          f"{'s/page':>7} {'x bare':>7} {'2nd model':>9}")  # fmt: skip
    for (face, name), got in rows.items():
        bare_time = statistics.mean(r[2] for r in rows[(face, "bare")])
        mean_time = statistics.mean(r[2] for r in got)
        second = sum(r[3] == "deu+frk" for r in got)
        print(
            f"{face:12} {name:8} {len(got):3} {statistics.mean(r[0] for r in got):9.3f} "
            f"{min(r[0] for r in got):6.3f} {statistics.mean(r[1] for r in got):6.1f} "
            f"{mean_time:7.2f} {mean_time / bare_time:7.2f} {second:9}"
        )
    for name in readers():
        every = [r for (_, n), got in rows.items() if n == name for r in got]
        print(f"{'all':12} {name:8} {len(every):3} {statistics.mean(r[0] for r in every):9.3f} "
              f"{min(r[0] for r in every):6.3f} {statistics.mean(r[1] for r in every):6.1f} "
              f"{statistics.mean(r[2] for r in every):7.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
